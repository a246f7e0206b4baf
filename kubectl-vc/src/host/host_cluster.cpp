// SPDX-License-Identifier: Apache-2.0
#include <cctype>
#include <regex>

#include "vc/cli/host.h"

namespace vc::cli {

Status ValidateName(const std::string& what, const std::string& name, size_t max) {
  static const std::regex label("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  if (name.empty()) return InvalidArgument(what + " is required");
  if (name.size() > max) {
    return InvalidArgument("invalid " + what + " \"" + name + "\": " + std::to_string(name.size()) +
                           " characters, at most " + std::to_string(max) +
                           " are allowed; choose a shorter name");
  }
  if (!std::regex_match(name, label)) {
    return InvalidArgument("invalid " + what + " \"" + name +
                           "\": use lowercase letters, digits and '-', starting and ending with "
                           "a letter or digit (a DNS-1123 label, e.g. \"dev-team\")");
  }
  return Status::Ok();
}

StatusOr<HostCluster> ConnectHost(const HostOptions& options) {
  kube::KubeconfigOptions kc;
  kc.kubeconfig = options.kubeconfig;
  kc.context = options.context;
  kc.namespace_ = options.namespace_;
  kc.env = options.env;
  ASSIGN_OR_RETURN(kube::RestConfig config, kube::LoadRestConfig(kc));
  if (!options.request_timeout.empty()) {
    ASSIGN_OR_RETURN(config.request_timeout,
                     ParseDuration("--request-timeout", options.request_timeout));
  }
  HostCluster host;
  host.config = config;
  host.context = config.context;
  host.kubeconfig = options.kubeconfig;
  host.namespace_given = !options.namespace_.empty();
  host.namespace_ = config.namespace_.empty() ? "default" : config.namespace_;
  host.client = kube::Client::ForConfig(config);
  return host;
}

}  // namespace vc::cli
