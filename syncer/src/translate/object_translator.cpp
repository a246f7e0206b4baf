// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/translate/object_translator.h"

#include <algorithm>
#include <set>

namespace vc::syncer::translate {

using nlohmann::json;

json TranslateDataObject(const json& v, const Tenant& tenant) {
  json out = {{"apiVersion", "v1"},
              {"kind", v.value("kind", "ConfigMap")},
              {"metadata", HostMetadata(v, tenant)}};
  for (const char* key : {"data", "binaryData", "type", "immutable"}) {
    if (v.contains(key)) out[key] = v[key];
  }
  // A service-account-token Secret of the virtual cluster would make the host's token
  // controller fill it with a *host* token: copy it as Opaque.
  if (out.value("type", "") == "kubernetes.io/service-account-token") out["type"] = "Opaque";
  return out;
}

json TranslatePriorityClass(const json& v, const Tenant& tenant) {
  json meta = HostMetadata(v, tenant);
  meta["name"] = HostClusterName(ObjectAt(v, "metadata").value("name", ""), tenant);
  meta.erase("namespace");
  json out = {{"apiVersion", "scheduling.k8s.io/v1"},
              {"kind", "PriorityClass"},
              {"metadata", meta},
              {"value", v.value("value", 0)},
              {"globalDefault", false}};
  for (const char* key : {"preemptionPolicy", "description"}) {
    if (v.contains(key)) out[key] = v[key];
  }
  return out;
}

bool SyncsPriorityClass(const json& v) {
  return !SystemPriorityClass(ObjectAt(v, "metadata").value("name", ""));
}

json TranslatePvc(const json& v, const Tenant& tenant) {
  json spec = v.value("spec", json::object());
  spec.erase("volumeName");
  return {{"apiVersion", "v1"},
          {"kind", "PersistentVolumeClaim"},
          {"metadata", HostMetadata(v, tenant)},
          {"spec", spec}};
}

json TranslateService(const json& v, const Tenant& tenant, const SyncConfig& config) {
  json spec = v.value("spec", json::object());
  const std::string ns = ObjectAt(v, "metadata").value("namespace", "");
  const bool headless = spec.value("clusterIP", "") == "None";
  for (const char* key : {"clusterIP", "clusterIPs", "healthCheckNodePort"}) spec.erase(key);
  if (headless) spec["clusterIP"] = "None";
  // A LoadBalancer also opens a port on every host node, unless told not to: only where the
  // values allow NodePort too.
  if (spec.value("type", "") == "LoadBalancer" &&
      std::find(config.service_types.begin(), config.service_types.end(), "NodePort") ==
          config.service_types.end()) {
    spec["allocateLoadBalancerNodePorts"] = false;
    if (spec.contains("ports") && spec["ports"].is_array()) {
      for (auto& p : spec["ports"]) {
        if (p.is_object()) p.erase("nodePort");
      }
    }
  }
  if (spec.contains("selector") && spec["selector"].is_object() && !spec["selector"].empty()) {
    spec["selector"] = HostSelector(spec["selector"], ns, tenant);
  } else {
    // Explicitly none: a selector the virtual Service dropped must go from the host one too,
    // or the host's endpoints controller keeps overwriting the Endpoints synced for it.
    spec["selector"] = nullptr;
  }
  return {{"apiVersion", "v1"},
          {"kind", "Service"},
          {"metadata", HostMetadata(v, tenant)},
          {"spec", spec}};
}

std::optional<json> HostNodePorts(const json& virtual_service, const json& host_service) {
  const json& vspec = ObjectAt(virtual_service, "spec");
  const json& hspec = ObjectAt(host_service, "spec");
  if (!vspec.contains("ports") || !vspec["ports"].is_array() || !hspec.contains("ports") ||
      !hspec["ports"].is_array() || vspec["ports"].size() != hspec["ports"].size()) {
    return std::nullopt;
  }
  json ports = vspec["ports"];
  bool changed = false;
  for (size_t i = 0; i < ports.size(); ++i) {
    const json& hp = hspec["ports"][i];
    if (!ports[i].is_object() || !hp.is_object() || !hp.contains("nodePort")) continue;
    if (ports[i].value("nodePort", json()) == hp["nodePort"]) continue;
    ports[i]["nodePort"] = hp["nodePort"];
    changed = true;
  }
  if (!changed) return std::nullopt;
  return ports;
}

namespace {

// A backend names a Service or (spec.*.backend.resource) any object of the Ingress's
// namespace: on the host both become the tenant's own copies' names, never a raw name that
// could be an object of the control plane's namespace.
void RewriteBackend(json* backend, const std::string& ns, const Tenant& tenant) {
  for (const char* ref : {"service", "resource"}) {
    if (backend->contains(ref) && (*backend)[ref].is_object() && (*backend)[ref].contains("name") &&
        (*backend)[ref]["name"].is_string()) {
      (*backend)[ref]["name"] =
          HostName((*backend)[ref]["name"].get<std::string>(), ns, tenant.name);
    }
  }
}

}  // namespace

std::string IngressAnnotationSecret(const std::string& value, const std::string& ns) {
  const auto slash = value.find('/');
  if (slash == std::string::npos) return value;
  return value.substr(0, slash) == ns ? value.substr(slash + 1) : std::string();
}

json TranslateIngress(const json& v, const Tenant& tenant) {
  json spec = v.value("spec", json::object());
  const std::string ns = ObjectAt(v, "metadata").value("namespace", "");
  if (spec.contains("defaultBackend")) RewriteBackend(&spec["defaultBackend"], ns, tenant);
  if (spec.contains("rules")) {
    for (auto& rule : spec["rules"]) {
      if (!rule.contains("http") || !rule["http"].contains("paths")) continue;
      for (auto& path : rule["http"]["paths"]) {
        if (path.contains("backend")) RewriteBackend(&path["backend"], ns, tenant);
      }
    }
  }
  if (spec.contains("tls")) {
    for (auto& tls : spec["tls"]) {
      if (tls.is_object() && tls.contains("secretName") && tls["secretName"].is_string()) {
        tls["secretName"] = HostName(tls["secretName"].get<std::string>(), ns, tenant.name);
      }
    }
  }
  // What the tenant removed goes on the host too (only the keys a patch names are compared).
  // Not ingressClassName: the host's admission may have given the copy its default class.
  for (const char* key : {"defaultBackend", "rules", "tls"}) {
    if (!spec.contains(key)) spec[key] = nullptr;
  }
  json meta = HostMetadata(v, tenant);
  // The host's controller reads a Secret an annotation names in the host namespace, where the
  // control plane's Secrets are: it gets the tenant's copy, by its host namespace and name.
  for (const char* key : kIngressSecretAnnotations) {
    const json& value = ObjectAt(meta, "annotations").value(key, json());
    if (!value.is_string() || value.get<std::string>().empty()) continue;
    const std::string name = IngressAnnotationSecret(value.get<std::string>(), ns);
    meta["annotations"][key] =
        name.empty() ? json("")
                     : json(tenant.host_namespace + "/" + HostName(name, ns, tenant.name));
  }
  return {{"apiVersion", "networking.k8s.io/v1"},
          {"kind", "Ingress"},
          {"metadata", meta},
          {"spec", spec}};
}

namespace {

// The host's disruption controller counts only pods with a controller for maxUnavailable and
// percentages, and host pods have none (their controllers are the virtual cluster's): such a
// budget would allow every eviction on the host. So the host gets a number: minAvailable as
// given, else the virtual budget's desiredHealthy, which the virtual cluster's disruption
// controller works out from the virtual controllers' scale. Until it has, 0.
int64_t HostMinAvailable(const json& v) {
  const json& spec = ObjectAt(v, "spec");
  if (spec.contains("minAvailable") && spec["minAvailable"].is_number_integer()) {
    return std::max<int64_t>(0, spec["minAvailable"].get<int64_t>());
  }
  const json& status = ObjectAt(v, "status");
  const json& generation = ObjectAt(v, "metadata").value("generation", json());
  if (status.contains("desiredHealthy") && status["desiredHealthy"].is_number_integer() &&
      status.value("observedGeneration", json()) == generation) {
    return std::max<int64_t>(0, status["desiredHealthy"].get<int64_t>());
  }
  return 0;
}

}  // namespace

json TranslatePodDisruptionBudget(const json& v, const Tenant& tenant) {
  const json& spec = ObjectAt(v, "spec");
  const std::string ns = ObjectAt(v, "metadata").value("namespace", "");
  json host_spec = {
      {"minAvailable", HostMinAvailable(v)},
      {"maxUnavailable", nullptr},
      {"unhealthyPodEvictionPolicy",
       spec.contains("unhealthyPodEvictionPolicy") ? spec["unhealthyPodEvictionPolicy"] : json()}};
  if (spec.contains("selector") && spec["selector"].is_object()) {
    const json& selector = spec["selector"];
    json host_selector = {
        {"matchLabels", HostSelector(ObjectAt(selector, "matchLabels"), ns, tenant)}};
    if (selector.contains("matchExpressions") && selector["matchExpressions"].is_array()) {
      json expressions = json::array();
      for (json e : selector["matchExpressions"]) {
        if (!e.is_object() || !e.contains("key") || !e["key"].is_string()) continue;
        e["key"] = HostLabelKey(e["key"].get<std::string>());
        expressions.push_back(std::move(e));
      }
      host_selector["matchExpressions"] = std::move(expressions);
    }
    host_spec["selector"] = std::move(host_selector);
  } else {
    host_spec["selector"] = json();
  }
  return {{"apiVersion", "policy/v1"},
          {"kind", "PodDisruptionBudget"},
          {"metadata", HostMetadata(v, tenant)},
          {"spec", std::move(host_spec)}};
}

std::vector<std::string> IngressSecrets(const json& v) {
  std::vector<std::string> out;
  const json& meta = ObjectAt(v, "metadata");
  for (const char* key : kIngressSecretAnnotations) {
    const json& value = ObjectAt(meta, "annotations").value(key, json());
    if (!value.is_string()) continue;
    const std::string name =
        IngressAnnotationSecret(value.get<std::string>(), meta.value("namespace", ""));
    if (!name.empty()) out.push_back(name);
  }
  const json& tls = ObjectAt(v, "spec").contains("tls") ? ObjectAt(v, "spec")["tls"] : json();
  if (!tls.is_array()) return out;
  for (const auto& entry : tls) {
    auto it = entry.is_object() ? entry.find("secretName") : entry.end();
    if (it != entry.end() && it->is_string() && !it->get<std::string>().empty()) {
      out.push_back(it->get<std::string>());
    }
  }
  return out;
}

namespace {

// The merge patch that turns `have` into `want` exactly: changed keys set, missing ones null.
json ReplacingDiff(const json& want, const json& have) {
  json diff = json::object();
  for (const auto& [k, v] : want.items()) {
    if (v.is_object() && have.contains(k) && have[k].is_object()) {
      if (json nested = ReplacingDiff(v, have[k]); !nested.empty()) diff[k] = std::move(nested);
    } else if (!have.contains(k) || have[k] != v) {
      diff[k] = v;
    }
  }
  for (const auto& [k, v] : have.items()) {
    if (!want.contains(k)) diff[k] = nullptr;
  }
  return diff;
}

}  // namespace

namespace {

// "*" stands for every top-level field either side has but apiVersion, kind, metadata and
// status (a custom resource's fields are the CRD's).
std::vector<std::string> ExpandFields(const json& want, const json& host,
                                      const std::vector<std::string>& fields) {
  if (std::find(fields.begin(), fields.end(), "*") == fields.end()) return fields;
  std::set<std::string> all;
  for (const json* side : {&want, &host}) {
    if (!side->is_object()) continue;
    for (const auto& [k, v] : side->items()) {
      if (k != "apiVersion" && k != "kind" && k != "metadata" && k != "status") all.insert(k);
    }
  }
  return {all.begin(), all.end()};
}

}  // namespace

json HostObjectPatch(const json& want, const json& host, const std::vector<std::string>& listed) {
  const std::vector<std::string> fields = ExpandFields(want, host, listed);
  json patch = json::object();
  const json& wm = ObjectAt(want, "metadata");
  const json& hm = ObjectAt(host, "metadata");
  for (const char* key : {"labels", "annotations"}) {
    json diff = json::object();
    for (const auto& [k, v] : ObjectAt(wm, key).items()) {
      if (!ObjectAt(hm, key).contains(k) || ObjectAt(hm, key)[k] != v) diff[k] = v;
    }
    if (!diff.empty()) patch["metadata"][key] = diff;
  }
  for (const auto& f : fields) {
    const json w = want.contains(f) ? want[f] : json();
    const json h = host.contains(f) ? host[f] : json();
    if (w == h) continue;
    if (f == "spec" && w.is_object() && h.is_object()) {
      // Only the keys we set: the host fills in defaults (clusterIP, sessionAffinity...) that
      // must not be patched away.
      json diff = json::object();
      for (const auto& [k, v] : w.items()) {
        if (k == "selector" && v.is_object() && h.contains(k) && h[k].is_object()) {
          // A selector is ours whole: what the virtual object dropped goes. (Other maps the host
          // may default inside, so only the keys we set are compared.)
          if (json nested = ReplacingDiff(v, h[k]); !nested.empty()) diff[k] = std::move(nested);
          continue;
        }
        // null asks for the key to be absent, which an absent key already is.
        if (v.is_null() ? h.contains(k) && !h[k].is_null() : !h.contains(k) || h[k] != v) {
          diff[k] = v;
        }
      }
      if (!diff.empty()) patch[f] = diff;
    } else if (w.is_object() && h.is_object()) {
      patch[f] = ReplacingDiff(w, h);  // data: a key the virtual object dropped goes
    } else {
      patch[f] = w;  // null deletes under a merge patch
    }
  }
  return patch.empty() ? json() : patch;
}

}  // namespace vc::syncer::translate
