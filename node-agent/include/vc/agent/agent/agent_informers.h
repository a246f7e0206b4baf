// SPDX-License-Identifier: Apache-2.0
// AgentInformers: the watches the agent reconciles from, and the ClusterView it copies out of
// them for a pass (node_agent.h). Every change that matters calls `on_change` (the reconcile
// loop's ChangeSignal):
//   - this node's pods (spec.nodeName) and tenant workload pods of every node (their
//     addresses tell peers here which tenant they are), slimmed (SlimPod);
//   - this Node;
//   - Services and EndpointSlices, slimmed to what service_backends.h reads (shared services
//     named by Service, tenants' own Services);
//   - Tenants in all namespaces, once the CRD is served (TenantsUsable).
// Start and Stop come from the agent's start-up steps; Synced, View and TenantsUsable are for
// the reconcile thread only.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "vc/agent/agent/node_agent.h"
#include "vc/kube/client.h"
#include "vc/kube/informer.h"

namespace vc::agent {

class AgentInformers {
 public:
  AgentInformers(std::shared_ptr<kube::Client> client, std::string node_name,
                 std::chrono::milliseconds resync_period, std::function<void()> on_change);
  AgentInformers(const AgentInformers&) = delete;
  AgentInformers& operator=(const AgentInformers&) = delete;

  // Starts every informer but the Tenants' (TenantsUsable starts that one).
  void Start();
  // Stops what was started; once the reconcile thread, which may start the Tenants' informer,
  // has ended.
  void Stop();

  // Every first list done: a partial view would read as "pods gone".
  bool Synced();
  // The Tenant CRD may not be installed yet (kubectl vc create installs it): then every tenant
  // pod is zero trust (no Tenant object), and the CRD is looked for again every 30 s (2 s when
  // the API did not answer). True once the Tenants synced, or while the CRD is known missing.
  bool TenantsUsable();
  bool watching_tenants() const { return tenants_ != nullptr; }
  size_t pod_count() const { return pods_->List().size(); }
  size_t tenant_count() const { return tenants_ ? tenants_->List().size() : 0; }

  // What the informers hold now. Also decides which EndpointSlices wake the loop from now on.
  ClusterView View();

 private:
  kube::InformerHandlers NotifyEveryChange();
  kube::InformerHandlers NotifyNamedSlices();
  // EndpointSlices change with every pod of the cluster: only those of Services a Tenant names
  // (as of the last View) and those of tenants' own Services (the controllers copy a
  // Service's labels to its slices) wake the loop. A Tenant naming another Service wakes it
  // through the Tenant informer, and that pass reads every slice from the cache.
  bool SliceOfNamedService(const nlohmann::json& slice);
  void NameServicesOf(const std::vector<nlohmann::json>& tenants);

  const std::shared_ptr<kube::Client> client_;
  const std::string node_name_;
  const std::chrono::milliseconds resync_period_;
  const std::function<void()> on_change_;
  std::mutex named_mu_;
  std::set<std::string> named_services_;  // "namespace/name"

  bool crd_missing_logged_ = false;  // reconcile thread only, as the two below
  std::chrono::steady_clock::time_point next_crd_check_ = std::chrono::steady_clock::now();

  // Last: destroyed, which stops them, before anything their handlers use.
  std::unique_ptr<kube::Informer> pods_, workloads_, nodes_, services_, slices_, tenants_;
};

}  // namespace vc::agent
