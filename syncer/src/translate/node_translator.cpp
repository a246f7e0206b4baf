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
  const json hs = host_node.is_object() ? host_node.value("status", json::object()) : json::object();
  const json capacity = hs.value("capacity", json{{"cpu", "16"}, {"memory", "64Gi"}, {"pods", "110"}});
  return {
      {"capacity", capacity},
      {"allocatable", hs.value("allocatable", capacity)},
      {"conditions",
       json::array({{{"type", "Ready"},
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
                                             {"bootID", ""}, {"containerRuntimeVersion", ""},
                                             {"kernelVersion", ""}, {"kubeProxyVersion", ""},
                                             {"machineID", ""}, {"osImage", ""},
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

json RealNode(const json& host_node, const KubeletEndpoint& kubelet, const std::string& dedicated_to) {
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
