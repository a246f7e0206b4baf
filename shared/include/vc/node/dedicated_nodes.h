// SPDX-License-Identifier: Apache-2.0
// Dedicated nodes: a node given to one tenant (DESIGN.md "Dedicated nodes"). `kubectl vc node
// dedicate|release|list` calls the client functions; vc-node-agent reads DedicatedTenant of its
// own node and evicts what does not belong (node-agent's eviction.h). A dedicated node carries
//   label  node-restriction.kubernetes.io/kubectl-vc-tenant=T  (kubelets may not set this
//          prefix on their own Node, so a node cannot claim a tenant it wants to spy on)
//   taint  kubectl-vc.dev/dedicated=T:NoSchedule               (keeps other pods away)
// and the syncer gives T's pods the matching node selector and toleration.
//
//   ASSIGN_OR_RETURN(auto host, ConnectHost(globals.host));
//   RETURN_IF_ERROR(vc::node::DedicateNode(*host.client, "worker-3", "client-a"));
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "vc/kube/client.h"
#include "vc/status.h"

namespace vc::node {

// Where the agent's DaemonSet runs (manifests/node-agent/) and how its pods are labelled.
inline constexpr const char* kAgentNamespace = "kubectl-vc-system";
inline constexpr const char* kAgentAppLabel = "app.kubernetes.io/name";
inline constexpr const char* kAgentAppValue = "vc-node-agent";

// ---- pure ----

// The tenant a Node is dedicated to ("" when none), from its label.
std::string DedicatedTenant(const nlohmann::json& node);

// A JSON merge patch that dedicates `node` (as read) to `tenant`: the label, and the taints with
// ours replaced (every other taint kept; a merge patch replaces the whole list, so it carries
// metadata.resourceVersion and a concurrent change is a conflict, not a lost taint).
// `tenant` must be a valid label value.
StatusOr<nlohmann::json> DedicatePatch(const nlohmann::json& node, const std::string& tenant);
// The patch that removes our label and taint (null label deletes it in a merge patch).
nlohmann::json ReleasePatch(const nlohmann::json& node);

// ---- client ----

// Labels and taints `node` for `tenant`; idempotent (dedicating again to the same tenant is a
// no-op, to another tenant moves it). Retries once on a resourceVersion conflict.
Status DedicateNode(kube::Client& client, const std::string& node, const std::string& tenant);
// Removes our label and taint; a node that is not dedicated is left as it is (ok).
Status ReleaseNode(kube::Client& client, const std::string& node);

struct NodeSummary {
  std::string name;
  std::string tenant;     // "" when shared
  bool ready = false;     // the Node's Ready condition
  std::string agent;      // "Ready", "NotReady", "Pending", ... or "Missing" (no agent pod)
  std::string agent_pod;  // namespace/name of the agent pod on the node
  std::string created;    // metadata.creationTimestamp
};

struct ListNodesOptions {
  std::string agent_namespace = kAgentNamespace;
  std::string agent_selector = std::string(kAgentAppLabel) + "=" + kAgentAppValue;
};

// Every node with its dedication and the state of the agent pod on it.
StatusOr<std::vector<NodeSummary>> ListNodes(kube::Client& client,
                                             const ListNodesOptions& options = {});
// Pure part of ListNodes, for tests.
std::vector<NodeSummary> SummarizeNodes(const std::vector<nlohmann::json>& nodes,
                                        const std::vector<nlohmann::json>& agent_pods);

}  // namespace vc::node
