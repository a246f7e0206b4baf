// SPDX-License-Identifier: Apache-2.0
// vc-node-agent holds a tenant's kwok pods to the tenant's node budget, on real v1 cgroups shaped
// like kubelet's (tests/privileged/cgroup/scoped_v1_cgroups.h), with real processes: busy loops
// held to the cpu budget, a memory hog OOM-killed in the tenant's pod only, forks refused at
// the pod's pids share only. A pod of no tenant on the same node is the control: it runs the
// same processes outside every budget.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "privileged/agent/agent_cluster_fixture.h"
#include "privileged/cgroup/scoped_v1_cgroups.h"
#include "privileged/cgroup/test_child.h"
#include "support/prerequisite.h"

namespace vc::testing {
namespace {

using agent::testing::CgroupField;
using agent::testing::ForkReport;
using agent::testing::ScopedV1Cgroups;
using agent::testing::TestChild;
using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int64_t kMiB = 1 << 20;

int BusyLoop(int /*report_fd*/) {
  volatile uint64_t spin = 0;
  for (;;) spin = spin + 1;
}

TEST_F(AgentClusterTest, HoldsATenantsPodsToItsNodeBudgetOnRealCgroups) {
  VC_REQUIRE(ScopedV1Cgroups::Available(), "cgroup v1 cpu/cpuacct/memory/pids hierarchies");
  ScopedV1Cgroups cgroups;  // declared first: outlives the children below
  ASSERT_NO_FATAL_FAILURE(CreateNamespace("vcluster-q"));
  ASSERT_NO_FATAL_FAILURE(
      CreateTenant("vcluster-q", "q", "zero", json::array(), {{"cpu", "300m"}, {"pids", 64}}));
  std::vector<std::string> pod_cgroups;
  for (const char* name : {"q1", "q2"}) {
    RunPod("vcluster-q", name, "q");
    auto pod = client_->Get(kube::resources::kPods, "vcluster-q", name);
    ASSERT_TRUE(pod.ok()) << pod.status().ToString();
    const std::string uid = (*pod)["metadata"]["uid"];
    // The pod's cgroup, where kubelet would have made it.
    ASSERT_TRUE(cgroups.AddBurstablePod(uid)) << cgroups.error();
    pod_cgroups.push_back(cgroups.prefix() + "/kubepods/burstable/pod" + uid);
  }
  // As in the cgroup tests: let the test tree win cpu.shares against the rest of a busy host,
  // so only the quota can hold the loops back.
  ASSERT_TRUE(cgroups.Write("cpu", cgroups.prefix(), "cpu.shares", "262144")) << cgroups.error();

  ASSERT_NO_FATAL_FAILURE(BuildLab({}));
  ASSERT_NO_FATAL_FAILURE(StartAgent("/sys/fs/cgroup", cgroups.prefix()));
  // 300m over two pods without requests: 150m each; 64 pids: 32 each.
  ASSERT_TRUE(Eventually(
      [&] {
        for (const std::string& cg : pod_cgroups) {
          // v1: the share on the pod's container, the pod's own quota lifted (libcgroup_fs).
          if (cgroups.Read("cpu", ScopedV1Cgroups::ContainerOf(cg), "cpu.cfs_quota_us") !=
              "15000\n") {
            return false;
          }
          if (cgroups.Read("cpu", cg, "cpu.cfs_quota_us") != "-1\n") return false;
          if (cgroups.Read("pids", cg, "pids.max") != "32\n") return false;
        }
        return true;
      },
      seconds(30)))
      << AgentLog();

  std::vector<std::unique_ptr<TestChild>> children;
  for (const std::string& cg : pod_cgroups) {
    auto child = std::make_unique<TestChild>(BusyLoop);
    ASSERT_TRUE(cgroups.Attach(child->pid(), ScopedV1Cgroups::ContainerOf(cg))) << cgroups.error();
    ASSERT_TRUE(child->Start());
    children.push_back(std::move(child));
  }
  auto usage = [&](const std::string& cg) {
    return std::stod("0" + cgroups.Read("cpuacct", cg, "cpuacct.usage"));
  };
  ASSERT_TRUE(Eventually([&] { return usage(pod_cgroups[0]) > 0 && usage(pod_cgroups[1]) > 0; },
                         seconds(5)))
      << "the busy loops never ran";
  const double before0 = usage(pod_cgroups[0]), before1 = usage(pod_cgroups[1]);
  const auto t0 = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(seconds(2));  // the measurement window (20 CFS periods)
  const double window_ns =
      std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
  const double a = (usage(pod_cgroups[0]) - before0) / window_ns;
  const double b = (usage(pod_cgroups[1]) - before1) / window_ns;
  std::cout << "[figures] tenant q over 2s: pod 1 " << a << " cpu, pod 2 " << b << " cpu, together "
            << a + b << " cpu (budget 0.300)\n";
  EXPECT_LE(a + b, 0.300 * 1.10) << "the tenant's pods together stay within its budget";
  EXPECT_GE(a, 0.150 * 0.6) << "the loops really ran";
  EXPECT_GE(b, 0.150 * 0.6);

  const std::string metrics = Metrics();
  EXPECT_EQ(Sample(metrics, "vc_agent_quota_budget{tenant=\"vcluster-q/q\",resource=\"cpu\"}"), 300)
      << metrics;
  EXPECT_TRUE(Eventually(
      [&] { return Sample(Metrics(), "vc_agent_quota_pids{tenant=\"vcluster-q/q\"}") >= 2; },
      seconds(10)))
      << "usage of the busy pods is reported";
  children.clear();
}

// Tenant m (vcluster-m) with a node budget of 128Mi memory and 64 pids over its two pods m1 and
// m2 (no requests: 64Mi and 32 pids each), and pod "free" of no tenant on the same node; each
// has a pod cgroup where kubelet would have made it. The agent runs against the API server and
// has written the shares into m1 and m2 when a test starts.
class AgentTenantQuotaTest : public AgentClusterTest {
 protected:
  static constexpr const char* kTenant = "vcluster-m/m";

  void SetUp() override {
    AgentClusterTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    VC_REQUIRE(ScopedV1Cgroups::Available(), "cgroup v1 cpu/cpuacct/memory/pids hierarchies");
    cgroups_ = std::make_unique<ScopedV1Cgroups>();
    ASSERT_NO_FATAL_FAILURE(CreateNamespace("vcluster-m"));
    ASSERT_NO_FATAL_FAILURE(CreateNamespace("plain"));
    ASSERT_NO_FATAL_FAILURE(CreateTenant("vcluster-m", "m", "zero", json::array(),
                                         {{"memory", "128Mi"}, {"pids", 64}}));
    const struct {
      const char* ns;
      const char* name;
      const char* tenant;
    } pods[] = {{"vcluster-m", "m1", "m"}, {"vcluster-m", "m2", "m"}, {"plain", "free", ""}};
    for (const auto& [ns, name, tenant] : pods) {
      RunPod(ns, name, tenant);
      auto pod = client_->Get(kube::resources::kPods, ns, name);
      ASSERT_TRUE(pod.ok()) << pod.status().ToString();
      const std::string uid = (*pod)["metadata"]["uid"];
      ASSERT_TRUE(cgroups_->AddBurstablePod(uid)) << cgroups_->error();
      pod_cgroup_[name] = cgroups_->prefix() + "/kubepods/burstable/pod" + uid;
      // As on a kubelet node: no swap for the pods, so a memory limit ends in the OOM killer.
      ASSERT_TRUE(cgroups_->NoSwap(pod_cgroup_[name])) << cgroups_->error();
    }
    const std::string unlimited_memory = Read("free", "memory", "memory.limit_in_bytes");

    ASSERT_NO_FATAL_FAILURE(BuildLab({}));
    ASSERT_NO_FATAL_FAILURE(StartAgent("/sys/fs/cgroup", cgroups_->prefix()));
    ASSERT_TRUE(Eventually(
        [&] {
          for (const char* pod : {"m1", "m2"}) {
            if (Read(pod, "memory", "memory.limit_in_bytes") != "67108864\n") return false;
            if (Read(pod, "pids", "pids.max") != "32\n") return false;
          }
          return true;
        },
        seconds(30)))
        << AgentLog();
    // The pod of no tenant is left as kubelet made it.
    ASSERT_EQ(Read("free", "memory", "memory.limit_in_bytes"), unlimited_memory);
    ASSERT_EQ(Read("free", "pids", "pids.max"), "max\n");
    // Forked grandchildren of the pids test come back to us when their parent dies; we reap
    // them. Set only now: nothing the cluster started may be re-parented to the test.
    ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    subreaper_ = true;
  }

  void TearDown() override {
    children_.clear();  // SIGKILL + reap, before their cgroups go
    for (const ForkReport& report : forked_) agent::testing::ReapForked(report);
    cgroups_.reset();
    if (subreaper_) ::prctl(PR_SET_CHILD_SUBREAPER, 0);
    AgentClusterTest::TearDown();
  }

  std::string Read(const std::string& pod, const char* controller, const char* file) const {
    return cgroups_->Read(controller, pod_cgroup_.at(pod), file);
  }
  // Of the pod's container, where its processes run (v1 counts OOM kills and refused forks
  // there).
  std::string ReadContainer(const std::string& pod, const char* controller,
                            const char* file) const {
    return cgroups_->Read(controller, ScopedV1Cgroups::ContainerOf(pod_cgroup_.at(pod)), file);
  }

  // A child parked, moved into `pod`'s cgroup, then released.
  TestChild& Spawn(const std::string& pod, std::function<int(int)> body) {
    children_.push_back(std::make_unique<TestChild>(std::move(body)));
    TestChild& child = *children_.back();
    EXPECT_TRUE(cgroups_->Attach(child.pid(), ScopedV1Cgroups::ContainerOf(pod_cgroup_.at(pod))))
        << cgroups_->error();
    EXPECT_TRUE(child.Start());
    return child;
  }

  // A child in `pod` that forks up to 64 children; its report once fork failed or all succeeded.
  ForkReport ForkIn(const std::string& pod) {
    TestChild& forker =
        Spawn(pod, [](int report_fd) { return agent::testing::ForkUntilRefused(64, report_fd); });
    ForkReport report;
    EXPECT_TRUE(forker.ReadReport(&report, sizeof(report), seconds(20)))
        << "no report from " << pod;
    forked_.push_back(report);
    return report;
  }

  std::unique_ptr<ScopedV1Cgroups> cgroups_;
  std::map<std::string, std::string> pod_cgroup_;     // pod name -> cgroup under the hierarchies
  std::vector<std::unique_ptr<TestChild>> children_;  // killed before cgroups_ goes
  std::vector<ForkReport> forked_;                    // their grandchildren, reaped in TearDown
  bool subreaper_ = false;
};

TEST_F(AgentTenantQuotaTest, MemoryOverTheShareIsOomKilledInTheTenantOnly) {
  // The agent reports what the tenant's pods hold: 16Mi held in m2.
  TestChild& holder = Spawn("m2", [](int fd) { return agent::testing::HoldMemory(16 * kMiB, fd); });
  int64_t held = 0;
  ASSERT_TRUE(holder.ReadReport(&held, sizeof(held), seconds(20))) << "the holder never held";
  EXPECT_TRUE(Eventually(
      [&] {
        return Sample(Metrics(), std::string("vc_agent_quota_memory_bytes{tenant=\"") + kTenant +
                                     "\"}") >= 16 * kMiB;
      },
      seconds(10)))
      << Metrics();
  EXPECT_EQ(Sample(Metrics(), std::string("vc_agent_quota_budget{tenant=\"") + kTenant +
                                  "\",resource=\"memory\"}"),
            128 * kMiB);

  // 128Mi, twice m1's share: the kernel kills it. The same amount in the pod of no tenant is
  // not the tenant's business.
  TestChild& hog = Spawn("m1", [](int) { return agent::testing::TouchMemory(128 * kMiB); });
  TestChild& free_hog = Spawn("free", [](int) { return agent::testing::TouchMemory(128 * kMiB); });
  ASSERT_FALSE(HasFailure());
  int status = 0;
  ASSERT_TRUE(hog.WaitExit(seconds(30), &status)) << "the hog outlived its memory share";
  ASSERT_TRUE(WIFSIGNALED(status)) << "the hog exited with " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  int free_status = 0;
  ASSERT_TRUE(free_hog.WaitExit(seconds(30), &free_status)) << "the free hog never finished";
  EXPECT_TRUE(WIFEXITED(free_status) && WEXITSTATUS(free_status) == 0)
      << "the pod of no tenant was stopped: status " << free_status;

  const std::string oom = ReadContainer("m1", "memory", "memory.oom_control");
  const int64_t max_usage = std::stoll(Read("m1", "memory", "memory.max_usage_in_bytes"));
  const int64_t free_max = std::stoll(Read("free", "memory", "memory.max_usage_in_bytes"));
  std::cout << "[figures] tenant m memory: hog in m1 killed by signal " << WTERMSIG(status)
            << " at " << max_usage / kMiB << "MiB (share 64MiB, oom_kill "
            << CgroupField(oom, "oom_kill") << "); the same hog in a pod of no tenant reached "
            << free_max / kMiB << "MiB and exited " << WEXITSTATUS(free_status) << "\n";
  EXPECT_GE(CgroupField(oom, "oom_kill"), 1);
  EXPECT_LE(max_usage, 64 * kMiB);
  EXPECT_GE(free_max, 128 * kMiB);
  EXPECT_EQ(CgroupField(ReadContainer("free", "memory", "memory.oom_control"), "oom_kill"), 0);
  // The tenant's other pod kept its memory: an OOM is the pod's, not the tenant's.
  int holder_status = 0;
  EXPECT_FALSE(holder.WaitExit(milliseconds(50), &holder_status)) << "the holder in m2 died too";
  EXPECT_EQ(CgroupField(ReadContainer("m2", "memory", "memory.oom_control"), "oom_kill"), 0);
}

TEST_F(AgentTenantQuotaTest, PidsShareRefusesForksInTheTenantOnly) {
  const ForkReport tenant = ForkIn("m1");
  const ForkReport free = ForkIn("free");
  ASSERT_FALSE(HasFailure());
  const int64_t current = std::stoll(Read("m1", "pids", "pids.current"));
  std::cout << "[figures] tenant m pids: in m1 " << tenant.forks << " forks, then errno "
            << tenant.error << " (EAGAIN=" << EAGAIN << "), pids.current " << current
            << " of 32; in a pod of no tenant " << free.forks << " forks, errno " << free.error
            << "\n";
  EXPECT_EQ(tenant.error, EAGAIN);
  EXPECT_EQ(tenant.forks, 31) << "the forker itself is the 32nd";
  EXPECT_EQ(current, 32);
  EXPECT_EQ(free.error, 0) << "a pod of no tenant is not held to the tenant's pids";
  EXPECT_EQ(free.forks, 64);
  EXPECT_TRUE(Eventually(
      [&] {
        return Sample(Metrics(), std::string("vc_agent_quota_pids{tenant=\"") + kTenant + "\"}") ==
               32;
      },
      seconds(10)))
      << Metrics();
}

}  // namespace
}  // namespace vc::testing
