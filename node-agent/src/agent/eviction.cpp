// SPDX-License-Identifier: Apache-2.0
#include "vc/agent/agent/eviction.h"

#include <algorithm>

#include "vc/labels.h"

namespace vc::agent {
namespace {

using nlohmann::json;

std::string Str(const json& j, const json::json_pointer& p) {
  return j.contains(p) && j.at(p).is_string() ? j.at(p).get<std::string>() : std::string();
}

bool IsSystemNamespace(const std::string& ns) {
  return ns == "kube-system" || ns == "kube-public" || ns == "kube-node-lease";
}

bool OwnedByDaemonSet(const json& pod) {
  const json::json_pointer p("/metadata/ownerReferences");
  if (!pod.contains(p) || !pod.at(p).is_array()) return false;
  return std::any_of(pod.at(p).begin(), pod.at(p).end(),
                     [](const json& o) { return o.value("kind", "") == "DaemonSet"; });
}

bool IsTerminatingOrFinished(const json& pod) {
  const json::json_pointer deletion("/metadata/deletionTimestamp");
  if (pod.contains(deletion) && !pod.at(deletion).is_null()) return true;
  const std::string phase = Str(pod, json::json_pointer("/status/phase"));
  return phase == "Succeeded" || phase == "Failed";
}

bool IsMirrorPod(const json& pod) {
  const json::json_pointer annotations("/metadata/annotations");
  return pod.contains(annotations) && pod.at(annotations).is_object() &&
         pod.at(annotations).contains("kubernetes.io/config.mirror");
}

std::string TenantOf(const json& pod) {
  const json::json_pointer labels_ptr("/metadata/labels");
  if (!pod.contains(labels_ptr) || !pod.at(labels_ptr).is_object()) return "";
  const json& value = pod.at(labels_ptr).value(labels::kTenant, json());
  return value.is_string() ? value.get<std::string>() : "";
}

}  // namespace

std::vector<EvictionCandidate> PodsToEvict(const std::string& tenant,
                                           const std::vector<json>& pods) {
  std::vector<EvictionCandidate> out;
  if (tenant.empty()) return out;
  for (const json& pod : pods) {
    const std::string ns = Str(pod, json::json_pointer("/metadata/namespace"));
    if (IsSystemNamespace(ns) || OwnedByDaemonSet(pod) || IsTerminatingOrFinished(pod) ||
        IsMirrorPod(pod)) {
      continue;
    }
    const std::string owner = TenantOf(pod);
    if (owner == tenant) continue;
    out.push_back({ns, Str(pod, json::json_pointer("/metadata/name")),
                   Str(pod, json::json_pointer("/metadata/uid")),
                   (owner.empty() ? std::string("pod of no tenant") : "pod of tenant " + owner) +
                       " on a node dedicated to tenant " + tenant});
  }
  return out;
}

}  // namespace vc::agent
