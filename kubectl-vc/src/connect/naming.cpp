// SPDX-License-Identifier: Apache-2.0
// ContextName, DefaultStateDir, TargetKubeconfigFile: pure choices from flags and environment.
#include "vc/cli/connect/connect.h"

namespace vc::cli::connect {
namespace {

std::string EnvValue(const kube::Environment& env, const std::string& key) {
  auto it = env.find(key);
  return it == env.end() ? std::string() : it->second;
}

}  // namespace

std::string ContextName(const std::string& name, const std::string& namespace_,
                        const std::string& host_context) {
  // In-cluster there is no context name; vcluster uses the same placeholder idea.
  return "vc_" + name + "_" + namespace_ + "_" +
         (host_context.empty() ? std::string("incluster") : host_context);
}

std::string DefaultStateDir(const kube::Environment& env) {
  if (std::string dir = EnvValue(env, "VC_STATE_DIR"); !dir.empty()) {
    return dir;
  }
  const std::string home = EnvValue(env, "HOME");
  return (home.empty() ? std::string(".") : home) + "/.kube/vc";
}

std::string TargetKubeconfigFile(const HostCluster& host, const kube::Environment& env) {
  if (!host.kubeconfig.empty()) {
    return host.kubeconfig;
  }
  // kubectl writes `config set-context` into the first $KUBECONFIG file too.
  const std::string list = EnvValue(env, "KUBECONFIG");
  size_t start = 0;
  while (start <= list.size()) {
    const size_t end = std::min(list.find(':', start), list.size());
    if (end > start) {
      return list.substr(start, end - start);
    }
    start = end + 1;
  }
  const std::string home = EnvValue(env, "HOME");
  return (home.empty() ? std::string(".") : home) + "/.kube/config";
}

}  // namespace vc::cli::connect
