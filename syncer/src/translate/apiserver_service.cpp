// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/translate/apiserver_service.h"

#include <algorithm>

#include "vc/syncer/translate/names.h"

namespace vc::syncer::translate {

using nlohmann::json;

namespace {

constexpr const char* kServiceNameLabel = "kubernetes.io/service-name";
constexpr const char* kManagedByLabel = "endpointslice.kubernetes.io/managed-by";
constexpr const char* kManagedBy = "vc-syncer.kubectl-vc.dev";
constexpr const char* kSkipMirrorLabel = "endpointslice.kubernetes.io/skip-mirror";

json ArrayAt(const json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_array() ? j[key] : json::array();
}

json Ports(const ApiServerAddresses& a) {
  return json::array({{{"name", "https"}, {"port", a.port}, {"protocol", "TCP"}}});
}

// Whether `have` says everything `want` says: objects by key (the server adds defaults, such
// as conditions.serving), arrays element by element, anything else equal.
bool Carries(const json& have, const json& want) {
  if (want.is_object()) {
    if (!have.is_object()) return false;
    for (const auto& [k, v] : want.items()) {
      if (!have.contains(k) || !Carries(have[k], v)) return false;
    }
    return true;
  }
  if (want.is_array()) {
    if (!have.is_array() || have.size() != want.size()) return false;
    for (size_t i = 0; i < want.size(); ++i) {
      if (!Carries(have[i], want[i])) return false;
    }
    return true;
  }
  return have == want;
}

}  // namespace

std::optional<json> ApiServerServiceAt(const json& current, const std::string& cluster_ip) {
  const json& spec = ObjectAt(current, "spec");
  if (spec.value("clusterIP", "") == cluster_ip) return std::nullopt;
  const json& meta = ObjectAt(current, "metadata");
  json want_spec = {{"clusterIP", cluster_ip},
                    {"clusterIPs", json::array({cluster_ip})},
                    {"ipFamilyPolicy", "SingleStack"},
                    {"type", spec.value("type", "ClusterIP")},
                    {"sessionAffinity", spec.value("sessionAffinity", "None")},
                    {"ports", ArrayAt(spec, "ports")}};
  // A NodePort the API server was told to use (--kubernetes-service-node-port) stays; any
  // other node port is the virtual allocator's and is picked again.
  return json{{"apiVersion", "v1"},
              {"kind", "Service"},
              {"metadata",
               {{"name", kApiServerServiceName},
                {"namespace", kApiServerServiceNamespace},
                {"labels", ObjectAt(meta, "labels")}}},
              {"spec", std::move(want_spec)}};
}

ApiServerAddresses ApiServerAddressesFrom(const std::vector<json>& host_slices) {
  ApiServerAddresses out;
  for (const json& slice : host_slices) {
    if (slice.value("addressType", "") != "IPv4" && slice.value("addressType", "") != "IPv6") {
      continue;  // FQDN slices name no address
    }
    for (const json& endpoint : ArrayAt(slice, "endpoints")) {
      if (ObjectAt(endpoint, "conditions").value("terminating", false)) continue;
      for (const json& ip : ArrayAt(endpoint, "addresses")) {
        if (ip.is_string()) out.ips.push_back(ip.get<std::string>());
      }
    }
    for (const json& port : ArrayAt(slice, "ports")) {
      if (!port.is_object() || !port.contains("port") || !port["port"].is_number_integer()) {
        continue;
      }
      if (port.value("name", "") == "https" || out.port == 0) out.port = port["port"].get<int>();
    }
  }
  std::sort(out.ips.begin(), out.ips.end());
  out.ips.erase(std::unique(out.ips.begin(), out.ips.end()), out.ips.end());
  return out;
}

json ApiServerEndpoints(const ApiServerAddresses& a) {
  json addresses = json::array();
  for (const auto& ip : a.ips) addresses.push_back({{"ip", ip}});
  return {{"apiVersion", "v1"},
          {"kind", "Endpoints"},
          {"metadata",
           {{"name", kApiServerServiceName},
            {"namespace", kApiServerServiceNamespace},
            {"labels", {{kSkipMirrorLabel, "true"}}}}},
          {"subsets", json::array({{{"addresses", addresses}, {"ports", Ports(a)}}})}};
}

json ApiServerEndpointSlice(const ApiServerAddresses& a) {
  json endpoints = json::array();
  for (const auto& ip : a.ips) {
    endpoints.push_back({{"addresses", json::array({ip})}, {"conditions", {{"ready", true}}}});
  }
  const bool v6 = !a.ips.empty() && a.ips.front().find(':') != std::string::npos;
  return {
      {"apiVersion", "discovery.k8s.io/v1"},
      {"kind", "EndpointSlice"},
      {"metadata",
       {{"name", kApiServerServiceName},
        {"namespace", kApiServerServiceNamespace},
        {"labels", {{kServiceNameLabel, kApiServerServiceName}, {kManagedByLabel, kManagedBy}}}}},
      {"addressType", v6 ? "IPv6" : "IPv4"},
      {"endpoints", endpoints},
      {"ports", Ports(a)}};
}

bool ApiServerEndpointsCurrent(const json& current, const json& want) {
  const json labels = {{"labels", ObjectAt(ObjectAt(want, "metadata"), "labels")}};
  if (!Carries(ObjectAt(current, "metadata"), labels)) return false;
  for (const char* field : {"subsets", "endpoints", "ports", "addressType"}) {
    if (want.contains(field) &&
        (!current.contains(field) || !Carries(current[field], want[field]))) {
      return false;
    }
  }
  return true;
}

}  // namespace vc::syncer::translate
