// SPDX-License-Identifier: Apache-2.0
// EndpointsSyncer: the Endpoints of selector-less virtual Services -> host Endpoints of the
// same (translated) name, translate/endpoints_translator.h. A SyncedPair of Endpoints plus the
// virtual Services, which feed the same keys (a Service and its Endpoints share ns/name): a
// Service that gains a selector, is refused or is deleted takes our host Endpoints with it.
// Host Endpoints changed or deleted behind the syncer's back are put back by the host cache's
// events. Runs when Services are synced (sync.toHost.services and .endpoints).
//
// Below trust level high only addresses of the tenant's own host pods are copied
// (translate::EndpointAddressFilter, CVE-2021-25740); the rest are left out and named in a
// Warning Event (EndpointAddressRefused) on the virtual Endpoints. The tenant's host pods are
// watched for their IPs, and an IP that comes or goes looks at every key again.
//
// The ServiceSyncer recreates a virtual Service to give it the host's ClusterIP. The virtual
// controller-manager's endpoints controller, seeing the Service deleted, deletes the Endpoints
// of that name, hand-written ones included, nearly always before it sees the new Service (20
// of 20 in a test), and Endpoints applied right after the Service may be created only after
// the recreation started. So the ServiceSyncer first opens a window for the key
// (KeepAcrossServiceRecreation): for kRecreationWindow, the last Endpoints seen under it (from
// the server then, from the cache and delete events after) are put back if they vanish while
// the selector-less Service the recreation left (ServiceRecreated) is there (again if the
// controller deletes the copy too: it reacts to its own delete), and the host copy is left
// alone meanwhile. That Service deleted, or another one made under the name, closes it.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "vc/kube/informer.h"
#include "vc/syncer/sync/sync_context.h"
#include "vc/syncer/sync/synced_pair.h"
#include "vc/syncer/sync/work_queue.h"
#include "vc/syncer/translate/endpoints_translator.h"

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
  // ClusterIP): keep its Endpoints, if it is a Service whose Endpoints we sync, to put back
  // when they are lost.
  void KeepAcrossServiceRecreation(const nlohmann::json& virtual_service);
  // The recreation is over: `uid` is the Service it left ("" when none). From now on, a
  // Service of another uid, or none, closes the window.
  void ServiceRecreated(const std::string& key, const std::string& uid);

  // How long a kept copy waits for the endpoints controller's delete. It acts within
  // milliseconds normally; a longer wait only widens the one false positive (the tenant
  // deleting those Endpoints itself, right after, when the controller did not).
  static constexpr std::chrono::seconds kRecreationWindow{60};

 private:
  struct Kept {
    // The last virtual Endpoints seen; none yet when they were created after the window opened.
    std::optional<nlohmann::json> endpoints;
    std::chrono::steady_clock::time_point until;
    bool recreated = false;   // ServiceRecreated was called ...
    std::string service_uid;  // ... with this uid
  };

  struct KeyView;  // a key's names and the caches' view of them
  Status Reconcile(const std::string& key);
  // A Warning Event on virtual Endpoints for the addresses the trust level keeps off the host.
  void WarnOfRefusedAddresses(const KeyView& view) const;
  // The plan says delete, or a recreation window is open: the server confirms before the
  // host copy goes, and a copy lost in the window is put back instead.
  Status DeleteHostEndpoints(const KeyView& view, const std::optional<Kept>& kept);
  // Creates, replaces or patches the host copy as `plan` says.
  Status WriteHostEndpoints(KeyView& view, translate::EndpointsPlan plan);
  void EnqueueOf(const nlohmann::json& service);
  // The open window of `key`, its copy refreshed with `current`; nullopt when there is none,
  // it has passed, or `current` are Endpoints made again since (another uid).
  std::optional<Kept> KeptCopy(const std::string& key,
                               const std::optional<nlohmann::json>& current);
  // A virtual Endpoints delete event: what was deleted is the copy to put back.
  void KeepDeleted(const nlohmann::json& last_known);
  void CloseWindow(const std::string& key);
  Status PutBack(const std::string& key, const nlohmann::json& kept);
  // Which addresses go to the host now: the trust level's rule over the host pods' IPs.
  translate::EndpointAddressFilter Filter() const;
  // A host pod's IPs changed: every key is looked at again (below trust level high).
  void HostPodIpsChanged(const nlohmann::json* before, const nlohmann::json* after);

  std::shared_ptr<const SyncContext> ctx_;
  std::mutex mu_;  // kept_: the service syncer's thread and our worker
  std::map<std::string, Kept> kept_;
  Controller controller_;
  kube::Informer services_;   // virtual Services: what decides whether a key is synced
  SyncedPair pair_;           // after controller_: it feeds and stops it
  kube::Informer host_pods_;  // the tenant's host pods, for their IPs (slim)
};

}  // namespace vc::syncer::sync
