// SPDX-License-Identifier: Apache-2.0
// A tenant's per-node budget, divided into per-pod cgroup limits. Pure: values in, values out.
//
// Why per-pod division and not one tenant-level parent cgroup holding the whole budget:
// kubelet owns every cgroup above a pod. It creates kubepods/<qos>/pod<uid> (or the systemd
// slices), hands that path to the container runtime as the sandbox's cgroup parent, and keeps
// re-writing the QoS parents (cpu.shares for burstable/besteffort every minute, memory limits
// with --qos-reserved). A tenant cgroup cannot be slotted in between without kubelet's help:
//  - limiting the QoS parents would throttle every tenant on the node together;
//  - moving a pod's processes into a tenant cgroup of our own would hide them from kubelet's
//    stats and eviction, and runc/containerd would still create new containers (exec, restarts)
//    under the pod path kubelet gave them;
//  - creating tenant cgroups under kubepods and re-parenting pods is not something cgroups can
//    do at all (a cgroup cannot be moved).
// So the budget is split across the pod cgroups kubelet made, which works unchanged for both
// drivers and both versions. The price: limits are not work-conserving inside a tenant (an idle
// pod's cpu share is not lent to a busy sibling) and a pod can hit its memory share while the
// tenant as a whole is under budget. Dividing by requests keeps the split where the tenant
// asked for it, and the enforcer re-divides whenever pods come or go.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "vc/agent/cgroup/cgroup_layout.h"
#include "vc/agent/cgroup/cgroup_limits.h"
#include "vc/status.h"

namespace vc::agent {

// A tenant's budget on one node. 0 for a resource: no budget, the agent leaves it alone.
struct NodeBudget {
  int64_t cpu_millicores = 0;
  int64_t memory_bytes = 0;
  int64_t pids = 0;
};

// What the division needs to know of a pod: its requests (the weights) and the pod-level
// limits kubelet applied itself (sum over containers when all have limits; 0 when none). The
// caller passes effective requests (Kubernetes defaults a missing request to the limit).
struct PodResources {
  std::string uid;
  QosClass qos = QosClass::kBestEffort;
  int64_t cpu_request_millicores = 0;
  int64_t memory_request_bytes = 0;
  int64_t cpu_limit_millicores = 0;
  int64_t memory_limit_bytes = 0;
};

// Floors that keep every pod runnable, however many pods share a small budget.
struct BudgetPolicy {
  int64_t cpu_period_us = kDefaultCpuPeriodUs;
  int64_t min_cpu_millicores = 10;      // 1ms per 100ms period: the kernel's smallest CFS quota
  int64_t min_memory_bytes = 16 << 20;  // the pause container and a shell fit
  int64_t min_pids = 16;
};

struct BudgetDivision {
  std::map<std::string, CgroupLimits> pods;  // by pod uid
  // The floors alone exceed the budget: every pod got the floor, so together the tenant's pods
  // may use more than its budget. Reported, so that an operator can raise it or move pods.
  bool overcommitted = false;
};

class TenantBudget {
 public:
  explicit TenantBudget(NodeBudget budget, BudgetPolicy policy = {});

  // Negative amounts, a period outside the kernel's range [1ms, 1s] or non-positive floors.
  Status Validate() const;

  // Per resource that has a budget:
  //  1. every pod gets the floor (policy minimum);
  //  2. the rest is split in proportion to the pods' requests for that resource; when no pod
  //     requests it, evenly. A pod without a request, next to pods with one, keeps the floor
  //     (BestEffort semantics: first to be squeezed);
  //  3. no pod gets more than the limit kubelet already put on it (we never loosen kubelet's
  //     limits); what such a pod cannot take goes to the others, again by request.
  // Amounts are rounded down (memory to pages, so the kernel reads back what we wrote), so the
  // shares never add up to more than the budget unless `overcommitted`.
  BudgetDivision Divide(const std::vector<PodResources>& pods) const;

  const NodeBudget& budget() const { return budget_; }
  const BudgetPolicy& policy() const { return policy_; }

 private:
  NodeBudget budget_;
  BudgetPolicy policy_;
};

// The split of one resource, exposed for tests: `total` over pods with `weights`, each given
// at least `floor` and at most its `caps` entry (0: no cap), in multiples of `granule`.
struct AmountSplit {
  std::vector<int64_t> shares;
  bool overcommitted = false;
};
AmountSplit SplitAmount(int64_t total, const std::vector<int64_t>& weights,
                        const std::vector<int64_t>& caps, int64_t floor, int64_t granule);

}  // namespace vc::agent
