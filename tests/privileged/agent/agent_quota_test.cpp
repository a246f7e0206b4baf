// SPDX-License-Identifier: Apache-2.0
// vc-node-agent holds a tenant's kwok pods to the tenant's node budget, on real v1 cgroups shaped
// like kubelet's (tests/privileged/cgroup/scoped_v1_cgroups.h), with real busy processes.
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "privileged/agent/agent_cluster_fixture.h"
#include "privileged/cgroup/scoped_v1_cgroups.h"
#include "privileged/cgroup/test_child.h"

namespace vc::testing {
namespace {

using agent::testing::ScopedV1Cgroups;
using agent::testing::TestChild;
using nlohmann::json;
using std::chrono::seconds;

int BusyLoop(int /*report_fd*/) {
  volatile uint64_t spin = 0;
  for (;;) spin = spin + 1;
}

TEST_F(AgentClusterTest, HoldsATenantsPodsToItsNodeBudgetOnRealCgroups) {
  if (!ScopedV1Cgroups::Available()) GTEST_SKIP() << "cgroup v1 hierarchies are not mounted";
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
          if (cgroups.Read("cpu", cg, "cpu.cfs_quota_us") != "15000\n") return false;
          if (cgroups.Read("pids", cg, "pids.max") != "32\n") return false;
        }
        return true;
      },
      seconds(30)))
      << AgentLog();

  std::vector<std::unique_ptr<TestChild>> children;
  for (const std::string& cg : pod_cgroups) {
    auto child = std::make_unique<TestChild>(BusyLoop);
    ASSERT_TRUE(cgroups.Attach(child->pid(), cg)) << cgroups.error();
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

}  // namespace
}  // namespace vc::testing
