// SPDX-License-Identifier: Apache-2.0
// Tenant cgroup quotas on real cgroup v1 controllers, with real processes: the production path
// (PodCgroupLocator -> TenantBudget -> QuotaEnforcer -> LibcgroupFs) applies a tenant's budget
// to pod cgroups shaped like kubelet's, inside a test-owned vc-test-<random> root, and child
// processes moved into them show that the kernel holds them to it: cpu quota, memory OOM kill,
// pids.max. Needs root and v1 cpu/cpuacct/memory/pids hierarchies; skips otherwise.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "privileged/cgroup/scoped_v1_cgroups.h"
#include "privileged/cgroup/test_child.h"
#include "support/prerequisite.h"
#include "vc/agent/cgroup/libcgroup_fs.h"
#include "vc/agent/cgroup/quota_enforcer.h"

namespace vc::agent {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::CgroupField;
using testing::ForkReport;
using testing::ScopedV1Cgroups;
using testing::TestChild;

constexpr int64_t kMiB = 1 << 20;

int BusyLoop(int /*report_fd*/) {
  volatile uint64_t spin = 0;
  for (;;) spin = spin + 1;
}

int Sleeper(int /*report_fd*/) {
  for (;;) ::pause();
}

class CgroupQuotaPrivilegedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    VC_REQUIRE(::geteuid() == 0, "root (to create cgroups)");
    VC_REQUIRE(ScopedV1Cgroups::Available(), "cgroup v1 cpu/cpuacct/memory/pids hierarchies");
    auto fs = LibcgroupFs::Create();
    VC_REQUIRE(fs.ok(), "libcgroup: " << fs.status().message());
    fs_ = std::move(fs).value();
    // Orphaned grandchildren (the pids test's) are re-parented to us and reaped at cleanup.
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    cgroups_ = std::make_unique<ScopedV1Cgroups>();
  }

  void TearDown() override {
    children_.clear();  // SIGKILL + reap our children first: a cgroup with tasks cannot go
    cgroups_.reset();   // then kill what is left inside, rmdir every test cgroup, bottom-up
    ReapOrphans();
    ::prctl(PR_SET_CHILD_SUBREAPER, 0);
  }

  // Grandchildren killed with their parent were re-parented to us (subreaper); reap them
  // here, or they would outlive the test as zombies of an init that may never reap them.
  static void ReapOrphans() {
    const auto deadline = std::chrono::steady_clock::now() + seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      pid_t pid = ::waitpid(-1, nullptr, WNOHANG);
      if (pid < 0) return;                                         // ECHILD: none left
      if (pid == 0) std::this_thread::sleep_for(milliseconds(5));  // polling with a deadline
    }
    ADD_FAILURE() << "children of the test still running after cleanup";
  }

  // Makes the pods' cgroups as kubelet would, then runs the production reconcile on them.
  TenantQuotaReport Enforce(const TenantPods& tenant) {
    for (const PodResources& pod : tenant.pods) {
      EXPECT_TRUE(cgroups_->AddBurstablePod(pod.uid)) << cgroups_->error();
    }
    locator_ = std::make_unique<PodCgroupLocator>("/sys/fs/cgroup", cgroups_->prefix());
    auto layout = locator_->DetectLayout();
    EXPECT_TRUE(layout.ok()) << layout.status().message();
    EXPECT_EQ(layout.ok() ? *layout : CgroupLayout{},
              (CgroupLayout{CgroupDriver::kCgroupfs, CgroupVersion::kV1}));
    enforcer_ =
        std::make_unique<QuotaEnforcer>(*locator_, layout.ok() ? *layout : CgroupLayout{}, *fs_);
    auto report = enforcer_->Reconcile(tenant);
    EXPECT_TRUE(report.ok()) << report.status().message();
    if (!report.ok()) return {};
    EXPECT_EQ(report->failures, 0);
    for (const PodQuotaResult& pod : report->pods) {
      EXPECT_TRUE(pod.status.ok()) << pod.status.message();
    }

    // Idempotent against the real kernel: what it reads back is what was written.
    auto again = enforcer_->Reconcile(tenant);
    EXPECT_TRUE(again.ok() && again->writes == 0) << "second reconcile rewrote limits";
    return *report;
  }

  std::string PodCgroup(const std::string& uid) const {
    return cgroups_->prefix() + "/kubepods/burstable/pod" + uid;
  }

  // A child parked, moved into the pod's cgroup in every hierarchy, then released.
  TestChild& Spawn(const std::string& uid, std::function<int(int)> body) {
    children_.push_back(std::make_unique<TestChild>(std::move(body)));
    TestChild& child = *children_.back();
    EXPECT_GT(child.pid(), 0);
    EXPECT_TRUE(cgroups_->Attach(child.pid(), ScopedV1Cgroups::ContainerOf(PodCgroup(uid))))
        << cgroups_->error();
    EXPECT_TRUE(child.Start());
    return child;
  }

  std::unique_ptr<CgroupFs> fs_;
  std::unique_ptr<ScopedV1Cgroups> cgroups_;
  std::unique_ptr<PodCgroupLocator> locator_;
  std::unique_ptr<QuotaEnforcer> enforcer_;
  std::vector<std::unique_ptr<TestChild>> children_;  // destroyed before cgroups_
};

TEST_F(CgroupQuotaPrivilegedTest, CpuQuotaHoldsTwoBusyPodsToTheTenantBudget) {
  // 320m over requests 100m:200m -> 10m floors + 300m split 1:2 = 110m and 210m.
  TenantPods tenant{.tenant = "zero",
                    .budget = {.cpu_millicores = 320},
                    .pods = {{.uid = "a", .cpu_request_millicores = 100},
                             {.uid = "b", .cpu_request_millicores = 200}}};
  Enforce(tenant);
  ASSERT_FALSE(HasFailure());
  // On v1 the share goes to the pod's containers, and the pod's own quota is lifted, so that a
  // container runc starts with its own higher limit still fits under it.
  EXPECT_EQ(cgroups_->Read("cpu", ScopedV1Cgroups::ContainerOf(PodCgroup("a")), "cpu.cfs_quota_us"),
            "11000\n");
  EXPECT_EQ(cgroups_->Read("cpu", PodCgroup("a"), "cpu.cfs_quota_us"), "-1\n");
  // kubelet gives kubepods cpu.shares in proportion to the node's allocatable cpu. The test's
  // root competes with everything else on the host (builds, other tests) at the default 1024,
  // which on a busy 2-cpu machine can starve the pods below their quotas and hide the quota.
  ASSERT_TRUE(cgroups_->Write("cpu", cgroups_->prefix(), "cpu.shares", "262144"))
      << cgroups_->error();
  EXPECT_EQ(cgroups_->Read("cpu", ScopedV1Cgroups::ContainerOf(PodCgroup("b")), "cpu.cfs_quota_us"),
            "21000\n");
  EXPECT_EQ(
      cgroups_->Read("cpu", ScopedV1Cgroups::ContainerOf(PodCgroup("b")), "cpu.cfs_period_us"),
      "100000\n");

  // Unthrottled, each busy loop would take a whole cpu.
  Spawn("a", BusyLoop);
  Spawn("b", BusyLoop);
  ASSERT_FALSE(HasFailure());

  // Both charged to their cgroups before the window opens (poll with a deadline).
  const auto deadline = std::chrono::steady_clock::now() + seconds(5);
  TenantUsage before = enforcer_->Usage(tenant);
  while (before.pods["a"].cpu_usage_ns == 0 || before.pods["b"].cpu_usage_ns == 0) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "children never ran";
    std::this_thread::sleep_for(milliseconds(10));
    before = enforcer_->Usage(tenant);
  }

  // The measured window: 2s = 20 CFS periods.
  const auto t0 = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(seconds(2));
  TenantUsage after = enforcer_->Usage(tenant);
  const double window_ns = static_cast<double>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0)
          .count());
  auto cpus = [&](const std::string& uid) {
    return static_cast<double>(after.pods[uid].cpu_usage_ns - before.pods[uid].cpu_usage_ns) /
           window_ns;
  };
  const double a = cpus("a");
  const double b = cpus("b");
  const double total =
      static_cast<double>(after.total.cpu_usage_ns - before.total.cpu_usage_ns) / window_ns;
  std::cout << "[figures] cpu over " << window_ns / 1e9 << "s: pod a " << a
            << " cpu (quota 0.110), pod b " << b << " cpu (quota 0.210), tenant " << total
            << " cpu (budget 0.320)\n";
  RecordProperty("cpu_tenant", std::to_string(total));

  // Upper bounds are the kernel's promise (one period of slack at the window's edges); lower
  // bounds only prove the loops really ran, since other work on the host may delay them.
  EXPECT_LE(a, 0.110 * 1.10 + 0.005);
  EXPECT_LE(b, 0.210 * 1.10 + 0.005);
  EXPECT_LE(total, 0.320 * 1.10);
  EXPECT_GE(a, 0.110 * 0.6);
  EXPECT_GE(b, 0.210 * 0.6);
  for (const char* uid : {"a", "b"}) {
    EXPECT_GT(
        CgroupField(cgroups_->Read("cpu", ScopedV1Cgroups::ContainerOf(PodCgroup(uid)), "cpu.stat"),
                    "nr_throttled"),
        0)
        << uid;
  }
}

TEST_F(CgroupQuotaPrivilegedTest, MemoryOverTheShareIsOomKilledInThatPodOnly) {
  // 128MiB, no requests: 64MiB each.
  TenantPods tenant{.tenant = "zero",
                    .budget = {.memory_bytes = 128 * kMiB},
                    .pods = {{.uid = "hog"}, {.uid = "calm"}}};
  Enforce(tenant);
  ASSERT_FALSE(HasFailure());
  EXPECT_EQ(cgroups_->Read("memory", PodCgroup("hog"), "memory.limit_in_bytes"), "67108864\n");

  ASSERT_TRUE(cgroups_->NoSwap(PodCgroup("hog"))) << cgroups_->error();
  TestChild& calm = Spawn("calm", Sleeper);
  TestChild& hog = Spawn("hog", [](int) { return testing::TouchMemory(512 * kMiB); });
  ASSERT_FALSE(HasFailure());

  int status = 0;
  ASSERT_TRUE(hog.WaitExit(seconds(30), &status)) << "the hog outlived its memory limit";
  ASSERT_TRUE(WIFSIGNALED(status)) << "exited with " << WEXITSTATUS(status) << " instead";
  EXPECT_EQ(WTERMSIG(status), SIGKILL);

  const std::string oom = cgroups_->Read("memory", ScopedV1Cgroups::ContainerOf(PodCgroup("hog")),
                                         "memory.oom_control");
  const int64_t failcnt = std::stoll(cgroups_->Read("memory", PodCgroup("hog"), "memory.failcnt"));
  const int64_t max_usage =
      std::stoll(cgroups_->Read("memory", PodCgroup("hog"), "memory.max_usage_in_bytes"));
  std::cout << "[figures] memory: hog killed by signal " << WTERMSIG(status) << ", oom_kill "
            << CgroupField(oom, "oom_kill") << ", failcnt " << failcnt << ", max usage "
            << max_usage / kMiB << "MiB of 64MiB\n";
  EXPECT_GE(CgroupField(oom, "oom_kill"), 1);
  EXPECT_GT(failcnt, 0);
  EXPECT_LE(max_usage, 64 * kMiB);

  // The tenant's other pod is untouched.
  int calm_status = 0;
  EXPECT_FALSE(calm.WaitExit(milliseconds(50), &calm_status)) << "the calm pod died too";
  EXPECT_EQ(CgroupField(cgroups_->Read("memory", ScopedV1Cgroups::ContainerOf(PodCgroup("calm")),
                                       "memory.oom_control"),
                        "oom_kill"),
            0);
}

TEST_F(CgroupQuotaPrivilegedTest, PidsBudgetStopsAForkBombAtTheLimit) {
  // One pod: the whole budget of 24 (16 floor + the remaining 8).
  TenantPods tenant{.tenant = "zero", .budget = {.pids = 24}, .pods = {{.uid = "forker"}}};
  Enforce(tenant);
  ASSERT_FALSE(HasFailure());
  EXPECT_EQ(cgroups_->Read("pids", PodCgroup("forker"), "pids.max"), "24\n");

  TestChild& forker = Spawn("forker", [](int report_fd) {
    return testing::ForkUntilRefused(ForkReport::kMaxForks, report_fd);
  });
  ASSERT_FALSE(HasFailure());
  ForkReport report;
  ASSERT_TRUE(forker.ReadReport(&report, sizeof(report), seconds(20)));

  const int64_t current = std::stoll(cgroups_->Read("pids", PodCgroup("forker"), "pids.current"));
  const std::string events =
      cgroups_->Read("pids", ScopedV1Cgroups::ContainerOf(PodCgroup("forker")), "pids.events");
  TenantUsage usage = enforcer_->Usage(tenant);
  std::cout << "[figures] pids: " << report.forks << " forks succeeded, then errno " << report.error
            << " (EAGAIN=" << EAGAIN << "); pids.current " << current << ", pids.events max "
            << CgroupField(events, "max") << ", tenant usage pids " << usage.total.pids << "\n";
  EXPECT_EQ(report.error, EAGAIN);
  EXPECT_EQ(report.forks, 23);  // the forker itself is the 24th
  EXPECT_EQ(current, 24);
  EXPECT_GE(CgroupField(events, "max"), 1);
  EXPECT_EQ(usage.total.pids, 24u);
}

}  // namespace
}  // namespace vc::agent
