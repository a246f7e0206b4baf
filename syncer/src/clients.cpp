// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/clients.h"

#include "vc/kube/kubeconfig.h"

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

StatusOr<std::shared_ptr<kube::Client>> LoadHostClient(const std::string& kubeconfig) {
  return Load({.kubeconfig = kubeconfig}, "host");
}

StatusOr<std::shared_ptr<kube::Client>> LoadVirtualClient(const std::string& kubeconfig) {
  if (kubeconfig.empty()) return InvalidArgument("load virtual client: no kubeconfig given");
  return Load({.kubeconfig = kubeconfig}, "virtual cluster");
}

}  // namespace vc::syncer
