// SPDX-License-Identifier: Apache-2.0
#include "cmd/host_access.h"

#include "cmd/commands.h"
#include "vc/cli/connect/state_store.h"

namespace vc::cli::cmd {

StatusOr<HostCluster> OpenHost(const GlobalOptions& globals) {
  HostOptions options = globals.host;
  if (options.context.empty()) {
    kube::KubeconfigOptions kc;
    kc.kubeconfig = options.kubeconfig;
    kc.env = options.env;
    auto loaded = kube::LoadKubeconfig(kc);
    if (loaded.ok() && !loaded->current_context.empty()) {
      auto store = connect::StateStore::Open(connect::DefaultStateDir(options.env));
      if (store.ok()) {
        auto connection = (*store)->Get(loaded->current_context);
        if (connection.ok() && connection->has_value() && !(*connection)->host_context.empty() &&
            loaded->contexts.count((*connection)->host_context)) {
          options.context = (*connection)->host_context;
        }
      }
    }
  }
  return globals.hosts->connect(options);
}

StatusOr<Target> OpenTarget(const GlobalOptions& globals, const std::string& name) {
  ASSIGN_OR_RETURN(HostCluster host, OpenHost(globals));
  auto info = lifecycle::Find(*host.client, name, host.namespace_given ? host.namespace_ : "");
  if (!info.ok()) return ExplainHostError(host, info.status());
  return Target{std::move(host), std::move(*info)};
}

Status ExplainHostError(const HostCluster& host, Status status) {
  const std::string where = "context \"" + host.context + "\" (server " + host.config.server + ")";
  switch (status.code()) {
    case Code::kUnavailable:
    case Code::kTimeout:
      // Our own waits (lifecycle::PollUntil, the control plane's start) timing out say what
      // they waited for; the host answered them all along.
      if (status.message().rfind("timed out ", 0) == 0 ||
          status.message().find("did not become ready") != std::string::npos) {
        return status;
      }
      return Status(status.code(), "cannot reach the host cluster of " + where + ": " +
                                       status.message() +
                                       "\ncheck that it is running and reachable: kubectl "
                                       "cluster-info" +
                                       (host.context.empty() ? "" : " --context " + host.context) +
                                       "\nor pick another cluster with --context / --kubeconfig");
    case Code::kForbidden:
      return Status(status.code(),
                    status.message() +
                        "\nkubectl-vc needs that permission on the host cluster; check with "
                        "`kubectl auth can-i VERB RESOURCE -n NAMESPACE` and ask your cluster "
                        "admin for a role that grants it");
    case Code::kUnauthorized:
      return Status(status.code(), status.message() + "\nthe credentials of " + where +
                                       " were refused; log in again or pick another context");
    default:
      return status;
  }
}

}  // namespace vc::cli::cmd
