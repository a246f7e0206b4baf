// SPDX-License-Identifier: Apache-2.0
// EndpointsSyncer: the Endpoints of selector-less virtual Services -> host Endpoints of the
// same (translated) name, translate/endpoints_translator.h. A SyncedPair of Endpoints plus the
// virtual Services, which feed the same keys (a Service and its Endpoints share ns/name): a
// Service that gains a selector, is refused or is deleted takes our host Endpoints with it.
// Host Endpoints changed or deleted behind the syncer's back are put back by the host cache's
// events. Runs when Services are synced (sync.toHost.services and .endpoints).
//
// The ServiceSyncer recreates a virtual Service to give it the host's ClusterIP. The virtual
// controller-manager's endpoints controller, seeing the Service deleted, deletes the Endpoints
// of that name, hand-written ones included, nearly always before it sees the new Service (20
// of 20 in a test). So the ServiceSyncer first asks this syncer to keep a copy
// (KeepAcrossServiceRecreation), which it puts back if the Endpoints vanish within
// kRecreationWindow while the selector-less Service is there.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "vc/kube/informer.h"
#include "vc/syncer/sync/sync_context.h"
#include "vc/syncer/sync/synced_pair.h"
#include "vc/syncer/sync/work_queue.h"

namespace vc::syncer::sync {

class EndpointsSyncer : public KindSyncer {
 public:
  explicit EndpointsSyncer(std::shared_ptr<const SyncContext> ctx);
  ~EndpointsSyncer() override { Stop(); }

  std::string name() const override { return "endpoints"; }
  void Start() override;
  bool WaitForSync(std::chrono::milliseconds timeout) override;
  void Stop() override;

  // The virtual Service is about to be deleted and created again (same spec, another
  // ClusterIP): keep its Endpoints, if it has any we sync, to put back when they are lost.
  void KeepAcrossServiceRecreation(const nlohmann::json& virtual_service);

  // How long a kept copy waits for the endpoints controller's delete. It acts within
  // milliseconds normally; a longer wait only widens the one false positive (the tenant
  // deleting those Endpoints itself, right after, when the controller did not).
  static constexpr std::chrono::seconds kRecreationWindow{60};

 private:
  struct Kept {
    nlohmann::json endpoints;  // the last virtual Endpoints seen
    std::chrono::steady_clock::time_point until;
  };

  Status Reconcile(const std::string& key);
  void EnqueueOf(const nlohmann::json& service);
  // The kept copy of `key`'s Endpoints, refreshed with `current` (same uid) and dropped once
  // expired; nullopt when there is none.
  std::optional<nlohmann::json> KeptCopy(const std::string& key,
                                         const std::optional<nlohmann::json>& current);
  Status PutBack(const std::string& key, const nlohmann::json& kept);

  std::shared_ptr<const SyncContext> ctx_;
  std::mutex mu_;  // kept_: the service syncer's thread and our worker
  std::map<std::string, Kept> kept_;
  Controller controller_;
  kube::Informer services_;  // virtual Services: what decides whether a key is synced
  SyncedPair pair_;          // after controller_: it feeds and stops it
};

}  // namespace vc::syncer::sync
