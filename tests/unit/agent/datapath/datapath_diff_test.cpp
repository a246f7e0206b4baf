// SPDX-License-Identifier: Apache-2.0
// Reconcile writes only differences, in an order that fails closed.
#include "vc/agent/datapath/datapath_diff.h"

#include <gtest/gtest.h>

#include "unit/agent/fakes/fake_segmentation_maps.h"

namespace vc::agent {
namespace {

IpPrefix P(const char* text) { return IpPrefix::Parse(text).value(); }

DatapathState Sample() {
  DatapathState s;
  s.pod_tenants = {{P("10.0.0.1"), 1}, {P("10.0.0.2"), 2}};
  s.tenant_policies = {{1, TrustLevel::kZero}, {2, TrustLevel::kPartial}};
  s.allow_rules = {{1, Direction::kEgress, IpProto::kUdp, 53, P("10.96.0.10/32")}};
  s.iface_tenants = {{11, 1}, {12, 2}};
  return s;
}

TEST(DatapathDiffTest, EqualStatesNeedNoWrites) {
  FakeSegmentationMaps maps;
  maps.state = Sample();
  DatapathDiff d = DiffDatapath(Sample(), maps.state);
  EXPECT_TRUE(d.empty());
  ASSERT_TRUE(ApplyDiff(d, maps).ok());
  EXPECT_TRUE(maps.writes.empty());
}

TEST(DatapathDiffTest, WritesOnlyTheDifferences) {
  FakeSegmentationMaps maps;
  maps.state = Sample();
  maps.state.pod_tenants[P("10.0.0.99")] = 1;         // stale: pod gone
  maps.state.tenant_policies[2] = TrustLevel::kHigh;  // drifted
  DatapathState desired = Sample();
  desired.pod_tenants[P("10.0.0.3")] = 1;  // new pod
  ASSERT_TRUE(ApplyDiff(DiffDatapath(desired, maps.state), maps).ok());
  EXPECT_EQ(maps.writes, (std::vector<std::string>{"put policy 2=partial", "put pod 10.0.0.3/32=1",
                                                   "delete pod 10.0.0.99/32"}));
  EXPECT_EQ(maps.state, desired);
}

TEST(DatapathDiffTest, AddsBeforeRemovingAndTrustLast) {
  FakeSegmentationMaps maps;
  maps.state = Sample();
  DatapathState desired;
  desired.allow_rules = {{3, Direction::kEgress, IpProto::kTcp, 443, P("10.96.0.1/32")}};
  desired.tenant_policies = {{3, TrustLevel::kZero}};
  desired.pod_tenants = {{P("10.0.0.7"), 3}};
  desired.iface_tenants = {{17, 3}};
  ASSERT_TRUE(ApplyDiff(DiffDatapath(desired, maps.state), maps).ok());
  std::vector<std::string> expected = {
      "put rule tenant 3 egress to 10.96.0.1/32 tcp/443",
      "put policy 3=zero",
      "put iface 17=3",
      "put pod 10.0.0.7/32=3",
      "delete pod 10.0.0.1/32",
      "delete pod 10.0.0.2/32",
      "delete iface 11",
      "delete iface 12",
      "delete rule tenant 1 egress to 10.96.0.10/32 udp/53",
      "delete policy 1",
      "delete policy 2",
  };
  EXPECT_EQ(maps.writes, expected);
  EXPECT_EQ(maps.state, desired);
}

TEST(DatapathDiffTest, FailedWriteStopsAndTheNextReconcileFinishes) {
  FakeSegmentationMaps maps;
  maps.fail_after_writes = 1;
  DatapathState desired = Sample();
  EXPECT_FALSE(ApplyDiff(DiffDatapath(desired, maps.state), maps).ok());
  maps.fail_after_writes = -1;
  ASSERT_TRUE(ApplyDiff(DiffDatapath(desired, maps.state), maps).ok());
  EXPECT_EQ(maps.state, desired);
}

}  // namespace
}  // namespace vc::agent
