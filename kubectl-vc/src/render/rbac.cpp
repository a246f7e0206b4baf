// SPDX-License-Identifier: Apache-2.0
// Least privilege for the control-plane pod's ServiceAccount: a Role in the host namespace for
// what the syncer writes there, and a ClusterRole only when the values need cluster-scoped
// reads (real nodes, ingress and runtime classes); ConfigMaps mapped from other namespaces are read
// by a Role in each of those namespaces.
#include <set>
#include <tuple>
#include <utility>
#include <vector>

#include "render_parts.h"

namespace vc::cli::render {

using nlohmann::json;
namespace r = kube::resources;

namespace {

json Rule(json groups, json resources, json verbs) {
  return {{"apiGroups", std::move(groups)},
          {"resources", std::move(resources)},
          {"verbs", std::move(verbs)}};
}

const json kReadWrite = {"get", "list", "watch", "create", "update", "patch", "delete"};
const json kRead = {"get", "list", "watch"};

json Binding(const VirtualCluster& vc, const char* kind, const std::string& name, bool namespaced) {
  return {{"apiVersion", "rbac.authorization.k8s.io/v1"},
          {"kind", std::string(kind) + "Binding"},
          {"metadata", Metadata(vc, name, namespaced)},
          {"roleRef", {{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", kind}, {"name", name}}},
          {"subjects", json::array({{{"kind", "ServiceAccount"},
                                     {"name", ServiceAccountName(vc)},
                                     {"namespace", vc.namespace_}}})}};
}

json Role(const VirtualCluster& vc, const std::string& name, json rules) {
  return {{"apiVersion", "rbac.authorization.k8s.io/v1"},
          {"kind", "Role"},
          {"metadata", Metadata(vc, name, true)},
          {"rules", std::move(rules)}};
}

// What the syncer does in the host namespace, whatever the values say, and what some of them
// add.
// The enabled entries of sync.{toHost,fromHost}.customResources, as (plural, group).
std::vector<std::pair<std::string, std::string>> CustomResources(const json& v,
                                                                 const char* direction) {
  std::vector<std::pair<std::string, std::string>> out;
  const json::json_pointer at(std::string("/sync/") + direction + "/customResources");
  if (!v.contains(at) || !v.at(at).is_object()) return out;
  for (const auto& [name, entry] : v.at(at).items()) {
    const auto dot = name.find('.');
    if (entry.is_object() && entry.value("enabled", false) && dot != std::string::npos) {
      out.emplace_back(name.substr(0, dot), name.substr(dot + 1));
    }
  }
  return out;
}

// The CRDs of those entries, read to install them in the virtual cluster, and the host's
// objects of the fromHost ones.
void AddCustomResourceReads(const json& v, json* rules) {
  json crds = json::array();
  for (const char* direction : {"toHost", "fromHost"}) {
    for (const auto& [plural, group] : CustomResources(v, direction)) {
      if (std::string(direction) == "fromHost") rules->push_back(Rule({group}, {plural}, kRead));
      crds.push_back(plural + "." + group);
    }
  }
  if (crds.empty()) return;
  json read_crds = Rule({"apiextensions.k8s.io"}, {"customresourcedefinitions"}, {"get"});
  read_crds["resourceNames"] = std::move(crds);
  rules->push_back(std::move(read_crds));
}

json RoleRulesForSync(const VirtualCluster& vc) {
  const json& v = vc.values;
  json rules = json::array({
      // Synced workloads and what they reference, and the kubelet API relay.
      Rule({""},
           {"pods", "pods/status", "services", "endpoints", "configmaps", "secrets",
            "persistentvolumeclaims", "serviceaccounts"},
           kReadWrite),
      Rule({""}, {"pods/log", "pods/exec", "pods/attach", "pods/portforward", "pods/eviction"},
           {"get", "create"}),
      // A virtual pod's in-place resize and `kubectl debug` containers, onto its host pod.
      Rule({""}, {"pods/resize", "pods/ephemeralcontainers"}, {"get", "update", "patch"}),
      Rule({""}, {"serviceaccounts/token"}, {"create"}),
      Rule({""}, {"events"}, {"get", "list", "watch", "create", "patch"}),
      Rule({"discovery.k8s.io"}, {"endpointslices"}, kReadWrite),
      // Its own StatefulSet, to report status (pause/resume is the plugin's job).
      Rule({"apps"}, {"statefulsets"}, kRead),
  });
  if (Enabled(v, "/sync/toHost/ingresses/enabled")) {
    rules.push_back(Rule({"networking.k8s.io"}, {"ingresses"}, kReadWrite));
  }
  if (Enabled(v, "/sync/toHost/podDisruptionBudgets/enabled")) {
    rules.push_back(Rule({"policy"}, {"poddisruptionbudgets"}, kReadWrite));
  }
  // The tenant's copies of sync.toHost.customResources.
  for (const auto& [plural, group] : CustomResources(v, "toHost")) {
    rules.push_back(Rule({group}, {plural}, kReadWrite));
  }
  if (Enabled(v, "/sleepMode/enabled")) {
    // sleepMode: the syncer scales its own StatefulSet to 0 (and says so in its annotations)
    // when the virtual cluster has been idle long enough; no other StatefulSet.
    json own = Rule({"apps"}, {"statefulsets"}, {"patch"});
    own["resourceNames"] = json::array({vc.name});
    rules.push_back(std::move(own));
  }
  return rules;
}

// The cluster-scoped reads (and writes) the values ask for; empty when they need none.
json ClusterRoleRules(const json& v) {
  json rules = json::array();
  if (Enabled(v, "/sync/fromHost/nodes/enabled")) {
    rules.push_back(Rule({""}, {"nodes"}, kRead));
    // The tenant's changes of a node's labels, taints and extended resources (values checks
    // refuse syncBackChanges below trust high).
    if (Enabled(v, "/sync/fromHost/nodes/syncBackChanges")) {
      rules.push_back(Rule({""}, {"nodes", "nodes/status"}, {"patch"}));
    }
  }
  if (Enabled(v, "/sync/toHost/priorityClasses/enabled")) {
    rules.push_back(Rule({"scheduling.k8s.io"}, {"priorityclasses"},
                         {"get", "list", "watch", "create", "update", "patch", "delete"}));
  }
  if (Enabled(v, "/sync/fromHost/ingressClasses/enabled")) {
    rules.push_back(Rule({"networking.k8s.io"}, {"ingressclasses"}, kRead));
  }
  for (const auto& [key, group, resource] :
       {std::tuple{"/sync/fromHost/storageClasses/enabled", "storage.k8s.io", "storageclasses"},
        std::tuple{"/sync/fromHost/csiDrivers/enabled", "storage.k8s.io", "csidrivers"},
        std::tuple{"/sync/fromHost/csiNodes/enabled", "storage.k8s.io", "csinodes"},
        std::tuple{"/sync/fromHost/priorityClasses/enabled", "scheduling.k8s.io",
                   "priorityclasses"}}) {
    if (Enabled(v, key)) rules.push_back(Rule({group}, {resource}, kRead));
  }
  if (Enabled(v, "/sync/fromHost/runtimeClasses/enabled")) {
    rules.push_back(Rule({"node.k8s.io"}, {"runtimeclasses"}, kRead));
  }
  AddCustomResourceReads(v, &rules);
  return rules;
}

// The host namespaces sync.fromHost.configMaps.mappings.byName reads ConfigMaps from
// ("NS/NAME" keys), in order.
std::set<std::string> MappedConfigMapNamespaces(const json& v) {
  std::set<std::string> sources;
  const json* by_name = v.contains("/sync/fromHost/configMaps/mappings/byName"_json_pointer)
                            ? &v["/sync/fromHost/configMaps/mappings/byName"_json_pointer]
                            : nullptr;
  if (by_name != nullptr && by_name->is_object()) {
    for (const auto& [from, _] : by_name->items()) {
      const auto slash = from.find('/');
      if (slash != std::string::npos && slash > 0) sources.insert(from.substr(0, slash));
    }
  }
  return sources;
}

// ConfigMaps mapped from other host namespaces (sync.fromHost.configMaps.mappings): read in
// those namespaces only, by a Role there (its own namespace's the Role of RoleRulesForSync
// covers). `delete` finds them by the tenant labels in every namespace.
std::vector<HostObject> MappedConfigMapReaders(const VirtualCluster& vc) {
  std::vector<HostObject> out;
  if (!Enabled(vc.values, "/sync/fromHost/configMaps/enabled")) return out;
  const std::string name = "vc-" + vc.name + "-" + vc.namespace_ + "-configmaps";
  for (const auto& source : MappedConfigMapNamespaces(vc.values)) {
    if (source == vc.namespace_) continue;
    json role = Role(vc, name, json::array({Rule({""}, {"configmaps"}, kRead)}));
    role["metadata"]["namespace"] = source;
    json binding = Binding(vc, "Role", name, true);
    binding["metadata"]["namespace"] = source;
    out.push_back({r::kRoles, std::move(role)});
    out.push_back({r::kRoleBindings, std::move(binding)});
  }
  return out;
}

}  // namespace

std::vector<HostObject> RenderRbac(const VirtualCluster& vc) {
  const std::string role = "vc-" + vc.name;
  std::vector<HostObject> out = {
      {r::kRoles, Role(vc, role, RoleRulesForSync(vc))},
      {r::kRoleBindings, Binding(vc, "Role", role, true)},
  };
  for (auto& reader : MappedConfigMapReaders(vc)) out.push_back(std::move(reader));
  const json cluster_rules = ClusterRoleRules(vc.values);
  if (!cluster_rules.empty()) {
    // Cluster-scoped names must be unique across host namespaces.
    const std::string name = "vc-" + vc.name + "-" + vc.namespace_;
    out.push_back({r::kClusterRoles,
                   {{"apiVersion", "rbac.authorization.k8s.io/v1"},
                    {"kind", "ClusterRole"},
                    {"metadata", Metadata(vc, name, false)},
                    {"rules", cluster_rules}}});
    out.push_back({r::kClusterRoleBindings, Binding(vc, "ClusterRole", name, false)});
  }
  return out;
}

}  // namespace vc::cli::render
