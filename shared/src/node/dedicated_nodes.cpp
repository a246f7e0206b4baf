// SPDX-License-Identifier: Apache-2.0
#include "vc/node/dedicated_nodes.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "vc/labels.h"
#include "vc/log.h"

namespace vc::node {
namespace {

using nlohmann::json;

std::string Str(const json& j, const json::json_pointer& p) {
  return j.contains(p) && j.at(p).is_string() ? j.at(p).get<std::string>() : std::string();
}

// A label value: at most 63 characters, alphanumerics with '-', '_', '.' inside.
Status ValidateLabelValue(const std::string& value) {
  auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  bool ok = !value.empty() && value.size() <= 63 && alnum(value.front()) && alnum(value.back());
  for (char c : value) ok = ok && (alnum(c) || c == '-' || c == '_' || c == '.');
  if (!ok) {
    return InvalidArgument("invalid tenant \"" + value +
                           "\": must be a virtual cluster name (at most 63 characters: letters, "
                           "digits, '-', '_', '.', starting and ending alphanumeric)");
  }
  return Status::Ok();
}

json TaintsWithoutOurs(const json& node) {
  json taints = json::array();
  const json::json_pointer p("/spec/taints");
  if (node.contains(p) && node.at(p).is_array()) {
    for (const json& t : node.at(p)) {
      if (t.value("key", "") != labels::kDedicatedTaintKey) taints.push_back(t);
    }
  }
  return taints;
}

bool HasOurTaint(const json& node) {
  const json::json_pointer p("/spec/taints");
  if (!node.contains(p) || !node.at(p).is_array()) return false;
  return std::any_of(node.at(p).begin(), node.at(p).end(), [](const json& t) {
    return t.value("key", "") == labels::kDedicatedTaintKey;
  });
}

std::string ConditionStatus(const json& obj, const std::string& type) {
  const json::json_pointer p("/status/conditions");
  if (!obj.contains(p) || !obj.at(p).is_array()) return "";
  for (const json& c : obj.at(p)) {
    if (c.value("type", "") == type) return c.value("status", "");
  }
  return "";
}

// Patch with one retry on a conflict: someone else (the node controller, kubelet) changed the
// Node between our read and our write.
template <typename MakePatch>
Status PatchNode(kube::Client& client, const std::string& node, MakePatch make_patch) {
  for (int attempt = 0;; ++attempt) {
    auto got = client.Get(kube::resources::kNodes, "", node);
    if (!got.ok()) return got.status().Annotate("get node " + node);
    const json& current = *got;
    ASSIGN_OR_RETURN(std::optional<json> patch, make_patch(current));
    if (!patch) return Status::Ok();
    auto patched =
        client.Patch(kube::resources::kNodes, "", node, kube::PatchType::kMerge, patch->dump());
    if (patched.ok()) return Status::Ok();
    if (patched.status().code() != Code::kConflict || attempt >= 2) {
      return patched.status().Annotate("patch node " + node);
    }
  }
}

}  // namespace

std::string DedicatedTenant(const json& node) {
  const json::json_pointer p("/metadata/labels");
  if (!node.contains(p) || !node.at(p).is_object()) return "";
  const json& labels = node.at(p);
  auto it = labels.find(labels::kDedicatedNodeLabel);
  return it != labels.end() && it->is_string() ? it->get<std::string>() : "";
}

StatusOr<json> DedicatePatch(const json& node, const std::string& tenant) {
  RETURN_IF_ERROR(ValidateLabelValue(tenant));
  json taints = TaintsWithoutOurs(node);
  taints.push_back(
      {{"key", labels::kDedicatedTaintKey}, {"value", tenant}, {"effect", "NoSchedule"}});
  json patch = {{"metadata", {{"labels", {{labels::kDedicatedNodeLabel, tenant}}}}},
                {"spec", {{"taints", taints}}}};
  const std::string rv = Str(node, json::json_pointer("/metadata/resourceVersion"));
  if (!rv.empty()) patch["metadata"]["resourceVersion"] = rv;
  return patch;
}

json ReleasePatch(const json& node) {
  json patch = {{"metadata", {{"labels", {{labels::kDedicatedNodeLabel, nullptr}}}}},
                {"spec", {{"taints", TaintsWithoutOurs(node)}}}};
  const std::string rv = Str(node, json::json_pointer("/metadata/resourceVersion"));
  if (!rv.empty()) patch["metadata"]["resourceVersion"] = rv;
  return patch;
}

Status DedicateNode(kube::Client& client, const std::string& node, const std::string& tenant) {
  if (node.empty()) return InvalidArgument("dedicate node: a node name is required");
  RETURN_IF_ERROR(ValidateLabelValue(tenant));
  return PatchNode(client, node, [&](const json& current) -> StatusOr<std::optional<json>> {
    const std::string before = DedicatedTenant(current);
    if (before == tenant && HasOurTaint(current)) {
      for (const json& t : current["spec"]["taints"]) {
        if (t.value("key", "") == labels::kDedicatedTaintKey && t.value("value", "") == tenant &&
            t.value("effect", "") == "NoSchedule") {
          return std::optional<json>();
        }
      }
    }
    if (!before.empty() && before != tenant) {
      VC_LOG(Warning) << "node " << node << " moves from tenant " << before << " to " << tenant;
    }
    ASSIGN_OR_RETURN(json patch, DedicatePatch(current, tenant));
    return std::optional<json>(std::move(patch));
  });
}

Status ReleaseNode(kube::Client& client, const std::string& node) {
  if (node.empty()) return InvalidArgument("release node: a node name is required");
  return PatchNode(client, node, [&](const json& current) -> StatusOr<std::optional<json>> {
    if (DedicatedTenant(current).empty() && !HasOurTaint(current)) return std::optional<json>();
    return std::optional<json>(ReleasePatch(current));
  });
}

std::vector<NodeSummary> SummarizeNodes(const std::vector<json>& nodes,
                                        const std::vector<json>& agent_pods) {
  std::map<std::string, const json*> agent_by_node;
  for (const json& pod : agent_pods) {
    const std::string node = Str(pod, json::json_pointer("/spec/nodeName"));
    if (!node.empty()) agent_by_node[node] = &pod;
  }
  std::vector<NodeSummary> out;
  for (const json& node : nodes) {
    NodeSummary s;
    s.name = Str(node, json::json_pointer("/metadata/name"));
    s.tenant = DedicatedTenant(node);
    s.ready = ConditionStatus(node, "Ready") == "True";
    s.created = Str(node, json::json_pointer("/metadata/creationTimestamp"));
    auto it = agent_by_node.find(s.name);
    if (it == agent_by_node.end()) {
      s.agent = "Missing";
    } else {
      const json& pod = *it->second;
      s.agent_pod = Str(pod, json::json_pointer("/metadata/namespace")) + "/" +
                    Str(pod, json::json_pointer("/metadata/name"));
      const std::string phase = Str(pod, json::json_pointer("/status/phase"));
      if (phase == "Running") {
        s.agent = ConditionStatus(pod, "Ready") == "True" ? "Ready" : "NotReady";
      } else {
        s.agent = phase.empty() ? "Pending" : phase;
      }
    }
    out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end(),
            [](const NodeSummary& a, const NodeSummary& b) { return a.name < b.name; });
  return out;
}

StatusOr<std::vector<NodeSummary>> ListNodes(kube::Client& client,
                                             const ListNodesOptions& options) {
  auto nodes = client.ListAll(kube::resources::kNodes, "", {});
  if (!nodes.ok()) return nodes.status().Annotate("list nodes");
  std::vector<json> agents;
  auto pods = client.ListAll(kube::resources::kPods, options.agent_namespace,
                             {.label_selector = options.agent_selector});
  if (pods.ok()) {
    agents = std::move(pods->items);
  } else if (pods.status().code() != Code::kNotFound && pods.status().code() != Code::kForbidden) {
    return pods.status().Annotate("list node agents in " + options.agent_namespace);
  } else {
    VC_LOG(Info) << "cannot list node agents: " << pods.status().message();
  }
  return SummarizeNodes(nodes->items, agents);
}

}  // namespace vc::node
