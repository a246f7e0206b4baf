// SPDX-License-Identifier: Apache-2.0
// A team's own scheduler (controlPlane.advanced.virtualScheduler), as the seed's data-science
// team uses it: examples/data-science-values.yaml on the real-node host, whose second node the
// test puts in the GPU pool. The virtual cluster sees only that node; a pod the team's
// bin-packing profile binds runs on it on the host; a pod no scheduler of the team serves gets
// no host pod, since the host's scheduler does not choose for it.
#include <fstream>
#include <sstream>

#include "realnodes/real_virtual_cluster.h"

namespace vc::testing {
namespace {

const std::string kExample =
    std::string(VC_MANIFESTS_DIR) + "/../examples/data-science-values.yaml";

class VirtualSchedulerTest : public RealVirtualClusterTest {
 protected:
  void SetUp() override {
    RealVirtualClusterTest::SetUp();
    if (HasFatalFailure()) return;
    gpu_node_ = NodeName(2);
    labelled_ = true;
    Ran labelled = Kubectl({"label", "node", gpu_node_, "pool=gpu", "--overwrite"}, false);
    ASSERT_EQ(labelled.code, 0) << labelled.out;
  }
  void TearDown() override {
    RealVirtualClusterTest::TearDown();
    if (labelled_) Kubectl({"label", "node", gpu_node_, "pool-"}, false);
  }

  std::string gpu_node_;
  bool labelled_ = false;
};

const char* const kPods = R"(apiVersion: v1
kind: Pod
metadata: {name: nowhere}
spec:
  schedulerName: no-such-scheduler
  containers: [{name: c, image: "busybox:1.36", command: [sleep, "3600"]}]
---
apiVersion: v1
kind: Pod
metadata: {name: packed}
spec:
  schedulerName: bin-packing
  terminationGracePeriodSeconds: 1
  containers: [{name: c, image: "busybox:1.36", command: [sleep, "3600"]}]
)";

TEST_F(VirtualSchedulerTest, TheTeamsOwnSchedulerBindsItsPodsToItsGpuNodeOnTheHost) {
  std::ifstream in(kExample);
  ASSERT_TRUE(in.good()) << kExample;
  std::stringstream values;
  values << in.rdbuf();
  ASSERT_NO_FATAL_FAILURE(Create("ds", values.str()));
  EXPECT_NE(Get("pod/ds-0", "{.spec.containers[*].name}").find("kube-scheduler"),
            std::string::npos);

  // Its nodes: the GPU pool only.
  std::string nodes;
  EXPECT_TRUE(Eventually(
      [&] {
        nodes = GetIn("ds", "nodes", "{.items[*].metadata.name}");
        return nodes == gpu_node_;
      },
      std::chrono::seconds(60)))
      << nodes;

  ASSERT_EQ(ApplyIn("ds", kPods).code, 0);
  ASSERT_TRUE(WaitRunningIn("ds", "packed"));
  EXPECT_EQ(GetIn("ds", "pod/packed", "{.spec.nodeName}"), gpu_node_);
  // Bound by the team's profile (the host's default-scheduler confirms it, and the syncer
  // copies that event in too: two Scheduled events, in either order).
  EXPECT_NE(GetIn("ds", "events", "{.items[?(@.reason==\"Scheduled\")].reportingComponent}")
                .find("bin-packing"),
            std::string::npos)
      << In("ds", {"get", "events"}).out;
  const std::string host_pod = "pod/packed-x-default-x-ds";
  EXPECT_EQ(Get(host_pod, "{.spec.nodeName}"), gpu_node_);
  EXPECT_EQ(Get(host_pod,
                "{.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"
                ".nodeSelectorTerms[0].matchFields[0].values[0]}"),
            gpu_node_);
  EXPECT_EQ(Get(host_pod, "{.spec.nodeSelector.pool}"), "gpu");
  EXPECT_EQ(Get(host_pod, "{.spec.schedulerName}"), "default-scheduler");

  // Created before `packed`, which the syncer has handled since: no host pod, still Pending.
  EXPECT_EQ(GetIn("ds", "pod/nowhere", "{.status.phase}"), "Pending");
  EXPECT_EQ(Kubectl({"get", "pod", "nowhere-x-default-x-ds", "-o", "name"}).code, 1);
}

}  // namespace
}  // namespace vc::testing
