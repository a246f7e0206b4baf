// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/translate/endpoints_translator.h"

#include <algorithm>

#include "vc/labels.h"
#include "vc/syncer/translate/object_translator.h"

namespace vc::syncer::translate {

using nlohmann::json;

namespace {

// What the host's endpoints controller labels the Endpoints it manages with
// (k8s.io/kubernetes pkg/controller/endpoint: LabelManagedBy, ControllerName).
constexpr const char* kEndpointsManagedBy = "endpoints.kubernetes.io/managed-by";
constexpr const char* kEndpointsController = "endpoint-controller";

bool Deleting(const json& o) { return o.contains("/metadata/deletionTimestamp"_json_pointer); }

constexpr const char* kServiceNameLabel = "kubernetes.io/service-name";
constexpr const char* kSliceManagedBy = "endpointslice.kubernetes.io/managed-by";
constexpr const char* kSyncerManager = "vc-syncer.kubectl-vc.dev";

// A targetRef to a Pod names the host pod (the tenant's namespace of it, or `ns`); any other
// targetRef names a virtual object the host does not have, and goes.
void TranslateTargetRef(json* holder, const std::string& ns, const Tenant& tenant) {
  if (!holder->is_object() || !holder->contains("targetRef")) return;
  json& ref = (*holder)["targetRef"];
  if (!ref.is_object() || ref.value("kind", "") != "Pod") {
    holder->erase("targetRef");
    return;
  }
  const std::string pod_ns = ref.value("namespace", "");
  ref["name"] = HostName(ref.value("name", ""), pod_ns.empty() ? ns : pod_ns, tenant.name);
  ref["namespace"] = tenant.host_namespace;
  // The virtual pod's: the host pod has its own, and nothing routes by them.
  ref.erase("uid");
  ref.erase("resourceVersion");
}

void TranslateAddresses(json* addresses, const std::string& ns, const Tenant& tenant,
                        const EndpointAddressFilter& filter) {
  if (!addresses->is_array()) return;
  json kept = json::array();
  for (auto& address : *addresses) {
    if (!address.is_object() || !address.contains("ip") || !address["ip"].is_string() ||
        !filter.Allows(address["ip"].get<std::string>())) {
      continue;
    }
    kept.push_back(std::move(address));
  }
  *addresses = std::move(kept);
  for (auto& address : *addresses) TranslateTargetRef(&address, ns, tenant);
}

}  // namespace

EndpointAddressFilter FilterForTrustLevel(const SyncConfig& config,
                                          std::set<std::string> own_pod_ips) {
  EndpointAddressFilter filter;
  filter.any = config.trust_level == "high";
  filter.own_pod_ips = std::move(own_pod_ips);
  return filter;
}

std::vector<std::string> RefusedEndpointAddresses(const json& v,
                                                  const EndpointAddressFilter& filter) {
  std::vector<std::string> out;
  const json subsets = v.value("subsets", json::array());
  if (!subsets.is_array()) return out;
  for (const json& subset : subsets) {
    if (!subset.is_object()) continue;
    for (const char* key : {"addresses", "notReadyAddresses"}) {
      const json list = subset.value(key, json::array());
      if (!list.is_array()) continue;
      for (const json& address : list) {
        const std::string ip =
            address.is_object() && address.contains("ip") && address["ip"].is_string()
                ? address["ip"].get<std::string>()
                : std::string();
        if (filter.Allows(ip) && !ip.empty()) continue;
        const std::string shown = ip.empty() ? "(no ip)" : ip;
        if (std::find(out.begin(), out.end(), shown) == out.end()) out.push_back(shown);
      }
    }
  }
  return out;
}

bool SyncsEndpoints(const json& virtual_service, const SyncConfig& config) {
  const json& meta = ObjectAt(virtual_service, "metadata");
  if (meta.value("namespace", "") == "default" && meta.value("name", "") == "kubernetes") {
    return false;
  }
  if (!ObjectAt(ObjectAt(virtual_service, "spec"), "selector").empty()) return false;
  return ServiceRefusal(virtual_service, config).empty();
}

json TranslateEndpoints(const json& v, const Tenant& tenant, const EndpointAddressFilter& filter) {
  const std::string ns = ObjectAt(v, "metadata").value("namespace", "");
  json out = {{"apiVersion", "v1"}, {"kind", "Endpoints"}, {"metadata", HostMetadata(v, tenant)}};
  const json subsets = v.value("subsets", json::array());
  if (subsets.is_array() && !subsets.empty()) {
    json kept = json::array();
    for (json subset : subsets) {
      if (!subset.is_object()) continue;
      bool any = false;
      for (const char* key : {"addresses", "notReadyAddresses"}) {
        if (!subset.contains(key)) continue;
        TranslateAddresses(&subset[key], ns, tenant, filter);
        if (subset[key].empty()) {
          subset.erase(key);
        } else {
          any = true;
        }
      }
      // The API refuses a subset without addresses.
      if (any) kept.push_back(std::move(subset));
    }
    if (!kept.empty()) out["subsets"] = std::move(kept);
  }
  return out;
}

json RecreatedEndpoints(const json& v) {
  const json& meta = ObjectAt(v, "metadata");
  json out_meta = {{"name", meta.value("name", "")}, {"namespace", meta.value("namespace", "")}};
  for (const char* key : {"labels", "annotations"}) {
    if (!ObjectAt(meta, key).empty()) out_meta[key] = ObjectAt(meta, key);
  }
  json out = {{"apiVersion", "v1"}, {"kind", "Endpoints"}, {"metadata", std::move(out_meta)}};
  if (v.contains("subsets")) out["subsets"] = v["subsets"];
  return out;
}

bool IsSyncedEndpoints(const json& host_endpoints) {
  const json& meta = ObjectAt(host_endpoints, "metadata");
  return !VirtualKeyOf(host_endpoints).empty() &&
         ObjectAt(meta, "labels").value(kEndpointsManagedBy, "") != kEndpointsController;
}

EndpointsPlan PlanHostEndpoints(const std::optional<json>& virtual_service,
                                const std::optional<json>& virtual_endpoints,
                                const std::optional<json>& host_endpoints, const SyncConfig& config,
                                const Tenant& tenant, const EndpointAddressFilter& filter) {
  using Action = EndpointsPlan::Action;
  const bool wanted = virtual_service && !Deleting(*virtual_service) && virtual_endpoints &&
                      !Deleting(*virtual_endpoints) && SyncsEndpoints(*virtual_service, config);
  if (!wanted) {
    if (host_endpoints && IsSyncedEndpoints(*host_endpoints)) return {Action::kDelete, json()};
    return {};
  }
  json want = TranslateEndpoints(*virtual_endpoints, tenant, filter);
  if (!host_endpoints) return {Action::kCreate, std::move(want)};
  // The host controller's Endpoints of a Service that had a selector until now: they would
  // keep its labels and stale addresses under a patch.
  if (!IsSyncedEndpoints(*host_endpoints)) return {Action::kReplace, std::move(want)};
  // Subsets as a whole: a merge patch replaces the array (null removes it).
  json patch = HostObjectPatch(want, *host_endpoints, {"subsets"});
  if (patch.is_null()) return {};
  return {Action::kPatch, std::move(patch)};
}

bool SyncsEndpointSlice(const json& v) {
  const json& labels = ObjectAt(ObjectAt(v, "metadata"), "labels");
  if (!labels.contains(kServiceNameLabel) || !labels[kServiceNameLabel].is_string() ||
      labels[kServiceNameLabel].get<std::string>().empty()) {
    return false;
  }
  const std::string manager =
      labels.contains(kSliceManagedBy) && labels[kSliceManagedBy].is_string()
          ? labels[kSliceManagedBy].get<std::string>()
          : std::string();
  return manager != "endpointslice-controller.k8s.io" &&
         manager != "endpointslicemirroring-controller.k8s.io" && manager != kSyncerManager;
}

std::string EndpointSliceRefusal(const json& /*virtual_slice*/, const SyncConfig& config) {
  if (config.trust_level == "high") return "";
  return "an EndpointSlice written by hand reaches the host only at trust level high "
         "(isolation.trustLevel is " +
         config.trust_level +
         "): write Endpoints instead, whose addresses are checked against your own pods";
}

json TranslateEndpointSlice(const json& v, const Tenant& tenant) {
  const json& meta = ObjectAt(v, "metadata");
  const std::string ns = meta.value("namespace", "");
  json host_meta = HostMetadata(v, tenant);
  const std::string service = ObjectAt(meta, "labels").value(kServiceNameLabel, "");
  host_meta["labels"][kServiceNameLabel] = HostName(service, ns, tenant.name);
  host_meta["labels"][kSliceManagedBy] = kSyncerManager;
  json out = {{"apiVersion", "discovery.k8s.io/v1"},
              {"kind", "EndpointSlice"},
              {"metadata", std::move(host_meta)},
              {"addressType", v.value("addressType", "IPv4")},
              {"endpoints", json::array()}};
  if (v.contains("ports")) out["ports"] = v["ports"];
  for (json endpoint : v.value("endpoints", json::array())) {
    if (!endpoint.is_object()) continue;
    TranslateTargetRef(&endpoint, ns, tenant);
    out["endpoints"].push_back(std::move(endpoint));
  }
  return out;
}

}  // namespace vc::syncer::translate
