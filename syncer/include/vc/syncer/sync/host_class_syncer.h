// SPDX-License-Identifier: Apache-2.0
// HostClassSyncer: cluster-scoped host "class" objects the tenant may use but not change
// (sync.fromHost.{ingressClasses,runtimeClasses,storageClasses,csiDrivers,csiNodes,
// priorityClasses})
// mirrored into the virtual cluster as they are (name, labels, annotations, every field but
// status), marked kubectl-vc.dev/from-host=true, deleted when the
// host deletes them. A virtual object of the same name the tenant made is left alone.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vc/kube/informer.h"
#include "vc/syncer/sync/sync_context.h"
#include "vc/syncer/sync/work_queue.h"

namespace vc::syncer::sync {

// The virtual copy of a host class object (a PriorityClass is never the default there): pure.
nlohmann::json VirtualClassObject(const nlohmann::json& host_object);
// A host object a tenant's syncer made (a toHost PriorityClass copy): not the host's own, never
// mirrored.
bool SyncedByATenant(const nlohmann::json& host_object);

class HostClassSyncer : public KindSyncer {
 public:
  HostClassSyncer(std::shared_ptr<const SyncContext> ctx, kube::Resource resource);
  ~HostClassSyncer() override { Stop(); }

  std::string name() const override { return resource_.resource + " from host"; }
  void Start() override;
  bool WaitForSync(std::chrono::milliseconds timeout) override;
  void Stop() override;

  // The host's objects of the kind, from the cache (the pod syncer's RuntimeClasses).
  std::vector<nlohmann::json> HostObjects() const;
  // The host's own object `name` (none for a tenant's synced copy), from the cache.
  std::optional<nlohmann::json> HostObject(const std::string& name) const;

 private:
  Status Reconcile(const std::string& name);

  std::shared_ptr<const SyncContext> ctx_;
  kube::Resource resource_;
  std::unique_ptr<kube::Informer> host_;
  Controller controller_;
};

}  // namespace vc::syncer::sync
