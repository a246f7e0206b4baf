// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/translate/network_policy.h"

#include <optional>
#include <string>
#include <vector>

#include "vc/labels.h"

namespace vc::syncer::translate {

using nlohmann::json;

namespace {

// A virtual label selector (matchLabels, matchExpressions) as the host selector of the
// tenant's workload pods in `namespaces` (none: every namespace of the tenant).
json HostPodSelector(const json& selector, const std::vector<std::string>& namespaces,
                     const Tenant& tenant) {
  json match_labels = json::object();
  for (const auto& [k, v] : ObjectAt(selector, "matchLabels").items()) {
    match_labels[HostLabelKey(k)] = v;
  }
  match_labels[labels::kTenant] = tenant.name;
  match_labels[labels::kComponent] = labels::kComponentWorkload;
  json expressions = json::array();
  const json& virtual_expressions =
      selector.is_object() ? selector.value("matchExpressions", json::array()) : json::array();
  for (json e : virtual_expressions.is_array() ? virtual_expressions : json::array()) {
    if (!e.is_object() || !e.contains("key") || !e["key"].is_string()) continue;
    e["key"] = HostLabelKey(e["key"].get<std::string>());
    expressions.push_back(std::move(e));
  }
  if (namespaces.size() == 1) {
    match_labels[labels::kVirtualNamespaceLabel] = namespaces[0];
  } else if (!namespaces.empty()) {
    expressions.push_back(
        {{"key", labels::kVirtualNamespaceLabel}, {"operator", "In"}, {"values", namespaces}});
  }
  json out = {{"matchLabels", std::move(match_labels)}};
  if (!expressions.empty()) out["matchExpressions"] = std::move(expressions);
  return out;
}

// The namespaces a peer's namespaceSelector names by kubernetes.io/metadata.name; an empty
// list for {} (every namespace); nullopt for anything else.
std::optional<std::vector<std::string>> NamespacesNamed(const json& selector) {
  constexpr const char* kName = "kubernetes.io/metadata.name";
  const json& labels = ObjectAt(selector, "matchLabels");
  const json expressions =
      selector.is_object() ? selector.value("matchExpressions", json::array()) : json::array();
  std::vector<std::string> names;
  for (const auto& [k, v] : labels.items()) {
    if (k != kName || !v.is_string()) return std::nullopt;
    names.push_back(v.get<std::string>());
  }
  if (!expressions.is_array()) return std::nullopt;
  for (const auto& e : expressions) {
    if (!e.is_object() || e.value("key", "") != kName || e.value("operator", "") != "In" ||
        !e.contains("values") || !e["values"].is_array() || !names.empty()) {
      return std::nullopt;
    }
    for (const auto& v : e["values"]) {
      if (!v.is_string()) return std::nullopt;
      names.push_back(v.get<std::string>());
    }
  }
  return names;
}

json NoPod() { return {{"podSelector", {{"matchLabels", {{kMatchesNoPod, "true"}}}}}}; }

json HostPeer(const json& peer, const std::string& ns, const Tenant& tenant) {
  if (!peer.is_object()) return NoPod();
  if (peer.contains("ipBlock")) return {{"ipBlock", peer["ipBlock"]}};
  std::vector<std::string> namespaces = {ns};
  if (peer.contains("namespaceSelector")) {
    auto named = NamespacesNamed(peer["namespaceSelector"]);
    if (!named) return NoPod();
    namespaces = *named;
  }
  return {{"podSelector", HostPodSelector(ObjectAt(peer, "podSelector"), namespaces, tenant)}};
}

json HostRules(const json& rules, const char* peers_key, const std::string& ns,
               const Tenant& tenant) {
  json out = json::array();
  for (const auto& rule : rules.is_array() ? rules : json::array()) {
    if (!rule.is_object()) continue;
    json host_rule = json::object();
    if (rule.contains("ports")) host_rule["ports"] = rule["ports"];
    if (rule.contains(peers_key) && rule[peers_key].is_array() && !rule[peers_key].empty()) {
      json peers = json::array();
      for (const auto& peer : rule[peers_key]) peers.push_back(HostPeer(peer, ns, tenant));
      host_rule[peers_key] = std::move(peers);
    }
    out.push_back(std::move(host_rule));
  }
  return out;
}

// As the API server defaults them (the host copy then never differs from what it stores).
json PolicyTypes(const json& spec) {
  if (spec.contains("policyTypes") && spec["policyTypes"].is_array()) return spec["policyTypes"];
  json types = {"Ingress"};
  if (spec.contains("egress")) types.push_back("Egress");
  return types;
}

}  // namespace

json TranslateNetworkPolicy(const json& v, const Tenant& tenant) {
  const json& spec = ObjectAt(v, "spec");
  const std::string ns = ObjectAt(v, "metadata").value("namespace", "");
  json host_spec = {{"podSelector", HostPodSelector(ObjectAt(spec, "podSelector"), {ns}, tenant)},
                    {"policyTypes", PolicyTypes(spec)},
                    {"ingress", json()},
                    {"egress", json()}};
  if (spec.contains("ingress"))
    host_spec["ingress"] = HostRules(spec["ingress"], "from", ns, tenant);
  if (spec.contains("egress")) host_spec["egress"] = HostRules(spec["egress"], "to", ns, tenant);
  return {{"apiVersion", "networking.k8s.io/v1"},
          {"kind", "NetworkPolicy"},
          {"metadata", HostMetadata(v, tenant)},
          {"spec", std::move(host_spec)}};
}

}  // namespace vc::syncer::translate
