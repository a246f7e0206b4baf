// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/sync/synced_pair.h"

#include "vc/labels.h"
#include "vc/syncer/translate/names.h"

namespace vc::syncer::sync {

using nlohmann::json;

SyncedPair::SyncedPair(const SyncContext& ctx, const kube::Resource& resource,
                       Controller* controller, std::function<void(const json&)> on_delete)
    : controller_(controller) {
  auto on_virtual = [controller](const json& o, Origin origin = Origin::kVirtual) {
    controller->Enqueue(kube::Informer::KeyOf(o), origin);
  };
  auto on_virtual_gone = [on_virtual, on_delete](const json& o) {
    on_virtual(o);
    if (on_delete) on_delete(o);
  };
  auto on_host = [controller](const json& o, Origin origin = Origin::kHost) {
    if (auto key = translate::VirtualKeyOf(o); !key.empty()) controller->Enqueue(key, origin);
  };
  virtual_ = std::make_unique<kube::Informer>(
      ctx.virtual_cluster,
      kube::InformerOptions{.resource = resource, .resync_period = ctx.resync_period},
      kube::InformerHandlers{
          [=](const json& o) { on_virtual(o); },
          [=](const json& old, const json& o) {
            on_virtual(o, OriginOfUpdate(old, o, Origin::kVirtual));  // a resync is no change
          },
          on_virtual_gone});
  host_ = std::make_unique<kube::Informer>(
      ctx.host,
      kube::InformerOptions{
          .resource = resource,
          .namespace_ = resource.namespaced ? ctx.tenant.host_namespace : "",
          // Cluster-scoped copies of same-named tenants of other host
          // namespaces share the scope: told apart by their namespace label.
          .label_selector = translate::SyncedSelector(ctx.tenant) +
                            (resource.namespaced ? ""
                                                 : std::string(",") + labels::kTenantNamespace +
                                                       "=" + ctx.tenant.host_namespace)},
      kube::InformerHandlers{[=](const json& o) { on_host(o); },
                             [=](const json& old, const json& o) {
                               on_host(o, OriginOfUpdate(old, o, Origin::kHost));
                             },
                             [=](const json& o) {
                               on_host(o);
                               if (on_delete) on_delete(o);
                             }});
  controller->ReportTo(ctx.metrics, [this] { return host_->Size(); });
}

void SyncedPair::Start() {
  virtual_->Start();
  host_->Start();
}

bool SyncedPair::WaitForSync(std::chrono::milliseconds timeout) {
  const bool synced = virtual_->WaitForSync(timeout) && host_->WaitForSync(timeout);
  if (synced) controller_->Start();
  return synced;
}

void SyncedPair::Stop() {
  if (virtual_) virtual_->Cancel();
  if (host_) host_->Cancel();
  controller_->Stop();
  if (virtual_) virtual_->Stop();
  if (host_) host_->Stop();
}

}  // namespace vc::syncer::sync
