// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/sync/manifests.h"

#include "vc/log.h"
#include "vc/yaml.h"

namespace vc::syncer::sync {

using nlohmann::json;
namespace r = kube::resources;

StatusOr<kube::Resource> ResourceOfObject(const json& object) {
  static const kube::Resource* kKnown[] = {&r::kNamespaces,
                                           &r::kPods,
                                           &r::kServices,
                                           &r::kEndpoints,
                                           &r::kConfigMaps,
                                           &r::kSecrets,
                                           &r::kServiceAccounts,
                                           &r::kPersistentVolumeClaims,
                                           &r::kResourceQuotas,
                                           &r::kLimitRanges,
                                           &r::kDeployments,
                                           &r::kStatefulSets,
                                           &r::kDaemonSets,
                                           &r::kReplicaSets,
                                           &r::kRoles,
                                           &r::kRoleBindings,
                                           &r::kClusterRoles,
                                           &r::kClusterRoleBindings,
                                           &r::kIngresses,
                                           &r::kNetworkPolicies,
                                           &r::kPodDisruptionBudgets};
  const std::string api_version = object.value("apiVersion", "");
  const std::string kind = object.value("kind", "");
  for (const auto* res : kKnown) {
    if (res->kind == kind && res->ApiVersion() == api_version) return *res;
  }
  return NotFound("deploy manifests: " + api_version + " " + kind +
                  " is not a kind vc-syncer knows how to apply");
}

Status ApplyObjects(kube::Client& vc, const std::vector<json>& objects) {
  for (const json& o : objects) {
    if (!o.is_object()) continue;
    ASSIGN_OR_RETURN(kube::Resource res, ResourceOfObject(o));
    const json& meta = o.value("metadata", json::object());
    const std::string name = meta.value("name", "");
    const std::string ns = res.namespaced ? meta.value("namespace", "default") : "";
    json body = o;
    if (res.namespaced) body["metadata"]["namespace"] = ns;
    auto applied =
        vc.Apply(res, ns, name, body.dump(), {.field_manager = "vc-syncer", .force = true});
    if (!applied.ok()) {
      return applied.status().Annotate("apply " + res.kind + " " + (ns.empty() ? "" : ns + "/") +
                                       name);
    }
    VC_LOG(Info) << "applied " << res.kind << " " << (ns.empty() ? "" : ns + "/") << name;
  }
  return Status::Ok();
}

Status DeployManifests(kube::Client& vc, const std::string& manifests) {
  if (manifests.empty()) return Status::Ok();
  ASSIGN_OR_RETURN(auto docs, yaml::ParseAll(manifests, "experimental.deploy.vcluster.manifests"));
  std::vector<json> objects;
  for (const auto& doc : docs) objects.push_back(doc.value);
  return ApplyObjects(vc, objects);
}

}  // namespace vc::syncer::sync
