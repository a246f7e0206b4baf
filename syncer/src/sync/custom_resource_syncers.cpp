// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/sync/custom_resource_syncers.h"

#include <thread>

#include "vc/log.h"
#include "vc/syncer/sync/host_class_syncer.h"
#include "vc/syncer/sync/object_syncer.h"
#include "vc/syncer/translate/custom_resources.h"

namespace vc::syncer::sync {

using nlohmann::json;
namespace r = kube::resources;

namespace {

// The virtual CRD as the host's, made or corrected; its resource once the virtual API server
// serves it (a list answers).
StatusOr<json> InstallCrd(const SyncContext& ctx, const std::string& name, const char* direction,
                          std::chrono::milliseconds timeout) {
  auto host_crd = ctx.host->Get(r::kCustomResourceDefinitions, "", name);
  if (!host_crd.ok() && host_crd.status().code() == Code::kNotFound) {
    return FailedPrecondition(std::string("sync.") + direction + ".customResources names " + name +
                              ", which the host cluster has no CustomResourceDefinition of; "
                              "install it on the host, or take it out of the values");
  }
  if (!host_crd.ok()) return host_crd.status().Annotate("read the host's CRD " + name);
  const json want = translate::VirtualCrd(*host_crd);
  auto applied = ctx.virtual_cluster->Apply(r::kCustomResourceDefinitions, "", name, want.dump(),
                                            {.field_manager = "vc-syncer", .force = true});
  if (!applied.ok()) return applied.status().Annotate("install CRD " + name);
  ASSIGN_OR_RETURN(const kube::Resource resource, translate::CrdResource(*host_crd));
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto listed = ctx.virtual_cluster->List(resource, "", {.limit = 1});
    if (listed.ok()) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      return Timeout("the virtual API server does not serve " + name + " within " +
                     std::to_string(timeout.count() / 1000) + "s: " + listed.status().message());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // poll with a deadline
  }
  VC_LOG(Info) << "installed CRD " << name << " from the host";
  return *host_crd;
}

}  // namespace

ObjectKind CustomResourceKind(kube::Resource resource, bool status_subresource,
                              translate::CustomResourceSync sync) {
  auto shared = std::make_shared<const translate::CustomResourceSync>(std::move(sync));
  ObjectKind kind;
  kind.resource = std::move(resource);
  kind.translate = [shared](const json& v, const translate::Tenant& tenant) {
    return translate::TranslateCustomResource(v, tenant, *shared);
  };
  kind.fields = {"*"};
  kind.sync_all = true;
  kind.status_back = [](const json& v, const json& h) -> json {
    const json want = h.value("status", json::object());
    if (want.empty() || v.value("status", json::object()) == want) return json();
    return {{"status", want}};
  };
  kind.status_subresource = status_subresource;
  kind.imports = [shared](const json& v) {
    std::vector<ObjectKind::Import> out;
    for (const auto& name : translate::ReferencedNames(v, *shared, "Secret")) {
      out.push_back({&r::kSecrets, name});
    }
    for (const auto& name : translate::ReferencedNames(v, *shared, "ConfigMap")) {
      out.push_back({&r::kConfigMaps, name});
    }
    return out;
  };
  return kind;
}

StatusOr<std::vector<std::unique_ptr<KindSyncer>>> CustomResourceSyncers(
    const std::shared_ptr<const SyncContext>& ctx, std::chrono::milliseconds timeout) {
  std::vector<std::unique_ptr<KindSyncer>> out;
  for (const auto& sync : ctx->config.to_host_custom_resources) {
    ASSIGN_OR_RETURN(const json crd, InstallCrd(*ctx, sync.name, "toHost", timeout));
    ASSIGN_OR_RETURN(kube::Resource resource, translate::CrdResource(crd));
    if (!resource.namespaced) {
      return InvalidArgument("sync.toHost.customResources." + sync.name +
                             " is cluster-scoped; only namespaced custom resources go to the "
                             "host (their copies live in the virtual cluster's namespace)");
    }
    out.push_back(std::make_unique<ObjectSyncer>(
        ctx,
        CustomResourceKind(std::move(resource), translate::CrdHasStatusSubresource(crd), sync)));
  }
  for (const auto& sync : ctx->config.from_host_custom_resources) {
    ASSIGN_OR_RETURN(const json crd, InstallCrd(*ctx, sync.name, "fromHost", timeout));
    ASSIGN_OR_RETURN(kube::Resource resource, translate::CrdResource(crd));
    if (resource.namespaced) {
      return InvalidArgument("sync.fromHost.customResources." + sync.name +
                             " is namespaced; only cluster-scoped custom resources come from the "
                             "host (scope: Cluster)");
    }
    out.push_back(std::make_unique<HostClassSyncer>(ctx, std::move(resource)));
  }
  return out;
}

}  // namespace vc::syncer::sync
