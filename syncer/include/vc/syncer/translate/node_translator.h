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
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

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

// sync.fromHost.nodes.syncBackChanges: what the tenant changed on its mirror of a host node,
// found against the host state the mirror was last made from (kept in kNodeBaseAnnotation on
// the virtual node, so a restarted syncer still tells the tenant's changes from the host's).
// Labels and taints and extended resources (capacity of a resource name with a domain that is
// not kubernetes.io's) go back; the rest of a mirror is the host's. Keys the host's own
// machinery and isolation rely on never go back: the kubectl-vc.dev/ domain (dedicated nodes),
// node.kubernetes.io/, node-role.kubernetes.io/, topology.kubernetes.io/,
// node-restriction.kubernetes.io/, beta.kubernetes.io/, failure-domain.beta.kubernetes.io/,
// node.cloudprovider.kubernetes.io/, feature.node.kubernetes.io/, and hostname, os and arch.
inline constexpr const char* kNodeBaseAnnotation = "kubectl-vc.dev/host-node-base";

struct NodeChangesBack {
  nlohmann::json patch;              // merge patch of the host node (labels, spec.taints), or null
  nlohmann::json status_patch;       // {"status": capacity, allocatable} merge patch, or null
  std::vector<std::string> refused;  // keys the tenant may not change, for the log
};

// The host node's state that syncBackChanges compares against, for kNodeBaseAnnotation.
nlohmann::json NodeBase(const nlohmann::json& mirror);
// `virtual_node`: the tenant's mirror (with its base annotation); `host_node` now, and
// `mirror`, RealNode of it. Without a (well-formed) base annotation nothing goes back, nor to
// a node dedicated to another tenant than `tenant` (isolation.dedicatedNodes).
NodeChangesBack ChangesBack(const nlohmann::json& virtual_node, const nlohmann::json& host_node,
                            const nlohmann::json& mirror, const std::string& tenant);
// The host node with `changes` applied, as the host will have it.
nlohmann::json WithChanges(nlohmann::json host_node, const NodeChangesBack& changes);

// True when every selector label is on the node.
bool NodeMatches(const nlohmann::json& host_node,
                 const std::map<std::string, std::string>& selector);

}  // namespace vc::syncer::translate
