// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/translate/pod_translator.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <set>

#include "vc/labels.h"
#include "vc/syncer/translate/dns_config.h"
#include "vc/syncer/translate/hosts_file.h"

namespace vc::syncer::translate {

using nlohmann::json;

namespace {

struct Rewriter {
  const std::string& ns;
  const Tenant& tenant;
  PodReferences* refs;

  std::string ConfigMap(const std::string& name) {
    refs->config_maps.insert(name);
    return HostName(name, ns, tenant.name);
  }
  std::string Secret(const std::string& name) {
    refs->secrets.insert(name);
    return HostName(name, ns, tenant.name);
  }
  std::string Pvc(const std::string& name) {
    refs->pvcs.insert(name);
    return HostName(name, ns, tenant.name);
  }
};

// metadata.name -> metadata.annotations['kubectl-vc.dev/object-name'] and so on.
void RewriteFieldRef(json* field_ref) {
  if (!field_ref->is_object()) return;
  const std::string path = field_ref->value("fieldPath", "");
  const char* annotation = path == "metadata.name"        ? labels::kVirtualName
                           : path == "metadata.namespace" ? labels::kVirtualNamespace
                           : path == "metadata.uid"       ? labels::kVirtualUid
                                                          : nullptr;
  if (annotation != nullptr) {
    (*field_ref)["fieldPath"] = std::string("metadata.annotations['") + annotation + "']";
    return;
  }
  // One label (the Job controller's JOB_COMPLETION_INDEX reads its index label this way): the
  // host pod carries it under its host key (HostLabels).
  constexpr std::string_view kLabel = "metadata.labels['";
  if (path.size() > kLabel.size() + 2 && path.compare(0, kLabel.size(), kLabel) == 0 &&
      path.compare(path.size() - 2, 2, "']") == 0) {
    const std::string key = path.substr(kLabel.size(), path.size() - kLabel.size() - 2);
    (*field_ref)["fieldPath"] = std::string(kLabel) + HostLabelKey(key) + "']";
  }
}

void RewriteContainer(json* c, Rewriter* rw, const PodEnvironment& env) {
  // The Services' variables first, so the container's own override them and may refer to them,
  // as the kubelet orders them.
  json out_env = env.service_links.is_array() ? env.service_links : json::array();
  for (auto e : c->value("env", json::array())) {
    const std::string name = e.value("name", "");
    if (name == "KUBERNETES_SERVICE_HOST" || name == "KUBERNETES_SERVICE_PORT") continue;
    if (e.contains("valueFrom")) {
      json& from = e["valueFrom"];
      if (from.contains("configMapKeyRef")) {
        from["configMapKeyRef"]["name"] = rw->ConfigMap(from["configMapKeyRef"].value("name", ""));
      }
      if (from.contains("secretKeyRef")) {
        from["secretKeyRef"]["name"] = rw->Secret(from["secretKeyRef"].value("name", ""));
      }
      if (from.contains("fieldRef")) RewriteFieldRef(&from["fieldRef"]);
    }
    out_env.push_back(std::move(e));
  }
  // The virtual cluster's own API server, in place of the host's that the kubelet gives every
  // container (default/kubernetes, whatever enableServiceLinks says).
  if (!env.apiserver_host.empty()) {
    const json kubernetes = {
        {"metadata", {{"name", "kubernetes"}}},
        {"spec",
         {{"clusterIP", env.apiserver_host},
          {"ports", {{{"name", "https"}, {"port", env.apiserver_port}, {"protocol", "TCP"}}}}}}};
    for (auto& e : ServiceLinkEnv({kubernetes})) out_env.push_back(std::move(e));
  }
  (*c)["env"] = std::move(out_env);
  if (c->contains("envFrom")) {
    for (auto& f : (*c)["envFrom"]) {
      if (f.contains("configMapRef")) {
        f["configMapRef"]["name"] = rw->ConfigMap(f["configMapRef"].value("name", ""));
      }
      if (f.contains("secretRef"))
        f["secretRef"]["name"] = rw->Secret(f["secretRef"].value("name", ""));
    }
  }
}

// The n-th serviceAccountToken source of a pod (volumes and their sources in order).
TokenProjection ProjectionOf(const json& source, size_t n) {
  TokenProjection p;
  p.key = "token-" + std::to_string(n);
  p.audience = source.value("audience", "");
  p.expiration_seconds = source.value("expirationSeconds", kDefaultTokenExpirationSeconds);
  return p;
}

void RewriteProjected(json* projected, Rewriter* rw, const std::string& token_secret) {
  if (!projected->contains("sources")) return;
  for (auto& s : (*projected)["sources"]) {
    if (s.contains("configMap")) {
      s["configMap"]["name"] = rw->ConfigMap(s["configMap"].value("name", ""));
    } else if (s.contains("secret")) {
      s["secret"]["name"] = rw->Secret(s["secret"].value("name", ""));
    } else if (s.contains("downwardAPI")) {
      if (s["downwardAPI"].contains("items")) {
        for (auto& item : s["downwardAPI"]["items"]) {
          if (item.contains("fieldRef")) RewriteFieldRef(&item["fieldRef"]);
        }
      }
    } else if (s.contains("serviceAccountToken")) {
      const TokenProjection p = ProjectionOf(s["serviceAccountToken"], rw->refs->tokens.size());
      const std::string path = s["serviceAccountToken"].value("path", "token");
      rw->refs->tokens.push_back(p);
      s = {{"secret", {{"name", token_secret}, {"items", {{{"key", p.key}, {"path", path}}}}}}};
    }
  }
}

void RewriteVolumes(json* spec, Rewriter* rw, const std::string& token_secret) {
  if (!spec->contains("volumes")) return;
  for (auto& v : (*spec)["volumes"]) {
    if (v.contains("configMap"))
      v["configMap"]["name"] = rw->ConfigMap(v["configMap"].value("name", ""));
    if (v.contains("secret"))
      v["secret"]["secretName"] = rw->Secret(v["secret"].value("secretName", ""));
    if (v.contains("persistentVolumeClaim")) {
      v["persistentVolumeClaim"]["claimName"] =
          rw->Pvc(v["persistentVolumeClaim"].value("claimName", ""));
    }
    if (v.contains("projected")) RewriteProjected(&v["projected"], rw, token_secret);
    // Volume types that name a Secret for their driver (csi, rbd, cephfs, iscsi, flexVolume,
    // scaleIO, storageos: secretRef or nodePublishSecretRef; azureFile: secretName). Left as
    // written, the name would pick a Secret of the host namespace, where the control plane's
    // own Secrets are.
    for (auto& [type, source] : v.items()) {
      if (type == "name" || type == "secret" || type == "projected" || !source.is_object())
        continue;
      for (const char* ref : {"secretRef", "nodePublishSecretRef"}) {
        if (source.contains(ref) && source[ref].is_object()) {
          source[ref]["name"] = rw->Secret(source[ref].value("name", ""));
        }
      }
      if (type == "azureFile" && source.contains("secretName")) {
        source["secretName"] = rw->Secret(source.value("secretName", ""));
      }
    }
    if (v.contains("downwardAPI") && v["downwardAPI"].contains("items")) {
      for (auto& item : v["downwardAPI"]["items"]) {
        if (item.contains("fieldRef")) RewriteFieldRef(&item["fieldRef"]);
      }
    }
  }
}

json Placement(json spec, const Tenant& tenant, const SyncConfig& config,
               std::vector<std::string>* adjustments) {
  json tolerations = json::array();
  for (const auto& t : spec.value("tolerations", json::array())) {
    // Neither the dedication taint by name nor every taint at once (an empty key with
    // Exists): with either, a pod could land on another tenant's dedicated node.
    if (!t.is_object() || t.value("key", "") == labels::kDedicatedTaintKey ||
        (t.value("key", "").empty() && t.value("operator", "Equal") == "Exists")) {
      adjustments->push_back("toleration " + t.dump() +
                             " left out on the host: it would tolerate the " +
                             labels::kDedicatedTaintKey +
                             " taint of other tenants' dedicated nodes (tolerate taints by key)");
      continue;
    }
    tolerations.push_back(t);
  }
  // The nodes the tenant sees (sync.fromHost.nodes.selector.labels) are the nodes it runs on.
  if (config.nodes == NodeSyncMode::kSelected && !config.node_selector.empty()) {
    json selector = spec.value("nodeSelector", json::object());
    for (const auto& [k, v] : config.node_selector) selector[k] = v;
    spec["nodeSelector"] = selector;
  }
  if (config.dedicated_nodes) {
    json selector = spec.value("nodeSelector", json::object());
    for (const auto& [k, v] : config.dedicated_node_selector) selector[k] = v;
    selector[labels::kDedicatedNodeLabel] = tenant.name;
    spec["nodeSelector"] = selector;
    tolerations.push_back({{"key", labels::kDedicatedTaintKey},
                           {"operator", "Equal"},
                           {"value", tenant.name},
                           {"effect", "NoSchedule"}});
  }
  for (const auto& t : config.enforce_tolerations) {
    json j = {{"key", t.key}, {"operator", t.op}};
    if (t.op == "Equal") j["value"] = t.value;
    if (!t.effect.empty()) j["effect"] = t.effect;
    tolerations.push_back(j);
  }
  if (tolerations.empty()) {
    spec.erase("tolerations");
  } else {
    spec["tolerations"] = tolerations;
  }
  return spec;
}

// Adds `requirement` to the `list` ("matchFields" or "matchExpressions") of every term of the
// pod's required node affinity (one empty term when it has none): the terms are ORed, so each
// of them must carry it.
json RequireOnEveryTerm(json spec, const char* list, const json& requirement) {
  json& required =
      spec["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"];
  if (!required.is_object()) required = json::object();
  json& terms = required["nodeSelectorTerms"];
  if (!terms.is_array() || terms.empty()) terms = json::array({json::object()});
  for (auto& term : terms) {
    if (!term.is_object()) term = json::object();
    json requirements = term.value(list, json::array());
    if (!requirements.is_array()) requirements = json::array();
    requirements.push_back(requirement);
    term[list] = requirements;
  }
  return spec;
}

// The node the virtual scheduler bound the pod to, as a required node affinity on every term
// (as the DaemonSet controller pins its pods), never as nodeName: the host's scheduler still
// checks taints, the tenant's placement (Placement above) and room, so a node the tenant may not
// use leaves the host pod Pending instead of placing it there.
json PinToNode(json spec, const std::string& node) {
  return RequireOnEveryTerm(std::move(spec), "matchFields",
                            {{"key", "metadata.name"}, {"operator", "In"}, {"values", {node}}});
}

// The node is dedicated to no tenant. The kubelet checks required node affinity when it admits
// a pod, so a pod sent to a node by name cannot land on another tenant's dedicated node.
json KeepOffDedicatedNodes(json spec) {
  return RequireOnEveryTerm(std::move(spec), "matchExpressions",
                            {{"key", labels::kDedicatedNodeLabel}, {"operator", "DoesNotExist"}});
}

}  // namespace

json ServiceLinkEnv(const std::vector<json>& services) {
  const auto var_name = [](std::string s) {
    for (char& ch : s)
      ch = ch == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return s;
  };
  const auto lower = [](std::string s) {
    for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
  };
  json out = json::array();
  const auto add = [&out](std::string name, std::string value) {
    out.push_back({{"name", std::move(name)}, {"value", std::move(value)}});
  };
  for (const json& svc : services) {
    const json& spec = ObjectAt(svc, "spec");
    const std::string ip = spec.value("clusterIP", "");
    const json ports = spec.value("ports", json::array());
    if (ip.empty() || ip == "None" || !ports.is_array() || ports.empty()) continue;
    const std::string prefix = var_name(ObjectAt(svc, "metadata").value("name", ""));
    const auto port_of = [](const json& p) {
      return p.contains("port") && p["port"].is_number_integer()
                 ? std::to_string(p["port"].get<int64_t>())
                 : std::string("0");
    };
    add(prefix + "_SERVICE_HOST", ip);
    add(prefix + "_SERVICE_PORT", port_of(ports[0]));
    for (const json& p : ports) {
      const std::string port_name = p.is_object() ? p.value("name", "") : "";
      if (!port_name.empty()) add(prefix + "_SERVICE_PORT_" + var_name(port_name), port_of(p));
    }
    const std::string host = ip.find(':') != std::string::npos ? "[" + ip + "]" : ip;
    for (size_t i = 0; i < ports.size(); ++i) {
      const json& p = ports[i];
      if (!p.is_object()) continue;
      std::string protocol = p.value("protocol", "");
      if (protocol.empty()) protocol = "TCP";
      const std::string url = lower(protocol) + "://" + host + ":" + port_of(p);
      if (i == 0) add(prefix + "_PORT", url);
      std::string upper_protocol = protocol;
      for (char& ch : upper_protocol)
        ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      const std::string port_prefix = prefix + "_PORT_" + port_of(p) + "_" + upper_protocol;
      add(port_prefix, url);
      add(port_prefix + "_PROTO", lower(protocol));
      add(port_prefix + "_PORT", port_of(p));
      add(port_prefix + "_ADDR", ip);
    }
  }
  return out;
}

bool CreatedOnANode(const json& virtual_pod) {
  if (ObjectAt(virtual_pod, "spec").value("nodeName", "").empty()) return false;
  for (const auto& c : ObjectAt(virtual_pod, "status").value("conditions", json::array())) {
    if (c.is_object() && c.value("type", "") == "PodScheduled") return false;
  }
  return true;
}

std::string TokenSecretName(const json& virtual_pod, const Tenant& tenant) {
  const json& meta = ObjectAt(virtual_pod, "metadata");
  return HostName(meta.value("name", "") + "-sa-token", meta.value("namespace", ""), tenant.name);
}

std::string ServiceAccountName(const json& virtual_pod) {
  const json& spec = ObjectAt(virtual_pod, "spec");
  return spec.value("serviceAccountName", spec.value("serviceAccount", "default"));
}

std::vector<TokenProjection> TokenProjections(const json& virtual_pod) {
  std::vector<TokenProjection> out;
  for (const auto& v : ObjectAt(virtual_pod, "spec").value("volumes", json::array())) {
    for (const auto& s : ObjectAt(v, "projected").value("sources", json::array())) {
      if (s.contains("serviceAccountToken")) {
        out.push_back(ProjectionOf(s["serviceAccountToken"], out.size()));
      }
    }
  }
  return out;
}

PodTranslation TranslatePod(const json& virtual_pod, const Tenant& tenant, const SyncConfig& config,
                            const PodEnvironment& env) {
  PodTranslation out;
  const json& meta = ObjectAt(virtual_pod, "metadata");
  const std::string ns = meta.value("namespace", "");
  json spec = virtual_pod.value("spec", json::object());
  Rewriter rw{ns, tenant, &out.refs};
  const std::string token_secret = TokenSecretName(virtual_pod, tenant);

  out.refs.service_account = ServiceAccountName(virtual_pod);
  const std::string bound_node = spec.value("nodeName", "");
  for (const char* key :
       {"nodeName", "serviceAccountName", "serviceAccount", "priority", "priorityClassName",
        "preemptionPolicy", "ephemeralContainers", "runtimeClassName", "overhead"}) {
    spec.erase(key);
  }
  // The host's RuntimeClass for the virtual one (the pod syncer found it: HostRuntimeClassFor);
  // the host's admission sets its overhead, which must be the host class's.
  if (!env.runtime_class.empty()) spec["runtimeClassName"] = env.runtime_class;
  // The host's admission sets priority and preemptionPolicy from the class.
  if (!env.priority_class.empty()) spec["priorityClassName"] = env.priority_class;
  spec["automountServiceAccountToken"] = false;
  spec["enableServiceLinks"] = false;
  const std::string name = meta.value("name", "");
  if (!spec.contains("hostname") && name.size() <= kMaxNameLength &&
      name.find('.') == std::string::npos) {
    spec["hostname"] = name;
  }
  for (const char* list : {"initContainers", "containers"}) {
    if (!spec.contains(list)) continue;
    for (auto& c : spec[list]) RewriteContainer(&c, &rw, env);
  }
  RewriteVolumes(&spec, &rw, token_secret);
  if (spec.contains("imagePullSecrets")) {
    for (auto& s : spec["imagePullSecrets"]) s["name"] = rw.Secret(s.value("name", ""));
  }
  spec = Placement(std::move(spec), tenant, config, &out.adjustments);
  if (CreatedOnANode(virtual_pod)) {
    spec["nodeName"] = bound_node;
    if (!config.dedicated_nodes) spec = KeepOffDedicatedNodes(std::move(spec));
  } else if (config.virtual_scheduler && !bound_node.empty()) {
    spec = PinToNode(std::move(spec), bound_node);
    spec.erase("schedulerName");  // the virtual cluster's profile chose; the host's confirms
  }
  const json dns = DnsSettings(virtual_pod, env.dns_ip, env.cluster_domain);
  if (!dns.is_null()) spec.update(dns);
  json host_meta = HostMetadata(virtual_pod, tenant);
  const auto rename = HostsRenameFor(spec, ns, tenant.host_namespace, env.cluster_domain);
  if (rename && !env.hosts_image.empty() && AddHostsFileRewrite(&spec, *rename, env.hosts_image)) {
    host_meta["annotations"][labels::kHostsFile] = "true";
  }

  out.host_pod = {{"apiVersion", "v1"},
                  {"kind", "Pod"},
                  {"metadata", std::move(host_meta)},
                  {"spec", std::move(spec)}};
  if (meta.contains("generation") && meta["generation"].is_number_integer()) {
    out.host_pod["metadata"]["annotations"][labels::kVirtualGeneration] =
        std::to_string(meta["generation"].get<int64_t>());
  }
  return out;
}

namespace {

// The virtual generation of what the kubelet observed: the host pod's generation maps to the
// virtual one its spec was made from (kVirtualGeneration); an older one maps to nothing known.
std::optional<int64_t> VirtualGenerationOf(const json& host_pod, const json& observed) {
  const json& meta = ObjectAt(host_pod, "metadata");
  if (!observed.is_number_integer() || !meta.contains("generation") ||
      meta["generation"] != observed) {
    return std::nullopt;
  }
  const std::string virtual_generation =
      ObjectAt(meta, "annotations").value(labels::kVirtualGeneration, "");
  int64_t value = 0;
  const char* end = virtual_generation.data() + virtual_generation.size();
  auto [ptr, ec] = std::from_chars(virtual_generation.data(), end, value);
  if (virtual_generation.empty() || ec != std::errc() || ptr != end || value < 1) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

json VirtualPodStatus(const json& host_pod) {
  const json status = host_pod.value("status", json::object());
  json out = json::object();
  for (const char* key :
       {"phase", "conditions", "message", "reason", "hostIP", "hostIPs", "podIP", "podIPs",
        "startTime", "initContainerStatuses", "containerStatuses", "ephemeralContainerStatuses"}) {
    if (status.contains(key)) out[key] = status[key];
  }
  // The init container that wrote /etc/hosts is the host pod's alone.
  if (ObjectAt(ObjectAt(host_pod, "metadata"), "annotations").value(labels::kHostsFile, "") ==
          "true" &&
      out.contains("initContainerStatuses") && out["initContainerStatuses"].is_array()) {
    json& statuses = out["initContainerStatuses"];
    statuses.erase(std::remove_if(statuses.begin(), statuses.end(),
                                  [](const json& s) {
                                    return s.is_object() && s.value("name", "") == kHostsContainer;
                                  }),
                   statuses.end());
    if (statuses.empty()) out.erase("initContainerStatuses");
  }
  // Generations are the host pod's: the virtual pod's instead, or none where unknown.
  if (auto g = VirtualGenerationOf(host_pod, status.value("observedGeneration", json()))) {
    out["observedGeneration"] = *g;
  }
  if (out.contains("conditions") && out["conditions"].is_array()) {
    for (auto& c : out["conditions"]) {
      if (!c.is_object() || !c.contains("observedGeneration")) continue;
      if (auto g = VirtualGenerationOf(host_pod, c["observedGeneration"])) {
        c["observedGeneration"] = *g;
      } else {
        c.erase("observedGeneration");
      }
    }
  }
  return out;
}

bool KubeletCondition(const std::string& type) {
  static const std::set<std::string> kTypes = {
      "PodScheduled", "PodReadyToStartContainers", "Initialized",        "ContainersReady",
      "Ready",        "PodResizePending",          "PodResizeInProgress"};
  return kTypes.count(type) > 0;
}

json VirtualStatusPatch(const json& virtual_pod, const json& host_pod) {
  json status = VirtualPodStatus(host_pod);
  json conditions = status.contains("conditions") && status["conditions"].is_array()
                        ? status["conditions"]
                        : json::array();
  const json have = ObjectAt(virtual_pod, "status").value("conditions", json::array());
  const auto has_type = [](const json& list, const json& c) {
    return std::any_of(list.begin(), list.end(), [&](const json& o) {
      return o.is_object() && c.is_object() && o.value("type", "") == c.value("type", "");
    });
  };
  if (have.is_array()) {
    for (auto& c : conditions) {
      for (const auto& old : have) {
        if (!old.is_object() || !c.is_object() || old.value("type", "") != c.value("type", "")) {
          continue;
        }
        for (const auto& [k, _] : old.items()) {
          if (!c.contains(k)) c[k] = nullptr;
        }
      }
    }
    for (const auto& old : have) {
      if (old.is_object() && KubeletCondition(old.value("type", "")) &&
          !has_type(conditions, old)) {
        conditions.push_back({{"type", old.value("type", "")}, {"$patch", "delete"}});
      }
    }
  }
  status.erase("conditions");
  if (!conditions.empty()) status["conditions"] = std::move(conditions);
  return {{"status", std::move(status)}};
}

bool StatusDiffers(const json& virtual_pod, const json& host_pod) {
  const json want = VirtualPodStatus(host_pod);
  const json have = virtual_pod.value("status", json::object());
  for (const auto& [k, v] : want.items()) {
    if (k == "conditions" && v.is_array() && have.contains(k) && have[k].is_array()) {
      // By type: conditions only the virtual pod has (DisruptionTarget from an eviction, a
      // readiness gate a tenant's controller sets) stay, as the status patch's merge keeps them.
      for (const auto& c : v) {
        const auto same = std::find_if(have[k].begin(), have[k].end(), [&](const json& h) {
          return h.is_object() && c.is_object() && h.value("type", "") == c.value("type", "");
        });
        if (same == have[k].end() || *same != c) return true;
      }
      // One the kubelet set and took away (a resize that finished) goes from the virtual pod.
      for (const auto& h : have[k]) {
        if (!h.is_object() || !KubeletCondition(h.value("type", ""))) continue;
        const bool on_host = std::any_of(v.begin(), v.end(), [&](const json& c) {
          return c.is_object() && c.value("type", "") == h.value("type", "");
        });
        if (!on_host) return true;
      }
      continue;
    }
    if (!have.contains(k) || have[k] != v) return true;
  }
  return false;
}

json HostPodUpdate(const json& virtual_pod, const json& host_pod, const Tenant& tenant,
                   const SyncConfig& config, const PodEnvironment& env) {
  const json want = TranslatePod(virtual_pod, tenant, config, env).host_pod;
  json patch = json::object();
  const json& have_meta = ObjectAt(host_pod, "metadata");
  for (const char* key : {"labels", "annotations"}) {
    const json& w = want["metadata"][key];
    const json& h = ObjectAt(have_meta, key);
    json diff = json::object();
    for (const auto& [k, v] : w.items()) {
      if (!h.contains(k) || h[k] != v) diff[k] = v;
    }
    // Labels translated from the virtual pod that it no longer has; never what others added.
    for (const auto& [k, v] : h.items()) {
      if (std::string_view(key) == "labels" && !w.contains(k) &&
          k.rfind(kHostLabelPrefix, 0) == 0) {
        diff[k] = nullptr;
      }
    }
    if (!diff.empty()) patch["metadata"][key] = diff;
  }
  // Images are the one container field a pod lets change; a strategic merge patch on the
  // containers list keyed by name changes just them.
  json containers = json::array();
  const json have_spec = host_pod.value("spec", json::object());
  for (const char* list : {"containers", "initContainers"}) {
    json changed = json::array();
    for (const auto& c : want["spec"].value(list, json::array())) {
      for (const auto& h : have_spec.value(list, json::array())) {
        if (h.value("name", "") == c.value("name", "") &&
            h.value("image", "") != c.value("image", "")) {
          changed.push_back({{"name", c["name"]}, {"image", c["image"]}});
        }
      }
    }
    if (!changed.empty()) patch["spec"][list] = changed;
  }
  // Tolerations may be added, never removed: the ones the host pod lacks are appended (the
  // whole list goes, as a strategic merge patch replaces it).
  json tolerations = have_spec.value("tolerations", json::array());
  bool more = false;
  for (const auto& t : want["spec"].value("tolerations", json::array())) {
    if (std::find(tolerations.begin(), tolerations.end(), t) == tolerations.end()) {
      tolerations.push_back(t);
      more = true;
    }
  }
  if (more) patch["spec"]["tolerations"] = tolerations;
  // So is activeDeadlineSeconds (set, or made shorter; the API server refuses the rest in the
  // virtual cluster already).
  const json& deadline = want["spec"].contains("activeDeadlineSeconds")
                             ? want["spec"]["activeDeadlineSeconds"]
                             : json();
  if (deadline.is_number_integer() &&
      have_spec.value("activeDeadlineSeconds", json()) != deadline) {
    patch["spec"]["activeDeadlineSeconds"] = deadline;
  }
  return patch.empty() ? json() : patch;
}

json HostPodEphemeralContainers(const json& virtual_pod, const json& host_pod, const Tenant& tenant,
                                const PodEnvironment& env, PodReferences* refs) {
  const std::string ns = ObjectAt(virtual_pod, "metadata").value("namespace", "");
  Rewriter rw{ns, tenant, refs};
  const json have = ObjectAt(host_pod, "spec").value("ephemeralContainers", json::array());
  json added = json::array();
  for (json c : ObjectAt(virtual_pod, "spec").value("ephemeralContainers", json::array())) {
    if (!c.is_object()) continue;
    const std::string name = c.value("name", "");
    const bool there = std::any_of(have.begin(), have.end(), [&](const json& h) {
      return h.is_object() && h.value("name", "") == name;
    });
    if (there) continue;
    RewriteContainer(&c, &rw, env);
    added.push_back(std::move(c));
  }
  if (added.empty()) return json();
  return {{"spec", {{"ephemeralContainers", std::move(added)}}}};
}

json HostPodResize(const json& virtual_pod, const json& host_pod) {
  // Only a virtual spec newer than the host pod's is a resize: resources the host's admission
  // filled in (a LimitRange's defaults) are not the tenant's change, and not to be undone.
  const json& vmeta = ObjectAt(virtual_pod, "metadata");
  const std::string made_from =
      ObjectAt(ObjectAt(host_pod, "metadata"), "annotations").value(labels::kVirtualGeneration, "");
  if (!vmeta.contains("generation") || !vmeta["generation"].is_number_integer() ||
      made_from == std::to_string(vmeta["generation"].get<int64_t>())) {
    return json();
  }
  json patch = json::object();
  const json& vspec = ObjectAt(virtual_pod, "spec");
  const json& hspec = ObjectAt(host_pod, "spec");
  for (const char* list : {"initContainers", "containers"}) {
    json changed = json::array();
    for (const auto& v : vspec.value(list, json::array())) {
      if (!v.is_object()) continue;
      for (const auto& h : hspec.value(list, json::array())) {
        if (!h.is_object() || h.value("name", "") != v.value("name", "")) continue;
        const json want = v.value("resources", json::object());
        if (h.value("resources", json::object()) != want) {
          changed.push_back({{"name", v["name"]}, {"resources", want}});
        }
      }
    }
    if (!changed.empty()) patch["spec"][list] = changed;
  }
  return patch.empty() ? json() : patch;
}

std::string HostRuntimeClassFor(const json& virtual_runtime_class,
                                const std::vector<json>& host_runtime_classes) {
  const std::string handler = virtual_runtime_class.value("handler", "");
  const std::string name = ObjectAt(virtual_runtime_class, "metadata").value("name", "");
  std::string found;
  for (const json& h : host_runtime_classes) {
    if (!h.is_object() || h.value("handler", "") != handler || handler.empty()) continue;
    const std::string host_name = ObjectAt(h, "metadata").value("name", "");
    if (host_name == name) return host_name;
    if (found.empty() || host_name < found) found = host_name;
  }
  return found;
}

}  // namespace vc::syncer::translate
