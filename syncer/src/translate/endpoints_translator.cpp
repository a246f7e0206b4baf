// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/translate/endpoints_translator.h"

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

void TranslateAddresses(json* addresses, const std::string& ns, const Tenant& tenant) {
  if (!addresses->is_array()) return;
  for (auto& address : *addresses) {
    if (!address.is_object() || !address.contains("targetRef")) continue;
    json& ref = address["targetRef"];
    if (!ref.is_object() || ref.value("kind", "") != "Pod") {
      address.erase("targetRef");
      continue;
    }
    const std::string pod_ns = ref.value("namespace", "");
    ref["name"] = HostName(ref.value("name", ""), pod_ns.empty() ? ns : pod_ns, tenant.name);
    ref["namespace"] = tenant.host_namespace;
    // The virtual pod's: the host pod has its own, and nothing routes by them.
    ref.erase("uid");
    ref.erase("resourceVersion");
  }
}

}  // namespace

bool SyncsEndpoints(const json& virtual_service, const SyncConfig& config) {
  const json& meta = ObjectAt(virtual_service, "metadata");
  if (meta.value("namespace", "") == "default" && meta.value("name", "") == "kubernetes") {
    return false;
  }
  if (!ObjectAt(ObjectAt(virtual_service, "spec"), "selector").empty()) return false;
  return ServiceRefusal(virtual_service, config).empty();
}

json TranslateEndpoints(const json& v, const Tenant& tenant) {
  const std::string ns = ObjectAt(v, "metadata").value("namespace", "");
  json out = {{"apiVersion", "v1"}, {"kind", "Endpoints"}, {"metadata", HostMetadata(v, tenant)}};
  const json subsets = v.value("subsets", json::array());
  if (subsets.is_array() && !subsets.empty()) {
    out["subsets"] = subsets;
    for (auto& subset : out["subsets"]) {
      if (!subset.is_object()) continue;
      for (const char* key : {"addresses", "notReadyAddresses"}) {
        if (subset.contains(key)) TranslateAddresses(&subset[key], ns, tenant);
      }
    }
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
                                const Tenant& tenant) {
  using Action = EndpointsPlan::Action;
  const bool wanted = virtual_service && !Deleting(*virtual_service) && virtual_endpoints &&
                      !Deleting(*virtual_endpoints) && SyncsEndpoints(*virtual_service, config);
  if (!wanted) {
    if (host_endpoints && IsSyncedEndpoints(*host_endpoints)) return {Action::kDelete, json()};
    return {};
  }
  json want = TranslateEndpoints(*virtual_endpoints, tenant);
  if (!host_endpoints) return {Action::kCreate, std::move(want)};
  // The host controller's Endpoints of a Service that had a selector until now: they would
  // keep its labels and stale addresses under a patch.
  if (!IsSyncedEndpoints(*host_endpoints)) return {Action::kReplace, std::move(want)};
  // Subsets as a whole: a merge patch replaces the array (null removes it).
  json patch = HostObjectPatch(want, *host_endpoints, {"subsets"});
  if (patch.is_null()) return {};
  return {Action::kPatch, std::move(patch)};
}

}  // namespace vc::syncer::translate
