// SPDX-License-Identifier: Apache-2.0
#include "lifecycle/owned.h"

#include <ctime>

#include "vc/cli/render/host_objects.h"
#include "vc/labels.h"

namespace vc::cli::lifecycle {

namespace r = kube::resources;

const std::vector<kube::Resource>& OwnedNamespacedKinds() {
  static const std::vector<kube::Resource> kinds = {r::kStatefulSets,
                                                    render::TenantResource(),
                                                    r::kServices,
                                                    r::kSecrets,
                                                    r::kConfigMaps,
                                                    r::kServiceAccounts,
                                                    r::kRoles,
                                                    r::kRoleBindings,
                                                    r::kResourceQuotas,
                                                    r::kLimitRanges,
                                                    r::kNetworkPolicies,
                                                    r::kIngresses,
                                                    r::kPodDisruptionBudgets,
                                                    r::kCronJobs,
                                                    r::kEndpoints,
                                                    r::kEndpointSlices,
                                                    r::kPods,
                                                    r::kPersistentVolumeClaims};
  return kinds;
}

const std::vector<kube::Resource>& OwnedClusterKinds() {
  static const std::vector<kube::Resource> kinds = {r::kClusterRoles, r::kClusterRoleBindings,
                                                    r::kPriorityClasses};
  return kinds;
}

std::string OwnedSelector(const std::string& name, const std::string& namespace_) {
  return std::string(labels::kManagedBy) + "=" + labels::kManagedByValue + "," + labels::kTenant +
         "=" + name + "," + labels::kTenantNamespace + "=" + namespace_;
}

StatusOr<std::vector<OwnedObject>> ListOwned(kube::Client& client, const std::string& name,
                                             const std::string& ns,
                                             const std::vector<kube::Resource>& kinds) {
  std::vector<OwnedObject> out;
  const kube::ListOptions options{.label_selector = OwnedSelector(name, ns)};
  for (const auto& kind : kinds) {
    const bool anywhere =
        kind.resource == r::kRoles.resource || kind.resource == r::kRoleBindings.resource;
    auto list = client.ListAll(kind, kind.namespaced && !anywhere ? ns : "", options);
    if (!list.ok() && anywhere && list.status().code() == Code::kForbidden) {
      list = client.ListAll(kind, ns, options);
    }
    if (!list.ok()) {
      if (list.status().code() == Code::kNotFound) continue;
      // Kinds only an opt-in makes (sync.toHost.priorityClasses, podDisruptionBudgets: by the
      // syncer; sleepMode.autoWakeup: by create), and only a user who may manage them could
      // make or grant that (RBAC refuses granting what one has not): another has none.
      if (list.status().code() == Code::kForbidden &&
          (kind.resource == r::kPriorityClasses.resource ||
           kind.resource == r::kPodDisruptionBudgets.resource ||
           kind.resource == r::kCronJobs.resource)) {
        continue;
      }
      return list.status().Annotate("list " + kind.GroupResource());
    }
    for (auto& item : list->items) {
      OwnedObject o{kind, kind.namespaced ? Str(item, "/metadata/namespace") : "",
                    Str(item, "/metadata/name"), std::move(item)};
      if (kind.namespaced && o.namespace_.empty()) o.namespace_ = ns;
      out.push_back(std::move(o));
    }
  }
  return out;
}

std::string Str(const nlohmann::json& j, const char* pointer) {
  const nlohmann::json::json_pointer p(pointer);
  if (!j.is_object() || !j.contains(p) || !j[p].is_string()) return {};
  return j[p].get<std::string>();
}

std::string Annotation(const nlohmann::json& object, const std::string& key) {
  if (!object.is_object()) return {};
  const auto& a = object.value("/metadata/annotations"_json_pointer, nlohmann::json::object());
  if (!a.is_object() || !a.contains(key) || !a[key].is_string()) return {};
  return a[key].get<std::string>();
}

StatusOr<nlohmann::json> GetOrNull(kube::Client& client, const kube::Resource& r,
                                   const std::string& ns, const std::string& name) {
  auto got = client.Get(r, ns, name);
  if (got.ok()) return *got;
  if (got.status().code() == Code::kNotFound) return nlohmann::json();
  return got.status();
}

std::string NowRfc3339() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace vc::cli::lifecycle
