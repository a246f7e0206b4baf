// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/clients.h"

#include "vc/kube/curl_transport.h"
#include "vc/kube/kubeconfig.h"
#include "vc/syncer/rate_limited_transport.h"

namespace vc::syncer {
namespace {

StatusOr<std::shared_ptr<kube::Client>> Load(kube::KubeconfigOptions options,
                                             const std::string& what) {
  options.env = kube::ProcessEnvironment();
  auto config = kube::LoadRestConfig(options);
  if (!config.ok()) return config.status().Annotate("load " + what + " client");
  config->user_agent = "vc-syncer";
  return kube::Client::ForConfig(std::move(config).value());
}

}  // namespace

StatusOr<std::shared_ptr<kube::Client>> LoadHostClient(const std::string& kubeconfig, double qps,
                                                       int burst) {
  if (qps <= 0) return Load({.kubeconfig = kubeconfig}, "host");
  kube::KubeconfigOptions options{.kubeconfig = kubeconfig};
  options.env = kube::ProcessEnvironment();
  auto config = kube::LoadRestConfig(options);
  if (!config.ok()) return config.status().Annotate("load host client");
  config->user_agent = "vc-syncer";
  auto curl =
      std::make_shared<kube::CurlTransport>(kube::CurlTransportOptions::FromRestConfig(*config));
  auto limited = std::make_shared<RateLimitedTransport>(curl, qps, burst);
  return std::make_shared<kube::Client>(std::move(config).value(), limited);
}

StatusOr<std::shared_ptr<kube::Client>> LoadVirtualClient(const std::string& kubeconfig) {
  if (kubeconfig.empty()) return InvalidArgument("load virtual client: no kubeconfig given");
  return Load({.kubeconfig = kubeconfig}, "virtual cluster");
}

}  // namespace vc::syncer
