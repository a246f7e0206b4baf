// SPDX-License-Identifier: Apache-2.0
// Nodes as the virtual cluster sees them. Pure.
//  - pseudo (default): a sanitized stand-in named after the host node that runs the pod: no
//    host labels beyond hostname/os/arch, Ready, and addresses pointing at the syncer's
//    kubelet endpoint, so the virtual API server's logs/exec/port-forward reach the syncer.
//  - real (sync.fromHost.nodes): the host node's labels, taints, capacity and addresses, and
//    first an InternalDNS address that is the syncer's kubelet endpoint: the virtual API
//    server prefers that type (--kubelet-preferred-address-types=InternalDNS,InternalIP,...),
//    so it reaches the relay while pods and specs that look up the node's InternalIP reach
//    the real node (NodePorts, hostPorts).
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace vc::syncer::translate {

struct KubeletEndpoint {
  std::string address = "127.0.0.1";  // where the virtual apiserver reaches the syncer
  int port = 10250;
};

inline constexpr const char* kPseudoNodeLabel = "kubectl-vc.dev/pseudo-node";
// On a virtual node mirrored from a host node (RealNode): the syncer's to keep in line and to
// delete. A Node the tenant made itself has neither mark and is left alone.
inline constexpr const char* kHostNodeAnnotation = "kubectl-vc.dev/host-node";

// Whether the syncer made the virtual node (a pseudo node, or a host node mirrored).
bool SyncedNode(const nlohmann::json& virtual_node);

// `host_node` may be null (the syncer may not read host nodes): defaults fill capacity.
nlohmann::json PseudoNode(const std::string& name, const nlohmann::json& host_node,
                          const KubeletEndpoint& kubelet);
// `dedicated_to`: the tenant whose pods the host lets onto the node's dedication taint
// (isolation.dedicatedNodes): that taint is left out, so the virtual scheduler may use the node.
nlohmann::json RealNode(const nlohmann::json& host_node, const KubeletEndpoint& kubelet,
                        const std::string& dedicated_to = "");

// True when every selector label is on the node.
bool NodeMatches(const nlohmann::json& host_node, const std::map<std::string, std::string>& selector);

}  // namespace vc::syncer::translate
