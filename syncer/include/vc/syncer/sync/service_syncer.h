// SPDX-License-Identifier: Apache-2.0
// ServiceSyncer: virtual Services -> host Services (object_translator.h), and the host's
// ClusterIP back. A Service's ClusterIP is immutable, so the virtual Service is recreated with
// the host's address (both clusters allocate from the same service CIDR by default, as
// vcluster does); that is what makes the virtual cluster's DNS and env answer with an address
// that works on the host. A type the values forbid is refused with an Event. The Endpoints of
// a selector-less Service survive that recreation through the EndpointsSyncer. The virtual
// API server's own default/kubernetes is kept on the host Service in front of it
// (translate/apiserver_service.h).
#pragma once

#include <memory>
#include <optional>

#include "vc/kube/informer.h"
#include "vc/syncer/sync/endpoints_syncer.h"
#include "vc/syncer/sync/sync_context.h"
#include "vc/syncer/sync/synced_pair.h"
#include "vc/syncer/sync/work_queue.h"

namespace vc::syncer::sync {

class ServiceSyncer : public KindSyncer {
 public:
  explicit ServiceSyncer(std::shared_ptr<const SyncContext> ctx);
  ~ServiceSyncer() override { Stop(); }

  std::string name() const override { return "services"; }
  void Start() override;
  bool WaitForSync(std::chrono::milliseconds timeout) override;
  void Stop() override;

  // Set when Endpoints are synced; it must outlive this syncer's worker.
  void SetEndpoints(EndpointsSyncer* endpoints) { endpoints_ = endpoints; }
  // The virtual Services of namespace `ns`, from the cache (the pod syncer's service links).
  std::vector<nlohmann::json> VirtualServices(const std::string& ns) const;

 private:
  Status Reconcile(const std::string& key);
  StatusOr<nlohmann::json> CreateOnHost(const nlohmann::json& vsvc, const nlohmann::json& want);
  Status AdoptHostClusterIp(const nlohmann::json& vsvc, const std::string& ip,
                            const std::optional<nlohmann::json>& host_ports);
  Status AdoptHostNodePorts(const nlohmann::json& vsvc, const nlohmann::json& ports);
  Status KeepApiServerService();
  Status KeepVirtual(const kube::Resource& resource, nlohmann::json want);

  std::shared_ptr<const SyncContext> ctx_;
  EndpointsSyncer* endpoints_ = nullptr;
  bool apiserver_ip_refused_ = false;  // the worker's alone
  Controller controller_;
  SyncedPair pair_;  // after controller_: it feeds and stops it
};

}  // namespace vc::syncer::sync
