// SPDX-License-Identifier: Apache-2.0
// SegmentationEnforcer against fake maps, tc and veths, with a real store on a temp file.
#include "vc/agent/datapath/segmentation_enforcer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "unit/agent/fakes/fake_segmentation_maps.h"
#include "unit/agent/fakes/fake_tc_attacher.h"
#include "unit/agent/fakes/fake_veth_locator.h"

namespace vc::agent {
namespace {

IpPrefix P(const char* text) { return IpPrefix::Parse(text).value(); }
IpAddress A(const char* text) { return IpAddress::Parse(text).value(); }

constexpr int kFromPodFd = 100;
constexpr int kToPodFd = 101;

class SegmentationEnforcerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::filesystem::temp_directory_path() /
          ("vc-enforcer-test-" + std::to_string(getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db");
    Cleanup();
    store_ = EnforcementStore::Open(db_.string()).value();
    tc_.prog_ids = {{kFromPodFd, 7}, {kToPodFd, 8}};
    AddVeth("10.0.0.1", 11, "veth-a1");
    AddVeth("10.0.0.2", 12, "veth-a2");
    AddVeth("10.0.0.3", 13, "veth-b1");
  }
  void TearDown() override {
    store_.reset();
    Cleanup();
  }
  void Cleanup() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db_.string() + suffix);
  }
  void AddVeth(const char* ip, uint32_t ifindex, const char* name) {
    veths_.veths[A(ip)] = VethInfo{ifindex, name};
    tc_.existing.insert(ifindex);
  }
  SegmentationEnforcer Enforcer(int from_fd = kFromPodFd, uint32_t from_id = 7) {
    return SegmentationEnforcer(maps_, tc_, veths_, *store_,
                                EnforcementPrograms{{from_fd, from_id}, {kToPodFd, 8}});
  }
  SegmentationInput Input() {
    SegmentationInput in;
    in.tenants = {{1, "a", TrustLevel::kZero, {{P("10.96.0.10/32"), IpProto::kUdp, 53}}},
                  {2, "b", TrustLevel::kPartial, {}}};
    in.pods = {{"a/1", A("10.0.0.1"), 1}, {"a/2", A("10.0.0.2"), 1}, {"b/1", A("10.0.0.3"), 2}};
    return in;
  }

  std::filesystem::path db_;
  std::unique_ptr<EnforcementStore> store_;
  FakeSegmentationMaps maps_;
  FakeTcAttacher tc_;
  FakeVethLocator veths_;
};

TEST_F(SegmentationEnforcerTest, FirstEnforceWritesMapsAttachesBothHooksAndRecords) {
  auto report = Enforcer().Enforce(Input());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->filters_attached, 6u);
  EXPECT_EQ(maps_.state.pod_tenants.size(), 3u);
  EXPECT_EQ(maps_.state.iface_tenants, (std::map<uint32_t, TenantId>{{11, 1}, {12, 1}, {13, 2}}));
  EXPECT_EQ((tc_.attached[{11, TcHook::kFromPod}]), 7u);
  EXPECT_EQ((tc_.attached[{11, TcHook::kToPod}]), 8u);
  auto recorded = store_->Load().value();
  EXPECT_EQ(recorded.maps, maps_.state);
  EXPECT_EQ(recorded.veths.at(13).name, "veth-b1");
}

// kubelet probes a pod from the source address of the node's route to it (a bridge CNI's
// gateway), which the Node object does not list: a zero-trust tenant accepts TCP from it, a
// partial one needs no rule (it accepts non-tenant peers anyway).
TEST_F(SegmentationEnforcerTest, TheNodesRouteSourceToAPodIsAProbeSource) {
  veths_.veths[A("10.0.0.1")].node_source = A("10.0.0.254");
  veths_.veths[A("10.0.0.3")].node_source = A("10.0.0.254");
  SegmentationInput in = Input();
  in.node.probe_sources = {P("192.168.1.5/32")};
  auto report = Enforcer().Enforce(in);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  const AllowRule from_gateway{1, Direction::kFromNode, IpProto::kTcp, 0, P("10.0.0.254/32")};
  const AllowRule from_node{1, Direction::kFromNode, IpProto::kTcp, 0, P("192.168.1.5/32")};
  EXPECT_TRUE(maps_.state.allow_rules.count(from_gateway)) << "the route's source";
  EXPECT_TRUE(maps_.state.allow_rules.count(from_node)) << "the Node object's address";
  size_t ingress = 0;
  for (const AllowRule& r : maps_.state.allow_rules) ingress += r.direction == Direction::kFromNode;
  EXPECT_EQ(ingress, 2u)
      << "one rule per source (two veths share one), none for the partial tenant";
}

// Entries only an older build's programs read (pod addresses in the prefix trie) may go only
// when every filter runs this build: not while one veth still has the old program.
TEST_F(SegmentationEnforcerTest, SupersededEntriesAreDroppedOnlyAfterEveryFilterIsOurs) {
  tc_.existing.erase(13);  // attaching to veth-b1 fails
  EXPECT_FALSE(Enforcer().Enforce(Input()).ok());
  EXPECT_EQ(maps_.superseded_drops, 0);
  tc_.existing.insert(13);
  ASSERT_TRUE(Enforcer().Enforce(Input()).ok());
  EXPECT_EQ(maps_.superseded_drops, 1);
}

TEST_F(SegmentationEnforcerTest, SecondEnforceChangesNothing) {
  ASSERT_TRUE(Enforcer().Enforce(Input()).ok());
  maps_.writes.clear();
  tc_.calls.clear();
  auto report = Enforcer().Enforce(Input());
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->map_writes, 0u);
  EXPECT_EQ(report->filters_attached, 0u);
  EXPECT_TRUE(maps_.writes.empty());
  EXPECT_TRUE(tc_.calls.empty());
}

TEST_F(SegmentationEnforcerTest, PodWithoutVethIsMappedAndReported) {
  SegmentationInput in = Input();
  in.pods.push_back({"a/3", A("10.0.0.4"), 1});
  auto report = Enforcer().Enforce(in);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->pods_without_veth.size(), 1u);
  EXPECT_EQ(report->pods_without_veth[0].name, "a/3");
  EXPECT_EQ(maps_.state.pod_tenants.at(P("10.0.0.4")), 1u);
}

TEST_F(SegmentationEnforcerTest, RemovedPodLosesEntriesAndFilters) {
  ASSERT_TRUE(Enforcer().Enforce(Input()).ok());
  SegmentationInput in = Input();
  in.pods.pop_back();  // b/1 gone, its veth still exists
  auto report = Enforcer().Enforce(in);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->filters_detached, 2u);
  EXPECT_FALSE(maps_.state.pod_tenants.count(P("10.0.0.3")));
  EXPECT_FALSE(maps_.state.iface_tenants.count(13));
  EXPECT_FALSE((tc_.attached.count({13, TcHook::kFromPod})));
}

TEST_F(SegmentationEnforcerTest, RestartRestoresOnlyWhatDrifted) {
  ASSERT_TRUE(Enforcer().Enforce(Input()).ok());
  // While the agent was down: one pinned entry was lost and one filter removed.
  maps_.state.pod_tenants.erase(P("10.0.0.2"));
  tc_.attached.erase({12, TcHook::kToPod});
  maps_.writes.clear();
  tc_.calls.clear();
  auto report = Enforcer().RestoreLastEnforced();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(maps_.writes, (std::vector<std::string>{"put pod 10.0.0.2/32=1"}));
  EXPECT_EQ(tc_.calls, (std::vector<std::string>{"attach 12 egress"}));
}

TEST_F(SegmentationEnforcerTest, NewProgramBuildReplacesFiltersInPlace) {
  ASSERT_TRUE(Enforcer().Enforce(Input()).ok());
  tc_.prog_ids[200] = 70;
  tc_.calls.clear();
  auto report = Enforcer(200, 70).RestoreLastEnforced();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->filters_attached, 3u);  // from_pod on each veth; no detach first
  EXPECT_EQ((tc_.attached[{11, TcHook::kFromPod}]), 70u);
  for (const std::string& call : tc_.calls) EXPECT_EQ(call.rfind("attach", 0), 0u) << call;
}

TEST_F(SegmentationEnforcerTest, ReusedIfindexIsNotGivenTheOldTenant) {
  ASSERT_TRUE(Enforcer().Enforce(Input()).ok());
  // While the agent was down, b/1 went away and ifindex 13 now names another interface.
  veths_.veths[A("10.0.0.3")] = VethInfo{13, "someone-else"};
  tc_.calls.clear();
  auto report = Enforcer().RestoreLastEnforced();
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(maps_.state.iface_tenants.count(13));
  EXPECT_TRUE(tc_.calls.empty());  // neither re-attached nor detached: not ours any more
}

}  // namespace
}  // namespace vc::agent
