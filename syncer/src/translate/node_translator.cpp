// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/translate/node_translator.h"

#include "vc/labels.h"
#include "vc/syncer/translate/names.h"

namespace vc::syncer::translate {

using nlohmann::json;

namespace {

// Where the virtual API server reaches this node's kubelet: the syncer's relay, under the
// address type it prefers (--kubelet-preferred-address-types=InternalDNS,InternalIP,Hostname).
json RelayAddress(const KubeletEndpoint& kubelet) {
  return {{"type", "InternalDNS"}, {"address", kubelet.address}};
}

json Status(const std::string& name, const json& host_node, const KubeletEndpoint& kubelet) {
  const json hs =
      host_node.is_object() ? host_node.value("status", json::object()) : json::object();
  const json capacity =
      hs.value("capacity", json{{"cpu", "16"}, {"memory", "64Gi"}, {"pods", "110"}});
  return {
      {"capacity", capacity},
      {"allocatable", hs.value("allocatable", capacity)},
      {"conditions", json::array({{{"type", "Ready"},
                                   {"status", "True"},
                                   {"reason", "KubeletReady"},
                                   {"message", "kubectl-vc syncer relays this node's kubelet"}}})},
      {"addresses", json::array({RelayAddress(kubelet),
                                 {{"type", "InternalIP"}, {"address", kubelet.address}},
                                 {{"type", "Hostname"}, {"address", name}}})},
      {"daemonEndpoints", {{"kubeletEndpoint", {{"Port", kubelet.port}}}}},
      {"nodeInfo", hs.value("nodeInfo", json{{"architecture", "amd64"},
                                             {"operatingSystem", "linux"},
                                             {"kubeletVersion", "v1.36.3"},
                                             {"bootID", ""},
                                             {"containerRuntimeVersion", ""},
                                             {"kernelVersion", ""},
                                             {"kubeProxyVersion", ""},
                                             {"machineID", ""},
                                             {"osImage", ""},
                                             {"systemUUID", ""}})},
  };
}

}  // namespace

json PseudoNode(const std::string& name, const json& host_node, const KubeletEndpoint& kubelet) {
  const json& host_labels = ObjectAt(ObjectAt(host_node, "metadata"), "labels");
  json labels = {{"kubernetes.io/hostname", name},
                 {"kubernetes.io/os", host_labels.value("kubernetes.io/os", "linux")},
                 {"kubernetes.io/arch", host_labels.value("kubernetes.io/arch", "amd64")},
                 {kPseudoNodeLabel, "true"}};
  return {{"apiVersion", "v1"},
          {"kind", "Node"},
          {"metadata", {{"name", name}, {"labels", labels}}},
          {"spec", json::object()},
          {"status", Status(name, host_node, kubelet)}};
}

json RealNode(const json& host_node, const KubeletEndpoint& kubelet,
              const std::string& dedicated_to) {
  const json& meta = ObjectAt(host_node, "metadata");
  const std::string name = meta.value("name", "");
  json spec = json::object();
  const json hspec = host_node.value("spec", json::object());
  json taints = json::array();
  for (const auto& t : hspec.value("taints", json::array())) {
    if (!dedicated_to.empty() && t.value("key", "") == labels::kDedicatedTaintKey &&
        t.value("value", "") == dedicated_to) {
      continue;
    }
    taints.push_back(t);
  }
  if (!taints.empty()) spec["taints"] = taints;
  if (hspec.value("unschedulable", false)) spec["unschedulable"] = true;
  json status = Status(name, host_node, kubelet);
  // The host node's own addresses after the relay's: what pods reach the node at (a NodePort,
  // a hostPort, the node's InternalIP a spec looks up) is the real node.
  const json host_addresses = ObjectAt(host_node, "status").value("addresses", json::array());
  if (host_addresses.is_array() && !host_addresses.empty()) {
    json addresses = json::array({RelayAddress(kubelet)});
    for (const auto& a : host_addresses) addresses.push_back(a);
    status["addresses"] = std::move(addresses);
  }
  return {{"apiVersion", "v1"},
          {"kind", "Node"},
          {"metadata",
           {{"name", name},
            {"labels", ObjectAt(meta, "labels")},
            {"annotations", {{kHostNodeAnnotation, "true"}}}}},
          {"spec", spec},
          {"status", status}};
}

namespace {

// A label or taint key the host's own machinery or our isolation decides, never the tenant.
bool ProtectedKey(const std::string& key) {
  // The cloud provider's, kubelet's, the node lifecycle's and our own, and the hardware facts
  // (node feature discovery) other tenants' pods are placed by.
  static const char* const kPrefixes[] = {"kubectl-vc.dev/",
                                          "node.kubernetes.io/",
                                          "node-role.kubernetes.io/",
                                          "topology.kubernetes.io/",
                                          "node-restriction.kubernetes.io/",
                                          "beta.kubernetes.io/",
                                          "failure-domain.beta.kubernetes.io/",
                                          "node.cloudprovider.kubernetes.io/",
                                          "feature.node.kubernetes.io/"};
  for (const char* prefix : kPrefixes) {
    if (key.rfind(prefix, 0) == 0) return true;
  }
  return key == "kubernetes.io/hostname" || key == "kubernetes.io/os" ||
         key == "kubernetes.io/arch";
}

// An extended resource: a name with a domain other than kubernetes.io's (cpu, memory, pods,
// hugepages-2Mi, ephemeral-storage have none).
bool ExtendedResource(const std::string& name) {
  const auto slash = name.find('/');
  if (slash == std::string::npos) return false;
  const std::string domain = name.substr(0, slash);
  return domain != "kubernetes.io" &&
         !(domain.size() > 14 && domain.compare(domain.size() - 14, 14, ".kubernetes.io") == 0);
}

json Extended(const json& node) {
  json out = json::object();
  for (const auto& [k, v] : ObjectAt(ObjectAt(node, "status"), "capacity").items()) {
    if (ExtendedResource(k)) out[k] = v;
  }
  return out;
}

json Taints(const json& node) {
  const json& t = ObjectAt(node, "spec").value("taints", json::array());
  return t.is_array() ? t : json::array();
}

// A taint without the time it was added (the node lifecycle controller's), to compare by.
json TaintKey(const json& taint) {
  return {{"key", taint.value("key", "")},
          {"value", taint.value("value", "")},
          {"effect", taint.value("effect", "")}};
}

bool HasTaint(const json& taints, const json& taint) {
  for (const auto& t : taints) {
    if (TaintKey(t) == TaintKey(taint)) return true;
  }
  return false;
}

// What NodeBase writes: labels and extended resources as objects of strings, taints as objects
// with string keys, values and effects.
bool WellFormedBase(const json& base) {
  if (!base.is_object()) return false;
  for (const char* key : {"labels", "extended"}) {
    const auto it = base.find(key);
    if (it == base.end() || !it->is_object()) return false;
    for (const auto& [k, v] : it->items()) {
      if (!v.is_string()) return false;
    }
  }
  const auto taints = base.find("taints");
  if (taints == base.end() || !taints->is_array()) return false;
  for (const auto& t : *taints) {
    if (!t.is_object()) return false;
    for (const char* key : {"key", "value", "effect"}) {
      if (t.contains(key) && !t[key].is_string()) return false;
    }
  }
  return true;
}

}  // namespace

json NodeBase(const json& mirror) {
  return {{"labels", ObjectAt(ObjectAt(mirror, "metadata"), "labels")},
          {"taints", Taints(mirror)},
          {"extended", Extended(mirror)}};
}

namespace {

// Labels: each key the tenant set, changed or removed since the base, that the host lacks.
json LabelsBack(const json& virtual_node, const json& host_node, const json& base,
                std::vector<std::string>& refused) {
  const json& have = ObjectAt(ObjectAt(virtual_node, "metadata"), "labels");
  const json& was = ObjectAt(base, "labels");
  const json& host_labels = ObjectAt(ObjectAt(host_node, "metadata"), "labels");
  json labels = json::object();
  auto change = [&](const std::string& key, const json& value) {
    if (ProtectedKey(key)) {
      refused.push_back("label " + key);
      return;
    }
    const bool host_has = host_labels.contains(key);
    if (value.is_null() ? host_has : (!host_has || host_labels[key] != value)) labels[key] = value;
  };
  for (const auto& [k, v] : have.items()) {
    if (!was.contains(k) || was[k] != v) change(k, v);
  }
  for (const auto& [k, v] : was.items()) {
    if (!have.contains(k)) change(k, nullptr);
  }
  return labels;
}

// Taints: the ones the tenant added or removed since the base, applied to the host's list
// (which may hold taints the mirror leaves out). Null when the host's list stays as it is.
json TaintsBack(const json& virtual_node, const json& host_node, const json& base,
                std::vector<std::string>& refused) {
  const json mine = Taints(virtual_node);
  const json base_taints = base.value("taints", json::array());
  json host_taints = Taints(host_node);
  json taints = json::array();
  bool taints_changed = false;
  for (const auto& t : host_taints) {
    const bool removed = HasTaint(base_taints, t) && !HasTaint(mine, t);
    if (removed && ProtectedKey(t.value("key", "")))
      refused.push_back("taint " + t.value("key", ""));
    if (removed && !ProtectedKey(t.value("key", ""))) {
      taints_changed = true;
      continue;
    }
    taints.push_back(t);
  }
  for (const auto& t : mine) {
    if (HasTaint(base_taints, t) || HasTaint(host_taints, t)) continue;
    if (ProtectedKey(t.value("key", ""))) {
      refused.push_back("taint " + t.value("key", ""));
      continue;
    }
    taints.push_back(t);
    taints_changed = true;
  }
  return taints_changed ? taints : json();
}

// Extended resources in capacity (and allocatable with them, as kubelet would make it): the
// status the host node needs, empty when none changed.
json ExtendedBack(const json& virtual_node, const json& host_node, const json& base) {
  const json mine_extended = Extended(virtual_node);
  const json& base_extended = ObjectAt(base, "extended");
  const json host_extended = Extended(host_node);
  const json& allocatable = ObjectAt(ObjectAt(virtual_node, "status"), "allocatable");
  json status = json::object();
  for (const auto& [k, v] : mine_extended.items()) {
    if ((base_extended.contains(k) && base_extended[k] == v) ||
        (host_extended.contains(k) && host_extended[k] == v)) {
      continue;
    }
    status["capacity"][k] = v;
    status["allocatable"][k] =
        allocatable.contains(k) && allocatable[k] != base_extended.value(k, json()) ? allocatable[k]
                                                                                    : v;
  }
  for (const auto& [k, v] : base_extended.items()) {
    if (mine_extended.contains(k) || !host_extended.contains(k)) continue;
    status["capacity"][k] = nullptr;
    status["allocatable"][k] = nullptr;
  }
  return status;
}

// Other capacity the tenant changed does not go back: named for the log.
void RefuseCapacityChanges(const json& virtual_node, const json& mirror,
                           std::vector<std::string>& refused) {
  for (const auto& [k, v] : ObjectAt(ObjectAt(virtual_node, "status"), "capacity").items()) {
    if (ExtendedResource(k)) continue;
    const json& was_capacity = ObjectAt(ObjectAt(mirror, "status"), "capacity");
    if (was_capacity.contains(k) && was_capacity[k] != v) refused.push_back("capacity " + k);
  }
}

}  // namespace

NodeChangesBack ChangesBack(const json& virtual_node, const json& host_node, const json& mirror,
                            const std::string& tenant) {
  NodeChangesBack out;
  // Without a base (a mirror from before syncBackChanges was on, or one the tenant took it
  // off), every difference may be the host's: nothing goes back, and the next mirror has one.
  const json& annotations = ObjectAt(ObjectAt(virtual_node, "metadata"), "annotations");
  if (!annotations.contains(kNodeBaseAnnotation) || !annotations[kNodeBaseAnnotation].is_string()) {
    return out;
  }
  const json base =
      json::parse(annotations[kNodeBaseAnnotation].get<std::string>(), nullptr, false);
  // The tenant may write the annotation too: a base of any other shape is no base.
  if (!WellFormedBase(base)) return out;

  const json labels = LabelsBack(virtual_node, host_node, base, out.refused);
  const json taints = TaintsBack(virtual_node, host_node, base, out.refused);
  if (!labels.empty()) out.patch["metadata"]["labels"] = labels;
  if (!taints.is_null()) out.patch["spec"]["taints"] = taints;
  const json status = ExtendedBack(virtual_node, host_node, base);
  RefuseCapacityChanges(virtual_node, mirror, out.refused);
  if (!status.empty()) out.status_patch = {{"status", status}};
  // A node dedicated to another tenant is that tenant's (and its isolation's) alone: none of
  // it goes back.
  const std::string dedicated =
      ObjectAt(ObjectAt(host_node, "metadata"), "labels").value(labels::kDedicatedNodeLabel, "");
  if (!dedicated.empty() && dedicated != tenant &&
      (!out.patch.is_null() || !out.status_patch.is_null())) {
    return {.refused = {"anything on a node dedicated to tenant " + dedicated}};
  }
  return out;
}

json WithChanges(json host_node, const NodeChangesBack& changes) {
  if (!changes.patch.is_null()) host_node.merge_patch(changes.patch);
  if (!changes.status_patch.is_null()) host_node.merge_patch(changes.status_patch);
  return host_node;
}

bool SyncedNode(const json& virtual_node) {
  const json& meta = ObjectAt(virtual_node, "metadata");
  return ObjectAt(meta, "labels").contains(kPseudoNodeLabel) ||
         ObjectAt(meta, "annotations").contains(kHostNodeAnnotation);
}

bool NodeMatches(const json& host_node, const std::map<std::string, std::string>& selector) {
  const json& labels = ObjectAt(ObjectAt(host_node, "metadata"), "labels");
  for (const auto& [k, v] : selector) {
    if (!labels.contains(k) || labels[k] != v) return false;
  }
  return true;
}

}  // namespace vc::syncer::translate
