// SPDX-License-Identifier: Apache-2.0
// QuotaEnforcer against FakeCgroupFs, with the locator over a cgroupfs/v1 directory tree.
#include "vc/agent/cgroup/quota_enforcer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "unit/agent/cgroup/cgroup_test_tree.h"
#include "unit/agent/cgroup/fake_cgroup_fs.h"

namespace vc::agent {
namespace {

using testing::CgroupTestTree;
using testing::FakeCgroupFs;

constexpr int64_t kMiB = 1 << 20;

class QuotaEnforcerTest : public ::testing::Test {
 protected:
  // A pod kubelet has made: a directory for the locator, an entry for the fake.
  std::string AddPod(const std::string& uid, QosClass qos = QosClass::kBurstable) {
    std::string path = PodCgroupPath(layout_, qos, uid);
    tree_.Dir("cpu/" + path);
    fs_.AddCgroup(path);
    return path;
  }

  static PodResources Pod(const std::string& uid, int64_t cpu, int64_t memory = 0) {
    return {.uid = uid,
            .qos = QosClass::kBurstable,
            .cpu_request_millicores = cpu,
            .memory_request_bytes = memory};
  }

  CgroupTestTree tree_;
  CgroupLayout layout_{CgroupDriver::kCgroupfs, CgroupVersion::kV1};
  PodCgroupLocator locator_{tree_.root()};
  FakeCgroupFs fs_;
  QuotaEnforcer enforcer_{locator_, layout_, fs_};
};

TEST_F(QuotaEnforcerTest, AppliesSharesAndSecondRunWritesNothing) {
  std::string a = AddPod("a");
  std::string b = AddPod("b");
  TenantPods tenant{.tenant = "dev",
                    .budget = {.cpu_millicores = 1000, .memory_bytes = 256 * kMiB, .pids = 100},
                    .pods = {Pod("a", 100, 32 * kMiB), Pod("b", 300, 96 * kMiB)}};

  auto first = enforcer_.Reconcile(tenant);
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(first->writes, 2);
  EXPECT_EQ(first->failures, 0);
  EXPECT_EQ(fs_.LimitsOf(a).cpu, (CpuMax{.quota_us = 25500, .period_us = 100000}));
  EXPECT_EQ(fs_.LimitsOf(b).cpu, (CpuMax{.quota_us = 74500, .period_us = 100000}));
  EXPECT_EQ(fs_.LimitsOf(a).memory_max_bytes, 16 * kMiB + 56 * kMiB);
  EXPECT_EQ(fs_.LimitsOf(b).memory_max_bytes, 16 * kMiB + 168 * kMiB);
  EXPECT_EQ(fs_.LimitsOf(a).pids_max, 50);

  fs_.writes.clear();
  auto second = enforcer_.Reconcile(tenant);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->writes, 0);
  EXPECT_TRUE(fs_.writes.empty());
}

TEST_F(QuotaEnforcerTest, WritesOnlyTheFieldsThatDiffer) {
  std::string a = AddPod("a");
  CgroupLimits kubelet = FakeCgroupFs::Unlimited();
  kubelet.pids_max = 100;  // already what the budget gives a single pod
  fs_.AddCgroup(a, kubelet);
  auto report = enforcer_.Reconcile(
      {.tenant = "dev", .budget = {.cpu_millicores = 500, .pids = 100}, .pods = {Pod("a", 0)}});
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(fs_.writes.size(), 1u);
  EXPECT_TRUE(fs_.writes[0].second.cpu.has_value());
  EXPECT_FALSE(fs_.writes[0].second.pids_max.has_value());
  EXPECT_FALSE(fs_.writes[0].second.memory_max_bytes.has_value());  // no memory budget
  EXPECT_EQ(fs_.LimitsOf(a).memory_max_bytes, kUnlimited);
}

TEST_F(QuotaEnforcerTest, RedividesAsPodsComeAndGo) {
  std::string a = AddPod("a");
  std::string b = AddPod("b");
  TenantPods tenant{.tenant = "dev", .budget = {.cpu_millicores = 1000}, .pods = {Pod("a", 100)}};
  ASSERT_TRUE(enforcer_.Reconcile(tenant).ok());
  EXPECT_EQ(fs_.LimitsOf(a).cpu->quota_us, 100000);

  tenant.pods = {Pod("b", 100), Pod("a", 100)};  // "b" arrives
  ASSERT_TRUE(enforcer_.Reconcile(tenant).ok());
  EXPECT_EQ(fs_.LimitsOf(a).cpu->quota_us, 50000);
  EXPECT_EQ(fs_.LimitsOf(b).cpu->quota_us, 50000);

  tenant.pods = {Pod("b", 100)};  // "a" leaves
  ASSERT_TRUE(enforcer_.Reconcile(tenant).ok());
  EXPECT_EQ(fs_.LimitsOf(b).cpu->quota_us, 100000);
}

TEST_F(QuotaEnforcerTest, ShrinksBeforeItGrows) {
  std::string a = AddPod("a");
  std::string b = AddPod("b");
  TenantPods tenant{
      .tenant = "dev", .budget = {.cpu_millicores = 1000}, .pods = {Pod("a", 100), Pod("b", 300)}};
  ASSERT_TRUE(enforcer_.Reconcile(tenant).ok());  // a 255m, b 745m

  // The requests swap (an in-place resize): a grows, b shrinks. b must be written first, or
  // for a moment a and b together could burn 1490m of a 1000m budget.
  fs_.writes.clear();
  tenant.pods = {Pod("a", 300), Pod("b", 100)};
  auto report = enforcer_.Reconcile(tenant);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(fs_.writes.size(), 2u);
  EXPECT_EQ(fs_.writes[0].first, b);
  EXPECT_EQ(fs_.writes[0].second.cpu->quota_us, 25500);
  EXPECT_EQ(fs_.writes[1].first, a);
  EXPECT_EQ(fs_.writes[1].second.cpu->quota_us, 74500);
  EXPECT_EQ(report->pods[0].uid, "b");
}

TEST_F(QuotaEnforcerTest, PodsWithoutCgroupCountInTheDivisionAndAreRetried) {
  std::string a = AddPod("a");
  TenantPods tenant{.tenant = "dev",
                    .budget = {.cpu_millicores = 1000},
                    .pods = {Pod("a", 100), Pod("pending", 100)}};
  auto report = enforcer_.Reconcile(tenant);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->writes, 1);
  EXPECT_EQ(report->failures, 0);  // not yet made is not a failure
  EXPECT_EQ(fs_.LimitsOf(a).cpu->quota_us, 50000);
  const PodQuotaResult& pending = report->pods[1];
  EXPECT_EQ(pending.uid, "pending");
  EXPECT_EQ(pending.status.code(), Code::kNotFound);

  AddPod("pending");
  auto later = enforcer_.Reconcile(tenant);
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->writes, 1);
  EXPECT_EQ(fs_.LimitsOf(PodCgroupPath(layout_, QosClass::kBurstable, "pending")).cpu->quota_us,
            50000);
}

TEST_F(QuotaEnforcerTest, OneFailingPodDoesNotStopTheOthers) {
  std::string a = AddPod("a");
  std::string b = AddPod("b");
  fs_.FailWrites(a);
  auto report = enforcer_.Reconcile(
      {.tenant = "dev", .budget = {.pids = 64}, .pods = {Pod("a", 0), Pod("b", 0)}});
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->failures, 1);
  EXPECT_EQ(report->writes, 1);
  EXPECT_EQ(fs_.LimitsOf(b).pids_max, 32);
  EXPECT_TRUE(report->pods[0].written.empty());
}

TEST_F(QuotaEnforcerTest, RejectsAnInvalidBudget) {
  auto report = enforcer_.Reconcile({.tenant = "dev", .budget = {.memory_bytes = -5}});
  EXPECT_EQ(report.status().code(), Code::kInvalidArgument);
  EXPECT_NE(report.status().message().find("tenant dev"), std::string::npos);
}

TEST_F(QuotaEnforcerTest, ReportsTenantUsage) {
  std::string a = AddPod("a");
  std::string b = AddPod("b", QosClass::kGuaranteed);
  fs_.SetUsage(a, {.cpu_usage_ns = 1'000'000, .memory_bytes = 10 * kMiB, .pids = 3});
  fs_.SetUsage(b, {.cpu_usage_ns = 2'000'000, .memory_bytes = 20 * kMiB, .pids = 4});
  TenantUsage usage =
      enforcer_.Usage({.tenant = "dev", .pods = {Pod("a", 0), Pod("b", 0), Pod("gone", 0)}});
  EXPECT_EQ(usage.total,
            (CgroupUsage{.cpu_usage_ns = 3'000'000, .memory_bytes = 30 * kMiB, .pids = 7}));
  EXPECT_EQ(usage.pods.size(), 2u);
  EXPECT_EQ(usage.pods_missing, 1);
}

}  // namespace
}  // namespace vc::agent
