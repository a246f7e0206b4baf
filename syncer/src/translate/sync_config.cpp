// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/translate/sync_config.h"

#include "vc/duration.h"

namespace vc::syncer::translate {

using nlohmann::json;

namespace {

const json& At(const json& values, const char* pointer) {
  static const json kNull;
  const json::json_pointer p(pointer);
  return values.is_object() && values.contains(p) ? values.at(p) : kNull;
}

bool Bool(const json& values, const char* pointer, bool fallback) {
  const json& v = At(values, pointer);
  return v.is_boolean() ? v.get<bool>() : fallback;
}

std::string Str(const json& values, const char* pointer, const std::string& fallback) {
  const json& v = At(values, pointer);
  return v.is_string() ? v.get<std::string>() : fallback;
}

std::map<std::string, std::string> StringMap(const json& v) {
  std::map<std::string, std::string> out;
  if (!v.is_object()) return out;
  for (const auto& [k, x] : v.items()) {
    if (x.is_string()) out[k] = x.get<std::string>();
  }
  return out;
}

json Array(const json& values, const char* pointer) {
  const json& v = At(values, pointer);
  return v.is_array() ? v : json::array();
}

}  // namespace

Toleration ParseToleration(const std::string& text) {
  Toleration t;
  std::string rest = text;
  if (auto colon = rest.rfind(':'); colon != std::string::npos) {
    t.effect = rest.substr(colon + 1);
    rest = rest.substr(0, colon);
  }
  if (auto eq = rest.find('='); eq != std::string::npos) {
    t.key = rest.substr(0, eq);
    t.value = rest.substr(eq + 1);
  } else {
    t.key = rest;
    t.op = "Exists";
  }
  return t;
}

SyncConfig SyncConfigFromValues(const json& v) {
  SyncConfig c;
  c.pods = Bool(v, "/sync/toHost/pods/enabled", true);
  c.services = Bool(v, "/sync/toHost/services/enabled", true);
  c.endpoints = Bool(v, "/sync/toHost/endpoints/enabled", true);
  c.ingresses = Bool(v, "/sync/toHost/ingresses/enabled", false);
  c.config_maps = Bool(v, "/sync/toHost/configMaps/enabled", true);
  c.config_maps_all = Bool(v, "/sync/toHost/configMaps/all", false);
  c.secrets = Bool(v, "/sync/toHost/secrets/enabled", true);
  c.secrets_all = Bool(v, "/sync/toHost/secrets/all", false);
  c.pvcs = Bool(v, "/sync/toHost/persistentVolumeClaims/enabled", true);
  for (const auto& t : Array(v, "/sync/toHost/pods/enforceTolerations")) {
    if (t.is_string()) c.enforce_tolerations.push_back(ParseToleration(t.get<std::string>()));
  }
  if (Bool(v, "/sync/fromHost/nodes/enabled", false)) {
    c.nodes = Bool(v, "/sync/fromHost/nodes/selector/all", false) ? NodeSyncMode::kAll
                                                                  : NodeSyncMode::kSelected;
    c.node_selector = StringMap(At(v, "/sync/fromHost/nodes/selector/labels"));
  }
  c.events = Bool(v, "/sync/fromHost/events/enabled", true);
  c.ingress_classes = Bool(v, "/sync/fromHost/ingressClasses/enabled", false);
  c.runtime_classes = Bool(v, "/sync/fromHost/runtimeClasses/enabled", false);
  c.storage_classes = Bool(v, "/sync/fromHost/storageClasses/enabled", false);
  c.csi_drivers = Bool(v, "/sync/fromHost/csiDrivers/enabled", false);
  if (Bool(v, "/sync/fromHost/configMaps/enabled", false)) {
    c.config_map_mappings = StringMap(At(v, "/sync/fromHost/configMaps/mappings/byName"));
  }
  c.virtual_scheduler = Bool(v, "/controlPlane/advanced/virtualScheduler/enabled", false);
  c.trust_level = Str(v, "/isolation/trustLevel", "high");
  // Changing host nodes (which other tenants run on) is for a trusted tenant only; kubectl-vc
  // refuses the values below high, and a syncer given them anyway does not do it.
  c.node_sync_back = c.nodes != NodeSyncMode::kPseudo && c.trust_level == "high" &&
                     Bool(v, "/sync/fromHost/nodes/syncBackChanges", false);
  c.priority_classes =
      c.trust_level == "high" && Bool(v, "/sync/toHost/priorityClasses/enabled", false);
  c.pod_disruption_budgets =
      c.trust_level == "high" && Bool(v, "/sync/toHost/podDisruptionBudgets/enabled", false);
  c.host_priority_classes = c.trust_level == "high" && !c.priority_classes &&
                            Bool(v, "/sync/fromHost/priorityClasses/enabled", false);
  // Every host node's name and drivers' node IDs: honoured at trust high only.
  c.csi_nodes = c.trust_level == "high" && Bool(v, "/sync/fromHost/csiNodes/enabled", false);
  if (c.trust_level != "zero") {
    c.to_host_custom_resources = CustomResourcesFromValues(At(v, "/sync/toHost/customResources"));
    c.from_host_custom_resources =
        CustomResourcesFromValues(At(v, "/sync/fromHost/customResources"));
  }
  c.pod_security_standard = Str(v, "/policies/podSecurityStandard", "");
  c.dedicated_nodes = Bool(v, "/isolation/dedicatedNodes/enabled", false);
  c.dedicated_node_selector = StringMap(At(v, "/isolation/dedicatedNodes/nodeSelector"));
  const json& types = At(v, "/isolation/serviceTypes");
  if (types.is_array()) {
    c.service_types.clear();
    for (const auto& t : types) {
      if (t.is_string()) c.service_types.push_back(t.get<std::string>());
    }
  }
  c.replicate_services_to_host = Array(v, "/networking/replicateServices/toHost");
  c.replicate_services_from_host = Array(v, "/networking/replicateServices/fromHost");
  c.resolve_dns = Array(v, "/networking/resolveDNS");
  c.cluster_domain = Str(v, "/networking/advanced/clusterDomain", "cluster.local");
  c.manifests = Str(v, "/experimental/deploy/vcluster/manifests", "");
  if (Bool(v, "/sleepMode/enabled", false)) {
    c.sleep_after_inactivity = Str(v, "/sleepMode/autoSleep/afterInactivity", "");
  }
  return c;
}

std::chrono::milliseconds SyncConfig::sleep_after() const {
  if (sleep_after_inactivity.empty()) return std::chrono::milliseconds(0);
  auto parsed = ParseDuration("sleepMode.autoSleep.afterInactivity", sleep_after_inactivity);
  return parsed.ok() ? *parsed : std::chrono::milliseconds(0);
}

Status CheckSyncConfig(const SyncConfig& c) {
  auto known = [](const std::string& v, std::initializer_list<const char*> allowed) {
    for (const char* a : allowed) {
      if (v == a) return true;
    }
    return false;
  };
  if (!known(c.trust_level, {"high", "partial", "zero"})) {
    return InvalidArgument(
        "isolation.trustLevel \"" + c.trust_level +
        "\" is not one of high, partial, zero; the syncer does not start "
        "rather than guess (fix the values and run kubectl vc create --upgrade)");
  }
  if (!known(c.pod_security_standard, {"", "privileged", "baseline", "restricted"})) {
    return InvalidArgument("policies.podSecurityStandard \"" + c.pod_security_standard +
                           "\" is not one of privileged, baseline, restricted; the syncer does not "
                           "start rather than guess (fix the values and run kubectl vc create "
                           "--upgrade)");
  }
  for (const auto& t : c.service_types) {
    if (!known(t, {"ClusterIP", "NodePort", "LoadBalancer", "ExternalName"})) {
      return InvalidArgument("isolation.serviceTypes has \"" + t +
                             "\", not one of ClusterIP, NodePort, LoadBalancer, ExternalName; the "
                             "syncer does not start rather than guess (fix the values and run "
                             "kubectl vc create --upgrade)");
    }
  }
  for (const auto& cr : c.to_host_custom_resources)
    RETURN_IF_ERROR(CheckCustomResource(cr, "toHost"));
  for (const auto& cr : c.from_host_custom_resources) {
    RETURN_IF_ERROR(CheckCustomResource(cr, "fromHost"));
  }
  if (!c.sleep_after_inactivity.empty()) {
    auto parsed = ParseDuration("sleepMode.autoSleep.afterInactivity", c.sleep_after_inactivity);
    if (!parsed.ok() || parsed->count() < 1000) {
      return InvalidArgument("sleepMode.autoSleep.afterInactivity \"" + c.sleep_after_inactivity +
                             "\" is not a duration of a second or more; the syncer does not "
                             "start rather than guess (fix the values and run kubectl vc create "
                             "--upgrade)");
    }
  }
  return Status::Ok();
}

}  // namespace vc::syncer::translate
