// SPDX-License-Identifier: Apache-2.0
#include "vc/agent/cgroup/tenant_budget.h"

#include <gtest/gtest.h>

#include <numeric>
#include <string>
#include <vector>

namespace vc::agent {
namespace {

constexpr int64_t kMiB = 1 << 20;

PodResources Pod(std::string uid, int64_t cpu_request, int64_t memory_request = 0,
                 int64_t cpu_limit = 0, int64_t memory_limit = 0) {
  return {.uid = std::move(uid),
          .qos = QosClass::kBurstable,
          .cpu_request_millicores = cpu_request,
          .memory_request_bytes = memory_request,
          .cpu_limit_millicores = cpu_limit,
          .memory_limit_bytes = memory_limit};
}

// The expected share of one pod; -1 where the resource has no budget (field left unset).
struct Share {
  int64_t cpu_millicores;
  int64_t memory_bytes;
  int64_t pids;
};

struct Case {
  std::string name;
  NodeBudget budget;
  std::vector<PodResources> pods;
  std::vector<Share> want;  // in pod order
  bool overcommitted = false;
};

TEST(TenantBudget, DividesByRequestsWithFloorsAndCaps) {
  const std::vector<Case> cases = {
      {"cpu in proportion to requests above the 10m floor",
       {.cpu_millicores = 1000},
       {Pod("a", 100), Pod("b", 300)},
       {{255, -1, -1}, {745, -1, -1}}},
      {"nobody requested cpu: even split",
       {.cpu_millicores = 900},
       {Pod("a", 0), Pod("b", 0), Pod("c", 0)},
       {{300, -1, -1}, {300, -1, -1}, {300, -1, -1}}},
      {"a pod without a request next to one with keeps the floor",
       {.cpu_millicores = 1000},
       {Pod("a", 200), Pod("b", 0)},
       {{990, -1, -1}, {10, -1, -1}}},
      {"kubelet's own limit is never loosened; the rest goes to the others",
       {.cpu_millicores = 1000},
       {Pod("a", 100, 0, 200), Pod("b", 100)},
       {{200, -1, -1}, {800, -1, -1}}},
      {"more pods than the budget has floors for: every pod keeps the floor",
       {.cpu_millicores = 25},
       {Pod("a", 100), Pod("b", 100), Pod("c", 100)},
       {{10, -1, -1}, {10, -1, -1}, {10, -1, -1}},
       true},
      {"memory by memory requests, in whole pages",
       {.memory_bytes = 1024 * kMiB + 123},
       {Pod("a", 0, 100 * kMiB), Pod("b", 0, 200 * kMiB)},
       // 16MiB floors, then 992MiB split 1:2 and rounded down to pages.
       {{-1, 16 * kMiB + 346726400, -1}, {-1, 16 * kMiB + 693456896, -1}}},
      {"pids evenly (Kubernetes has no pid requests)",
       {.pids = 100},
       {Pod("a", 500), Pod("b", 0), Pod("c", 0)},
       {{-1, -1, 33}, {-1, -1, 33}, {-1, -1, 33}}},
      {"all three at once",
       {.cpu_millicores = 2000, .memory_bytes = 512 * kMiB, .pids = 64},
       {Pod("a", 500, 64 * kMiB), Pod("b", 1500, 192 * kMiB)},
       {{10 + 495, 16 * kMiB + 120 * kMiB, 32}, {10 + 1485, 16 * kMiB + 360 * kMiB, 32}}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    TenantBudget budget(c.budget);
    ASSERT_TRUE(budget.Validate().ok());
    BudgetDivision division = budget.Divide(c.pods);
    EXPECT_EQ(division.overcommitted, c.overcommitted);
    ASSERT_EQ(division.pods.size(), c.pods.size());
    for (size_t i = 0; i < c.pods.size(); ++i) {
      const CgroupLimits& got = division.pods.at(c.pods[i].uid);
      const Share& want = c.want[i];
      SCOPED_TRACE(c.pods[i].uid);
      if (want.cpu_millicores < 0) {
        EXPECT_FALSE(got.cpu.has_value());
      } else {
        ASSERT_TRUE(got.cpu.has_value());
        EXPECT_EQ(got.cpu->period_us, kDefaultCpuPeriodUs);
        EXPECT_EQ(got.cpu->quota_us, want.cpu_millicores * 100);  // 100us per millicore
      }
      EXPECT_EQ(got.memory_max_bytes.value_or(-1), want.memory_bytes);
      EXPECT_EQ(got.pids_max.value_or(-1), want.pids);
    }
  }
}

TEST(TenantBudget, RedividesAsPodsComeAndGo) {
  TenantBudget budget({.cpu_millicores = 1000});
  auto two = budget.Divide({Pod("a", 100), Pod("b", 100)});
  EXPECT_EQ(two.pods.at("a").cpu->quota_us, 50000);
  auto three = budget.Divide({Pod("a", 100), Pod("b", 100), Pod("c", 200)});
  EXPECT_EQ(three.pods.at("a").cpu->quota_us, 25200);  // 10 + 970/4 = 252m
  EXPECT_EQ(three.pods.at("c").cpu->quota_us, 49500);  // 10 + 970/2 = 495m
  auto one = budget.Divide({Pod("c", 200)});
  EXPECT_EQ(one.pods.at("c").cpu->quota_us, 100000);
  EXPECT_TRUE(budget.Divide({}).pods.empty());
}

TEST(TenantBudget, NeverHandsOutMoreThanTheBudgetNorLessThanTheFloor) {
  // Awkward numbers: primes, a huge request next to tiny ones, caps below and above shares.
  const std::vector<int64_t> requests = {1, 7, 13, 0, 1000000, 3, 0, 997};
  const std::vector<int64_t> caps = {0, 20, 0, 5, 0, 0, 400, 0};
  for (int64_t total : {80, 81, 333, 1000, 4099, 123457}) {
    AmountSplit split = SplitAmount(total, requests, caps, 10, 1);
    SCOPED_TRACE(total);
    int64_t sum = std::accumulate(split.shares.begin(), split.shares.end(), int64_t{0});
    if (!split.overcommitted) {
      EXPECT_LE(sum, total);
    }
    for (size_t i = 0; i < requests.size(); ++i) {
      EXPECT_GE(split.shares[i], caps[i] > 0 ? std::min<int64_t>(10, caps[i]) : 10);
      if (caps[i] > 0) {
        EXPECT_LE(split.shares[i], caps[i]);
      }
    }
  }
}

TEST(TenantBudget, MemorySharesAreWholePages) {
  AmountSplit split = SplitAmount(1000 * 4096 + 17, {1, 1, 1}, {0, 0, 12345}, 4096, 4096);
  for (int64_t share : split.shares) EXPECT_EQ(share % 4096, 0) << share;
  EXPECT_EQ(split.shares[2], 12288);  // kubelet's limit, rounded down to a page
}

TEST(TenantBudget, RejectsNonsense) {
  EXPECT_FALSE(TenantBudget({.cpu_millicores = -1}).Validate().ok());
  EXPECT_FALSE(TenantBudget({}, {.cpu_period_us = 10}).Validate().ok());
  EXPECT_FALSE(TenantBudget({}, {.min_pids = 0}).Validate().ok());
  EXPECT_TRUE(TenantBudget({}).Validate().ok());
}

TEST(TenantBudget, CpuFloorFollowsTheKernelMinimumForShortPeriods) {
  // With a 10ms period, 1ms (the kernel's minimum quota) is 100 millicores.
  TenantBudget budget({.cpu_millicores = 1000}, {.cpu_period_us = 10000, .min_cpu_millicores = 1});
  auto division = budget.Divide({Pod("a", 1), Pod("b", 0)});
  EXPECT_EQ(division.pods.at("b").cpu->quota_us, 1000);
  EXPECT_EQ(division.pods.at("a").cpu->quota_us, 9000);
}

}  // namespace
}  // namespace vc::agent
