// SPDX-License-Identifier: Apache-2.0
// Holds a tenant to its per-node budget: divides it over the tenant's pods (TenantBudget),
// finds their cgroups (PodCgroupLocator) and reconciles limits through CgroupFs, writing only
// what differs from what the kernel reports. Reports the tenant's usage.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "vc/agent/cgroup/cgroup_fs.h"
#include "vc/agent/cgroup/pod_cgroup_locator.h"
#include "vc/agent/cgroup/tenant_budget.h"
#include "vc/status.h"

namespace vc::agent {

// A tenant as the agent sees it on this node: its budget and its pods that are not finished.
struct TenantPods {
  std::string tenant;
  NodeBudget budget;
  std::vector<PodResources> pods;
};

struct PodQuotaResult {
  std::string uid;
  std::string cgroup;    // relative to the hierarchy root; empty when not found
  CgroupLimits desired;  // this pod's share of the budget
  CgroupLimits written;  // what this reconcile wrote (empty when the kernel already agreed)
  Status status;         // NotFound: kubelet has not made the cgroup yet; retried next time
};

struct TenantQuotaReport {
  std::string tenant;
  bool overcommitted = false;
  std::vector<PodQuotaResult> pods;  // in the order the limits were written
  int writes = 0;                    // pods whose limits were written
  int failures = 0;                  // pods with a status other than ok or NotFound
};

struct TenantUsage {
  std::string tenant;
  CgroupUsage total;
  std::map<std::string, CgroupUsage> pods;  // by uid, the pods whose cgroup was read
  int pods_missing = 0;                     // pods without a cgroup (yet) or unreadable
};

class QuotaEnforcer {
 public:
  // `layout` is what locator.DetectLayout() found at start; it does not change while the
  // node runs. The references must outlive the enforcer.
  QuotaEnforcer(const PodCgroupLocator& locator, CgroupLayout layout, CgroupFs& fs,
                BudgetPolicy policy = {});

  // Idempotent: running it twice with the same pods writes nothing the second time. Every pod
  // is part of the division, also those whose cgroup is not there yet, so that the shares of
  // the others do not swing when it appears. Tightening writes go before loosening ones.
  // Fails only for an invalid budget; per-pod failures are in the report.
  StatusOr<TenantQuotaReport> Reconcile(const TenantPods& tenant);

  TenantUsage Usage(const TenantPods& tenant);

 private:
  const PodCgroupLocator& locator_;
  CgroupLayout layout_;
  CgroupFs& fs_;
  BudgetPolicy policy_;
};

}  // namespace vc::agent
