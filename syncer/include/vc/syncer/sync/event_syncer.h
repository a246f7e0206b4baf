// SPDX-License-Identifier: Apache-2.0
// EventSyncer (sync.fromHost.events): host Events about synced pods -> Events about the
// virtual pods, so `kubectl describe pod` in the virtual cluster says what the host says
// (scheduling failures, image pulls, probes). Events about anything else on the host (the
// control plane, other tenants) never cross.
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include "vc/kube/informer.h"
#include "vc/syncer/sync/sync_context.h"
#include "vc/syncer/sync/work_queue.h"

namespace vc::syncer::sync {

// The virtual Event for a host one about `virtual_pod`: pure (for tests).
nlohmann::json VirtualEventFor(const nlohmann::json& host_event, const nlohmann::json& virtual_pod);

class EventSyncer : public KindSyncer {
 public:
  // `virtual_pod_of(host_pod_name)`: the virtual pod a host pod was synced from.
  EventSyncer(std::shared_ptr<const SyncContext> ctx,
              std::function<std::optional<nlohmann::json>(const std::string&)> virtual_pod_of);
  ~EventSyncer() override { Stop(); }

  std::string name() const override { return "events from host"; }
  void Start() override;
  bool WaitForSync(std::chrono::milliseconds timeout) override;
  void Stop() override;

 private:
  Status Reconcile(const std::string& key);

  std::shared_ptr<const SyncContext> ctx_;
  std::function<std::optional<nlohmann::json>(const std::string&)> virtual_pod_of_;
  std::unique_ptr<kube::Informer> host_;
  Controller controller_;
};

}  // namespace vc::syncer::sync
