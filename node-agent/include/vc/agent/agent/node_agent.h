// SPDX-License-Identifier: Apache-2.0
// NodeAgent: one reconcile pass of the agent over what its informers saw. No threads and no
// watches of its own (ReconcileLoop in reconcile_loop.h drives it), so tests hand it views and
// look at the datapath/cgroup fakes afterwards.
//
// A pass runs every step even when an earlier one failed, and reports the first failure:
//   1. segmentation: BuildNodePolicy -> SegmentationEnforcer::Enforce (fail-closed diff);
//   2. quotas: QuotaEnforcer::Reconcile per tenant with a budget (Metrics() reads the usage of
//      the last pass's pods when it is called: a pass may be one resync period old);
//   3. eviction: on a node dedicated to tenant T, every pod that is not T's (PodsToEvict) is
//      deleted (uid precondition; no PodDisruptionBudget outranks a dedication, and the API
//      holds the agent to its own node only on deletes); an Event is recorded on the pod.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "vc/agent/agent/agent_metrics.h"
#include "vc/agent/agent/node_view.h"
#include "vc/agent/agent/tenant_ids.h"
#include "vc/agent/cgroup/quota_enforcer.h"
#include "vc/agent/datapath/segmentation_enforcer.h"
#include "vc/agent/datapath/segmentation_maps.h"
#include "vc/clock.h"
#include "vc/kube/client.h"
#include "vc/status.h"

namespace vc::agent {

// What the informers hold; `node` is null until the Node was seen.
struct ClusterView {
  nlohmann::json node;
  std::vector<nlohmann::json> pods;  // this node's
  std::vector<nlohmann::json> tenants;
  std::vector<nlohmann::json> services;         // for shared services named by Service
  std::vector<nlohmann::json> workloads;        // tenant workload pods of every node
  std::vector<nlohmann::json> endpoint_slices;  // of the Services above
};

// Where datapath calls (tc, veth lookups) must run when the pods' veths are in another network
// namespace than the agent's (--pod-netns). API calls must stay in the agent's own namespace,
// so only the segmentation step enters it, and leaves it afterwards.
class DatapathNamespace {
 public:
  virtual ~DatapathNamespace() = default;
  virtual Status Enter() = 0;
  virtual void Leave() = 0;
};

struct NodeAgentOptions {
  std::string node_name;
  std::string tenant_ids_path;                  // where ids are kept ("" : not persisted, tests)
  DatapathNamespace* datapath_netns = nullptr;  // null: the calling thread's
};

class NodeAgent {
 public:
  // `quotas` and `client` may be null: no cgroup quotas (layout not found), no evictions.
  NodeAgent(NodeAgentOptions options, SegmentationEnforcer& segmentation, SegmentationMaps& maps,
            QuotaEnforcer* quotas, kube::Client* client, TenantIdAllocator ids,
            std::shared_ptr<vc::Clock> clock = vc::Clock::Real());

  // Re-enforces what the store recorded (start-up, before the API server answers).
  Status Restore();
  Status ReconcileOnce(const ClusterView& view);

  // A pass left work for later: pods without a veth, a failed step, an eviction pending.
  bool NeedsRetry() const;
  bool ready() const;
  vc::Clock::TimePoint last_pass() const;
  // Counters and cgroup usage are read now; the rest is the last pass's.
  MetricsSnapshot Metrics();

 private:
  Status Segment(const NodePolicy& policy);
  Status Quotas(const NodePolicy& policy);
  Status Evict(const ClusterView& view);
  void RecordEvent(const nlohmann::json& pod_ref, const std::string& reason,
                   const std::string& message);
  void CountError(const std::string& step);

  const NodeAgentOptions options_;
  SegmentationEnforcer& segmentation_;
  SegmentationMaps& maps_;
  QuotaEnforcer* quotas_;
  kube::Client* client_;
  std::shared_ptr<vc::Clock> clock_;

  TenantIdAllocator ids_;                    // reconcile thread only
  std::set<std::string> reported_problems_;  // logged once while they last
  std::set<std::string> evicted_;            // uids evicted or deleted, until they leave the view

  std::mutex quota_mu_;    // one caller of quotas_ at a time (reconcile thread, /metrics)
  mutable std::mutex mu_;  // what Metrics() and the probes read; never held with quota_mu_
  std::map<TenantId, TenantOnNode> tenants_;
  std::map<std::string, TenantQuotaReport> quota_reports_;
  std::vector<TenantPods> quota_tenants_;  // the last pass's, for usage
  int enforced_pods_ = 0;
  int pods_without_veth_ = 0;
  bool retry_ = false;
  bool ready_ = false;
  uint64_t reconciles_ = 0;
  std::map<std::string, uint64_t> errors_;
  uint64_t evictions_ = 0;
  double last_success_unix_ = 0;
  vc::Clock::TimePoint last_pass_{};
};

}  // namespace vc::agent
