// SPDX-License-Identifier: Apache-2.0
// What a trusted tenant's scheduling settings do on the host's real nodes:
//  - sync.fromHost.nodes.syncBackChanges: the tenant labels, taints and gives an extended
//    resource to its view of a host node, the host node gets them, and the host's scheduler
//    places the tenant's pod by them; what the host decides (the hostname label) stays the
//    host's. Undone on the host node at the end, also on failure.
//  - sync.toHost.priorityClasses: the tenant's PriorityClass is the host's, its pods run
//    with its priority there, and delete takes it away.
#include <gtest/gtest.h>

#include "realnodes/real_virtual_cluster.h"

namespace vc::testing {
namespace {

class NodeChangesBackTest : public RealVirtualClusterTest {
 protected:
  void TearDown() override {
    if (!node_.empty()) {
      // Whatever the test left on the shared host's node.
      Kubectl({"label", "node", node_, "e2e-back-", "--overwrite"}, false);
      Kubectl({"taint", "node", node_, "e2e-back-"}, false);
      Kubectl({"patch", "node", node_, "--subresource=status", "--type=json", "-p",
               R"([{"op": "remove", "path": "/status/capacity/example.com~1widget"}])"},
              false);
    }
    RealVirtualClusterTest::TearDown();
  }
  std::string node_;
};

TEST_F(NodeChangesBackTest, ATrustedTenantsNodeChangesReachTheHostNodeAndPlaceItsPods) {
  ASSERT_NO_FATAL_FAILURE(Create("back",
                                 "sync:\n  fromHost:\n    nodes:\n      enabled: true\n"
                                 "      selector: {all: true}\n      syncBackChanges: true\n"));
  node_ = NodeName(2);
  const std::string node = "node/" + node_;
  ASSERT_TRUE(Eventually([&] { return !GetIn("back", node, "{.metadata.name}").empty(); }))
      << In("back", {"get", "nodes"}).out;

  // The tenant's label, taint and extended resource, as the upstream scheduling specs write
  // them.
  ASSERT_EQ(In("back", {"label", "node", node_, "e2e-back=yes"}).code, 0);
  ASSERT_EQ(In("back", {"taint", "node", node_, "e2e-back=x:PreferNoSchedule"}).code, 0);
  Ran patched = In("back", {"patch", "node", node_, "--subresource=status", "--type=merge", "-p",
                            R"({"status": {"capacity": {"example.com/widget": "3"}}})"});
  ASSERT_EQ(patched.code, 0) << patched.out;
  // A label the host decides: it does not go back, and the tenant's view gets the host's again.
  ASSERT_EQ(
      In("back", {"label", "node", node_, "kubernetes.io/hostname=elsewhere", "--overwrite"}).code,
      0);

  EXPECT_TRUE(Eventually([&] { return Get(node, "{.metadata.labels.e2e-back}") == "yes"; }))
      << Kubectl({"get", node, "-o", "yaml"}, false).out;
  EXPECT_TRUE(Eventually([&] {
    return Get(node, "{.spec.taints[?(@.key==\"e2e-back\")].effect}") == "PreferNoSchedule";
  }));
  EXPECT_TRUE(Eventually([&] {
    return Get(node, "{.status.allocatable.example\\.com/widget}") == "3";
  })) << Kubectl({"get", node, "-o", "jsonpath={.status}"}, false).out;
  EXPECT_EQ(Get(node, "{.metadata.labels.kubernetes\\.io/hostname}"), node_);
  EXPECT_TRUE(Eventually(
      [&] { return GetIn("back", node, "{.metadata.labels.kubernetes\\.io/hostname}") == node_; }));

  // The host's scheduler places the tenant's pod by them: the label it selects and the
  // resource it asks for are only on that node.
  ASSERT_EQ(ApplyIn("back", R"(apiVersion: v1
kind: Pod
metadata: {name: placed, namespace: default}
spec:
  terminationGracePeriodSeconds: 1
  nodeSelector: {e2e-back: "yes"}
  containers:
  - name: main
    image: busybox:1.36
    command: [sleep, '3600']
    resources:
      requests: {example.com/widget: "2"}
      limits: {example.com/widget: "2"}
)")
                .code,
            0);
  ASSERT_TRUE(WaitRunningIn("back", "placed"));
  EXPECT_EQ(Get("pod/placed-x-default-x-back", "{.spec.nodeName}"), node_);

  // Taken away in the virtual cluster: gone from the host node too.
  ASSERT_EQ(In("back", {"delete", "pod", "placed", "--wait=true"}).code, 0);
  ASSERT_EQ(In("back", {"label", "node", node_, "e2e-back-"}).code, 0);
  ASSERT_EQ(In("back", {"taint", "node", node_, "e2e-back-"}).code, 0);
  EXPECT_TRUE(Eventually([&] {
    return Get(node, "{.metadata.labels.e2e-back}").empty() &&
           Get(node, "{.spec.taints[?(@.key==\"e2e-back\")].effect}").empty();
  })) << Kubectl({"get", node, "-o", "yaml"}, false).out;
}

TEST_F(RealVirtualClusterTest, ATrustedTenantsPodsRunWithItsPriorityClassesOnTheHost) {
  ASSERT_NO_FATAL_FAILURE(
      Create("prio", "sync:\n  toHost:\n    priorityClasses:\n      enabled: true\n"));
  ASSERT_EQ(ApplyIn("prio", R"(apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: important}
value: 1000
globalDefault: true
---
apiVersion: v1
kind: Pod
metadata: {name: first, namespace: default}
spec:
  terminationGracePeriodSeconds: 1
  priorityClassName: important
  containers: [{name: main, image: busybox:1.36, command: [sleep, '3600']}]
---
apiVersion: v1
kind: Pod
metadata: {name: critical, namespace: default}
spec:
  terminationGracePeriodSeconds: 1
  priorityClassName: system-cluster-critical
  containers: [{name: main, image: busybox:1.36, command: [sleep, '3600']}]
)")
                .code,
            0);
  ASSERT_TRUE(WaitRunningIn("prio", "first"));
  // The host copy: important-x-prio-HASH (of the host namespace and the cluster's name).
  const std::string host_class = Get("pod/first-x-default-x-prio", "{.spec.priorityClassName}");
  EXPECT_EQ(host_class.rfind("important-x-prio-", 0), 0u) << host_class;
  EXPECT_EQ(Get("pod/first-x-default-x-prio", "{.spec.priority}"), "1000");
  EXPECT_EQ(Get("priorityclass/" + host_class, "{.value}"), "1000");
  EXPECT_NE(Get("priorityclass/" + host_class, "{.globalDefault}"), "true")
      << "not the host's default";
  // The host's own system class, not a copy.
  ASSERT_TRUE(WaitRunningIn("prio", "critical"));
  EXPECT_EQ(Get("pod/critical-x-default-x-prio", "{.spec.priorityClassName} {.spec.priority}"),
            "system-cluster-critical 2000000000");

  // delete takes the host class with the rest.
  Ran deleted = Vc({"delete", "prio", "-n", NamespaceOf("prio"), "--wait", "--timeout", "90s"});
  ASSERT_EQ(deleted.code, 0) << deleted.out;
  created_.clear();
  EXPECT_EQ(Kubectl({"get", "priorityclass", host_class}, false).code, 1);
}

}  // namespace
}  // namespace vc::testing
