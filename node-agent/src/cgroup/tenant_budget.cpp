// SPDX-License-Identifier: Apache-2.0
#include "vc/agent/cgroup/tenant_budget.h"

#include <algorithm>
#include <utility>

namespace vc::agent {
namespace {

// Memory limits are kept in whole pages: the kernel rounds down what it is given, and a
// reconcile that compares against the rounded value would otherwise rewrite it forever.
constexpr int64_t kPageBytes = 4096;
constexpr int64_t kMaxCpuPeriodUs = 1000000;  // the kernel's bound for cfs_period_us

int64_t RoundDown(int64_t value, int64_t granule) { return value - value % granule; }

int64_t CpuQuotaUs(int64_t millicores, int64_t period_us) {
  int64_t quota = static_cast<int64_t>(static_cast<__int128>(millicores) * period_us / 1000);
  return std::max(quota, kMinCpuQuotaUs);
}

}  // namespace

AmountSplit SplitAmount(int64_t total, const std::vector<int64_t>& weights,
                        const std::vector<int64_t>& caps, int64_t floor, int64_t granule) {
  const size_t n = weights.size();
  AmountSplit out;
  out.shares.assign(n, 0);
  if (n == 0) return out;
  granule = std::max<int64_t>(granule, 1);
  floor = std::max(RoundDown(floor, granule), granule);

  // Step 1: the floors. A pod whose own (kubelet) limit is below the floor keeps that limit.
  std::vector<int64_t> cap(n, 0);
  int64_t floors = 0;
  for (size_t i = 0; i < n; ++i) {
    cap[i] = i < caps.size() && caps[i] > 0 ? std::max(RoundDown(caps[i], granule), granule) : 0;
    out.shares[i] = cap[i] > 0 ? std::min(floor, cap[i]) : floor;
    floors += out.shares[i];
  }
  if (floors >= total) {
    out.overcommitted = floors > total;
    return out;
  }

  // Steps 2 and 3: water-filling. Split what is left by weight among the pods that can still
  // take more; a pod whose share would pass its cap is fixed at the cap and the split is redone
  // without it. Each round fixes at least one pod, so n rounds suffice.
  int64_t remaining = total - floors;
  std::vector<bool> open(n);
  for (size_t i = 0; i < n; ++i) open[i] = cap[i] == 0 || cap[i] > out.shares[i];
  for (size_t round = 0; round <= n; ++round) {
    __int128 weight_sum = 0;
    bool any_open = false;
    for (size_t i = 0; i < n; ++i) {
      if (!open[i]) continue;
      any_open = true;
      weight_sum += std::max<int64_t>(weights[i], 0);
    }
    if (!any_open || remaining <= 0) break;
    auto weight_of = [&](size_t i) -> __int128 {
      return weight_sum > 0 ? std::max<int64_t>(weights[i], 0) : 1;
    };
    const __int128 divisor = weight_sum > 0 ? weight_sum : [&] {
      __int128 count = 0;
      for (size_t i = 0; i < n; ++i) count += open[i] ? 1 : 0;
      return count;
    }();
    // Every pod of this round is measured against the same pool: a pod over its cap now stays
    // over it in any later round, since capping others only leaves more for the rest.
    const int64_t pool = remaining;
    bool capped_one = false;
    for (size_t i = 0; i < n; ++i) {
      if (!open[i] || cap[i] == 0) continue;
      int64_t extra = RoundDown(static_cast<int64_t>(pool * weight_of(i) / divisor), granule);
      if (out.shares[i] + extra >= cap[i]) {
        remaining -= cap[i] - out.shares[i];
        out.shares[i] = cap[i];
        open[i] = false;
        capped_one = true;
      }
    }
    if (capped_one) continue;
    for (size_t i = 0; i < n; ++i) {
      if (!open[i]) continue;
      out.shares[i] += RoundDown(static_cast<int64_t>(pool * weight_of(i) / divisor), granule);
    }
    break;
  }
  return out;
}

TenantBudget::TenantBudget(NodeBudget budget, BudgetPolicy policy)
    : budget_(budget), policy_(policy) {}

Status TenantBudget::Validate() const {
  if (budget_.cpu_millicores < 0 || budget_.memory_bytes < 0 || budget_.pids < 0) {
    return InvalidArgument("validate tenant budget: cpu, memory and pids must not be negative");
  }
  if (policy_.cpu_period_us < kMinCpuQuotaUs || policy_.cpu_period_us > kMaxCpuPeriodUs) {
    return InvalidArgument("validate tenant budget: cpu period must be within 1000..1000000us");
  }
  if (policy_.min_cpu_millicores <= 0 || policy_.min_memory_bytes <= 0 || policy_.min_pids <= 0) {
    return InvalidArgument("validate tenant budget: per-pod minimums must be positive");
  }
  return Status::Ok();
}

BudgetDivision TenantBudget::Divide(const std::vector<PodResources>& pods) const {
  BudgetDivision division;
  for (const PodResources& pod : pods) division.pods[pod.uid];
  if (pods.empty()) return division;

  std::vector<int64_t> weights(pods.size());
  std::vector<int64_t> caps(pods.size());
  auto split = [&](int64_t total, auto request, auto limit, int64_t floor, int64_t granule) {
    for (size_t i = 0; i < pods.size(); ++i) {
      weights[i] = request(pods[i]);
      caps[i] = limit(pods[i]);
    }
    AmountSplit result = SplitAmount(total, weights, caps, floor, granule);
    division.overcommitted = division.overcommitted || result.overcommitted;
    return result.shares;
  };

  if (budget_.cpu_millicores > 0) {
    // The kernel's 1ms minimum quota, expressed in millicores of this period.
    int64_t kernel_floor =
        (kMinCpuQuotaUs * 1000 + policy_.cpu_period_us - 1) / policy_.cpu_period_us;
    auto shares = split(
        budget_.cpu_millicores, [](const PodResources& p) { return p.cpu_request_millicores; },
        [](const PodResources& p) { return p.cpu_limit_millicores; },
        std::max(policy_.min_cpu_millicores, kernel_floor), 1);
    for (size_t i = 0; i < pods.size(); ++i) {
      division.pods[pods[i].uid].cpu = CpuMax{
          .quota_us = CpuQuotaUs(shares[i], policy_.cpu_period_us),
          .period_us = policy_.cpu_period_us,
      };
    }
  }
  if (budget_.memory_bytes > 0) {
    auto shares = split(
        RoundDown(budget_.memory_bytes, kPageBytes),
        [](const PodResources& p) { return p.memory_request_bytes; },
        [](const PodResources& p) { return p.memory_limit_bytes; }, policy_.min_memory_bytes,
        kPageBytes);
    for (size_t i = 0; i < pods.size(); ++i) {
      division.pods[pods[i].uid].memory_max_bytes = shares[i];
    }
  }
  if (budget_.pids > 0) {
    // Kubernetes has no pid requests: pids are split evenly.
    auto shares = split(
        budget_.pids, [](const PodResources&) { return int64_t{0}; },
        [](const PodResources&) { return int64_t{0}; }, policy_.min_pids, 1);
    for (size_t i = 0; i < pods.size(); ++i) division.pods[pods[i].uid].pids_max = shares[i];
  }
  return division;
}

}  // namespace vc::agent
