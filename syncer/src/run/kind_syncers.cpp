// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/run/kind_syncers.h"

#include <string>
#include <utility>

#include "vc/syncer/sync/custom_resource_syncers.h"
#include "vc/syncer/sync/endpoints_syncer.h"
#include "vc/syncer/sync/event_syncer.h"
#include "vc/syncer/sync/host_class_syncer.h"
#include "vc/syncer/sync/host_config_map_syncer.h"
#include "vc/syncer/sync/node_syncer.h"
#include "vc/syncer/sync/object_syncer.h"
#include "vc/syncer/sync/pod_syncer.h"
#include "vc/syncer/sync/service_syncer.h"

namespace vc::syncer::run {
namespace {

// The list as it grows.
struct Wiring {
  std::shared_ptr<sync::SyncContext> ctx;
  KindSyncers syncers;
};

// The syncers that others call into, kept while they are wired together; null when off.
struct SyncerLinks {
  sync::ObjectSyncer* config_maps = nullptr;
  sync::ObjectSyncer* secrets = nullptr;
  sync::ObjectSyncer* pvcs = nullptr;
  sync::ObjectSyncer* priority_classes = nullptr;
  const sync::ServiceSyncer* services = nullptr;
  const sync::HostClassSyncer* host_priority_classes = nullptr;
  const sync::HostClassSyncer* runtime_classes = nullptr;
};

sync::ObjectSyncer* AddObjectSyncer(Wiring* w, sync::ObjectKind kind) {
  auto syncer = std::make_unique<sync::ObjectSyncer>(w->ctx, std::move(kind));
  auto* raw = syncer.get();
  w->syncers.push_back(std::move(syncer));
  return raw;
}

void AddObjectSyncers(Wiring* w, SyncerLinks* links) {
  const auto& c = w->ctx->config;
  if (c.config_maps) links->config_maps = AddObjectSyncer(w, sync::ConfigMapKind(c));
  if (c.secrets) links->secrets = AddObjectSyncer(w, sync::SecretKind(c));
  if (c.pvcs) links->pvcs = AddObjectSyncer(w, sync::PvcKind());
  if (c.ingresses) AddObjectSyncer(w, sync::IngressKind())->SetSecrets(links->secrets);
  if (c.pod_disruption_budgets) AddObjectSyncer(w, sync::PodDisruptionBudgetKind());
  if (c.network_policies) AddObjectSyncer(w, sync::NetworkPolicyKind());
  if (c.priority_classes) links->priority_classes = AddObjectSyncer(w, sync::PriorityClassKind());
}

void AddServiceSyncers(Wiring* w, SyncerLinks* links) {
  const auto& c = w->ctx->config;
  if (!c.services) return;
  auto services = std::make_unique<sync::ServiceSyncer>(w->ctx);
  links->services = services.get();
  // Endpoints of selector-less Services follow the Services. Started before them and
  // stopped after them: the service syncer calls into it.
  if (c.endpoints) {
    auto endpoints = std::make_unique<sync::EndpointsSyncer>(w->ctx);
    services->SetEndpoints(endpoints.get());
    w->syncers.push_back(std::move(endpoints));
    AddObjectSyncer(w, sync::EndpointSliceKind());  // the slices a tenant writes by hand
  }
  w->syncers.push_back(std::move(services));
}

const sync::HostClassSyncer* AddHostClassSyncer(Wiring* w, const kube::Resource& resource) {
  auto syncer = std::make_unique<sync::HostClassSyncer>(w->ctx, resource);
  const auto* raw = syncer.get();
  w->syncers.push_back(std::move(syncer));
  return raw;
}

// The host's cluster-scoped classes the tenant may see but not change.
void AddHostClassSyncers(Wiring* w, SyncerLinks* links) {
  const auto& c = w->ctx->config;
  for (const auto& [wanted, resource] :
       {std::pair{c.ingress_classes, &kube::resources::kIngressClasses},
        std::pair{c.storage_classes, &kube::resources::kStorageClasses},
        std::pair{c.csi_drivers, &kube::resources::kCsiDrivers},
        std::pair{c.csi_nodes, &kube::resources::kCsiNodes}}) {
    if (wanted) AddHostClassSyncer(w, *resource);
  }
  if (c.host_priority_classes) {
    links->host_priority_classes = AddHostClassSyncer(w, kube::resources::kPriorityClasses);
  }
  if (c.runtime_classes) {
    links->runtime_classes = AddHostClassSyncer(w, kube::resources::kRuntimeClasses);
  }
}

// Pods, the pseudo nodes they are bound to and their Events, wired to the syncers above.
void AddPodSyncers(Wiring* w, const SyncerLinks& links) {
  const auto& c = w->ctx->config;
  if (!c.pods) return;
  auto pods =
      std::make_unique<sync::PodSyncer>(w->ctx, links.config_maps, links.secrets, links.pvcs);
  auto* pods_raw = pods.get();
  auto nodes = std::make_unique<sync::NodeSyncer>(w->ctx, [pods_raw](const std::string& node) {
    const int n = pods_raw->BoundPods(node);
    return n < 0 ? 1 : n;  // unknown: keep the node
  });
  pods->SetNodes(nodes.get());
  pods->SetServices(links.services);
  pods->SetRuntimeClasses(links.runtime_classes);
  pods->SetPriorityClasses(links.priority_classes);
  pods->SetHostPriorityClasses(links.host_priority_classes);
  w->syncers.push_back(std::move(nodes));
  w->syncers.push_back(std::move(pods));
  if (c.events) {
    w->syncers.push_back(std::make_unique<sync::EventSyncer>(
        w->ctx,
        [pods_raw](const std::string& host_pod) { return pods_raw->VirtualPodOf(host_pod); }));
  }
}

}  // namespace

StatusOr<KindSyncers> BuildKindSyncers(const std::shared_ptr<sync::SyncContext>& ctx,
                                       std::chrono::milliseconds timeout) {
  Wiring w{ctx, {}};
  SyncerLinks links;
  AddObjectSyncers(&w, &links);
  AddServiceSyncers(&w, &links);
  AddHostClassSyncers(&w, &links);
  if (!ctx->config.config_map_mappings.empty()) {
    w.syncers.push_back(std::make_unique<sync::HostConfigMapSyncer>(ctx));
  }
  ASSIGN_OR_RETURN(auto custom, sync::CustomResourceSyncers(ctx, timeout));
  for (auto& syncer : custom) w.syncers.push_back(std::move(syncer));
  AddPodSyncers(&w, links);
  return std::move(w.syncers);
}

}  // namespace vc::syncer::run
