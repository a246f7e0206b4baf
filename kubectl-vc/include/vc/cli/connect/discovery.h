// SPDX-License-Identifier: Apache-2.0
// What connect learns from the host cluster: which virtual cluster (StatefulSet with labels
// app=vcluster,release=NAME), its credentials (Secret vc-NAME) and whether its Service exposes
// it (LoadBalancer ingress, or NodePort on a node's InternalIP).
#pragma once

#include <optional>
#include <string>

#include "vc/cli/connect/context_entries.h"
#include "vc/cli/host.h"
#include "vc/status.h"

namespace vc::cli::connect {

struct VirtualClusterRef {
  std::string name;
  std::string namespace_;
};

// `name` empty: the only virtual cluster there is. In host.namespace_ when -n was given, else
// in every namespace.
StatusOr<VirtualClusterRef> FindVirtualCluster(const HostCluster& host, const std::string& name);

StatusOr<SecretCredentials> ReadCredentials(const HostCluster& host, const VirtualClusterRef& vc);

// https://ADDRESS:PORT of the Service NAME when it is exposed and has an address, else nullopt.
StatusOr<std::optional<std::string>> ExposedServer(const HostCluster& host,
                                                   const VirtualClusterRef& vc);

}  // namespace vc::cli::connect
