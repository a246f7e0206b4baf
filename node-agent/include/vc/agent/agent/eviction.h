// SPDX-License-Identifier: Apache-2.0
// Which pods leave a node dedicated to one tenant (DESIGN.md "Dedicated nodes"): pure, from the
// pods the agent's informer sees on its own node. The agent evicts them and records an Event.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace vc::agent {

struct EvictionCandidate {
  std::string namespace_;
  std::string name;
  std::string uid;
  std::string reason;  // for the Event: "pod of tenant X on a node dedicated to T"
};

// The pods on a node dedicated to `tenant` that must go: every pod whose tenant label is not
// `tenant`, except DaemonSet pods, mirror (static) pods, pods in system namespaces
// (kube-system, kube-public, kube-node-lease), and pods that are already terminating or
// finished. Empty `tenant`: nothing.
std::vector<EvictionCandidate> PodsToEvict(const std::string& tenant,
                                           const std::vector<nlohmann::json>& pods);

}  // namespace vc::agent
