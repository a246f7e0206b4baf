// SPDX-License-Identifier: Apache-2.0
#include "vc/agent/cgroup/quota_enforcer.h"

#include <algorithm>
#include <utility>

#include "vc/log.h"

namespace vc::agent {

QuotaEnforcer::QuotaEnforcer(const PodCgroupLocator& locator, CgroupLayout layout, CgroupFs& fs,
                             BudgetPolicy policy)
    : locator_(locator), layout_(layout), fs_(fs), policy_(policy) {}

StatusOr<TenantQuotaReport> QuotaEnforcer::Reconcile(const TenantPods& tenant) {
  TenantBudget budget(tenant.budget, policy_);
  RETURN_IF_ERROR(budget.Validate().Annotate("tenant " + tenant.tenant));
  BudgetDivision division = budget.Divide(tenant.pods);

  TenantQuotaReport report;
  report.tenant = tenant.tenant;
  report.overcommitted = division.overcommitted;
  if (division.overcommitted) {
    VC_LOG(Warning) << "tenant " << tenant.tenant << ": per-pod minimums exceed its node budget ("
                    << tenant.pods.size() << " pods); its pods may use more than the budget";
  }

  // Plan: find each cgroup and what differs from what the kernel has now.
  struct Planned {
    PodQuotaResult result;
    bool tightens = false;
  };
  std::vector<Planned> plan;
  plan.reserve(tenant.pods.size());
  for (const PodResources& pod : tenant.pods) {
    Planned item;
    item.result.uid = pod.uid;
    item.result.desired = division.pods[pod.uid];
    auto cgroup = locator_.Locate(layout_, pod.qos, pod.uid);
    if (!cgroup.ok()) {
      item.result.status = cgroup.status();
    } else {
      item.result.cgroup = *cgroup;
      auto current = fs_.ReadLimits(item.result.cgroup);
      // Unreadable limits: write everything; the write reports the real problem if any.
      CgroupLimits have = current.ok() ? *current : CgroupLimits{};
      item.result.written = LimitsToWrite(item.result.desired, have);
      item.tightens = TightensAny(item.result.written, have);
    }
    plan.push_back(std::move(item));
  }

  // Tightening first: while shares move from one pod to another, the tenant's pods together
  // never hold more than the budget. stable_sort keeps the caller's order otherwise.
  std::stable_sort(plan.begin(), plan.end(),
                   [](const Planned& a, const Planned& b) { return a.tightens && !b.tightens; });

  for (Planned& item : plan) {
    PodQuotaResult& result = item.result;
    if (result.status.ok() && !result.written.empty()) {
      result.status = fs_.WriteLimits(result.cgroup, result.written);
      if (result.status.ok()) {
        ++report.writes;
        VC_LOG(Info) << "tenant " << tenant.tenant << " pod " << result.uid << ": set "
                     << ToString(result.written) << " on " << result.cgroup;
      } else {
        result.written = {};
      }
    }
    if (!result.status.ok() && result.status.code() != Code::kNotFound) {
      ++report.failures;
      VC_LOG(Warning) << "tenant " << tenant.tenant << " pod " << result.uid << ": "
                      << result.status.message();
    }
    report.pods.push_back(std::move(result));
  }
  return report;
}

TenantUsage QuotaEnforcer::Usage(const TenantPods& tenant) {
  TenantUsage usage;
  usage.tenant = tenant.tenant;
  for (const PodResources& pod : tenant.pods) {
    auto cgroup = locator_.Locate(layout_, pod.qos, pod.uid);
    if (!cgroup.ok()) {
      ++usage.pods_missing;
      continue;
    }
    auto pod_usage = fs_.ReadUsage(*cgroup);
    if (!pod_usage.ok()) {
      ++usage.pods_missing;  // the pod went away between locating and reading
      continue;
    }
    usage.pods[pod.uid] = *pod_usage;
    usage.total += *pod_usage;
  }
  return usage;
}

}  // namespace vc::agent
