// SPDX-License-Identifier: Apache-2.0
// A pod's /etc/hosts with its virtual name. The host's kubelet writes a pod with a subdomain
// the line "IP<TAB>HOSTNAME.SUBDOMAIN.NAMESPACE.svc.DOMAIN<TAB>HOSTNAME" with the host pod's
// namespace and the host's cluster domain, names nothing in the virtual cluster resolves. So
// such a host pod gets, first of its init containers, kHostsContainer running the syncer's
// image (`vc-syncer hosts-file`): it reads the file the kubelet made, puts the virtual FQDN in
// the host one's place, and writes the result into an emptyDir (kHostsVolume) that every other
// container and init container mounts at /etc/hosts (the kubelet leaves a container that
// mounts /etc/hosts itself alone). Everything else of the kubelet's file stays: localhost,
// the other addresses of the pod, hostAliases. vCluster's sync.toHost.pods.rewriteHosts does
// the same. Not done for host-network pods (the node's file) and ephemeral containers. The host
// pod carries labels::kHostsFile, so the status back leaves kHostsContainer out.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace vc::syncer::translate {

inline constexpr const char* kHostsContainer = "kubectl-vc-hosts";
inline constexpr const char* kHostsVolume = "kubectl-vc-hosts";
inline constexpr const char* kHostsDir = "/kubectl-vc-hosts";

// The names of one pod's FQDN line: what the host's kubelet writes starts with `host_prefix`
// ("web-0.web.HOSTNS.svc."), and `fqdn` replaces it ("web-0.web.shop.svc.cluster.local").
struct HostsRename {
  std::string host_prefix;
  std::string fqdn;
};

// The rename a host pod spec (its hostname the virtual pod's, as TranslatePod sets it) needs,
// or nullopt: no subdomain (the kubelet's line names just the hostname), no hostname, host
// network.
std::optional<HostsRename> HostsRenameFor(const nlohmann::json& host_spec,
                                          std::string_view virtual_namespace,
                                          std::string_view host_namespace,
                                          std::string_view cluster_domain);

// `content` with every name of a line that starts with `rename.host_prefix` replaced by
// `rename.fqdn`; other lines, comments and whitespace kept byte for byte.
std::string RenameInHostsFile(std::string_view content, const HostsRename& rename);

// Adds kHostsContainer (image `image`, restricted, the CPU and memory of the first container so
// the pod's effective requests and limits do not change), kHostsVolume, and the /etc/hosts
// mount of every other container to a host pod spec; true if added. A spec that already uses
// one of the names is left alone (the kubelet's file, not a broken pod): false.
bool AddHostsFileRewrite(nlohmann::json* host_spec, const HostsRename& rename,
                         const std::string& image);

}  // namespace vc::syncer::translate
