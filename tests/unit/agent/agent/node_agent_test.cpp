// SPDX-License-Identifier: Apache-2.0
// NodeAgent over the datapath fakes and a real EnforcementStore on a temp file; quotas over
// FakeCgroupFs and a directory tree shaped like a v1 cgroupfs; evictions over FakeTransport.
#include "vc/agent/agent/node_agent.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "support/fake_clock.h"
#include "unit/agent/agent/agent_test_objects.h"
#include "unit/agent/cgroup/cgroup_test_tree.h"
#include "unit/agent/cgroup/fake_cgroup_fs.h"
#include "unit/agent/fakes/fake_segmentation_maps.h"
#include "unit/agent/fakes/fake_tc_attacher.h"
#include "unit/agent/fakes/fake_veth_locator.h"
#include "unit/shared/kube/fake_transport.h"

namespace vc::agent {
namespace {

using nlohmann::json;
using testing::NodeNamed;
using testing::PodOf;
using testing::TenantOf;

IpAddress A(const char* text) { return IpAddress::Parse(text).value(); }
IpPrefix Host(const char* text) { return IpPrefix::Host(A(text)); }

class NodeAgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("vc-node-agent-test-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store_ = EnforcementStore::Open((dir_ / "state.db").string()).value();
    tc_.prog_ids = {{100, 7}, {101, 8}};
    enforcer_ = std::make_unique<SegmentationEnforcer>(maps_, tc_, veths_, *store_,
                                                       EnforcementPrograms{{100, 7}, {101, 8}});
    kube::RestConfig config;
    config.server = "https://api:6443/";
    client_ = std::make_unique<kube::Client>(config, transport_, clock_);
  }
  void TearDown() override {
    agent_.reset();
    enforcer_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void AddVeth(const char* ip, uint32_t ifindex) {
    veths_.veths[A(ip)] = VethInfo{ifindex, "veth" + std::to_string(ifindex)};
    tc_.existing.insert(ifindex);
  }
  NodeAgent& Agent(kube::Client* client = nullptr) {
    NodeAgentOptions options{"node-1", (dir_ / "tenant-ids.json").string()};
    agent_ = std::make_unique<NodeAgent>(options, *enforcer_, maps_, nullptr, client,
                                         TenantIdAllocator(), clock_);
    return *agent_;
  }

  std::filesystem::path dir_;
  std::unique_ptr<EnforcementStore> store_;
  FakeSegmentationMaps maps_;
  FakeTcAttacher tc_;
  FakeVethLocator veths_;
  std::unique_ptr<SegmentationEnforcer> enforcer_;
  std::shared_ptr<kube::testing::FakeTransport> transport_ =
      std::make_shared<kube::testing::FakeTransport>();
  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>();
  std::unique_ptr<kube::Client> client_;
  std::unique_ptr<NodeAgent> agent_;
};

TEST_F(NodeAgentTest, EnforcesWhatTheViewSaysAndRetriesPodsWithoutVeth) {
  AddVeth("10.244.0.1", 11);
  NodeAgent& agent = Agent();
  EXPECT_FALSE(agent.ready());
  ClusterView view{NodeNamed("node-1"),
                   {PodOf("a", "a1", "10.244.0.1"), PodOf("b", "b1", "10.244.0.2")},
                   {TenantOf("a", "zero"), TenantOf("b", "partial")}};
  ASSERT_TRUE(agent.ReconcileOnce(view).ok());
  EXPECT_TRUE(agent.ready());
  EXPECT_TRUE(agent.NeedsRetry()) << "b1 has no veth yet";
  const TenantId a = maps_.state.pod_tenants.at(Host("10.244.0.1"));
  const TenantId b = maps_.state.pod_tenants.at(Host("10.244.0.2"));
  EXPECT_NE(a, b);
  EXPECT_EQ(maps_.state.tenant_policies.at(a), TrustLevel::kZero);
  EXPECT_EQ(maps_.state.tenant_policies.at(b), TrustLevel::kPartial);
  EXPECT_EQ(maps_.state.iface_tenants.at(11), a);

  AddVeth("10.244.0.2", 12);
  ASSERT_TRUE(agent.ReconcileOnce(view).ok());
  EXPECT_FALSE(agent.NeedsRetry());
  EXPECT_EQ(maps_.state.iface_tenants.at(12), b);
  EXPECT_TRUE(std::filesystem::exists(dir_ / "tenant-ids.json")) << "ids persisted";

  const MetricsSnapshot m = agent.Metrics();
  EXPECT_EQ(m.enforced_pods, 2);
  EXPECT_EQ(m.pods_without_veth, 0);
  EXPECT_EQ(m.tenants.size(), 2u);
  EXPECT_EQ(m.reconciles, 2u);

  // b's pod goes: its address and policy go with it, a stays.
  view.pods.pop_back();
  ASSERT_TRUE(agent.ReconcileOnce(view).ok());
  EXPECT_EQ(maps_.state.pod_tenants.count(Host("10.244.0.2")), 0u);
  EXPECT_EQ(maps_.state.pod_tenants.at(Host("10.244.0.1")), a);
}

TEST_F(NodeAgentTest, TenantPodsOfOtherNodesAreAddressesWithoutVeths) {
  AddVeth("10.244.0.1", 11);
  AddVeth("10.244.1.9", 19);  // would be found, but a pod of another node is never looked for
  NodeAgent& agent = Agent();
  json remote = PodOf("a", "a9", "10.244.1.9");
  remote["spec"]["nodeName"] = "node-2";
  json local_again = PodOf("a", "a1", "10.244.0.1");  // node-1's pod in the cluster-wide list
  ClusterView view{NodeNamed("node-1"), {PodOf("a", "a1", "10.244.0.1")}, {TenantOf("a", "zero")}};
  view.workloads = {remote, local_again};
  ASSERT_TRUE(agent.ReconcileOnce(view).ok());
  EXPECT_FALSE(agent.NeedsRetry());
  EXPECT_EQ(maps_.state.pod_tenants.at(Host("10.244.1.9")),
            maps_.state.pod_tenants.at(Host("10.244.0.1")));
  EXPECT_EQ(maps_.state.iface_tenants.count(19), 0u);
  EXPECT_EQ(maps_.state.iface_tenants.count(11), 1u);
  EXPECT_EQ(agent.Metrics().enforced_pods, 1) << "this node's pods";
}

TEST_F(NodeAgentTest, RestoreReappliesTheRecordAfterALostDatapath) {
  AddVeth("10.244.0.1", 11);
  ASSERT_TRUE(
      Agent()
          .ReconcileOnce(
              {NodeNamed("node-1"), {PodOf("a", "a1", "10.244.0.1")}, {TenantOf("a", "zero")}})
          .ok());
  const DatapathState enforced = maps_.state;
  maps_.state = {};  // a reboot: bpffs is empty
  ASSERT_TRUE(Agent().Restore().ok());
  EXPECT_EQ(maps_.state, enforced);
}

TEST_F(NodeAgentTest, DatapathFailureIsReportedAndRetried) {
  NodeAgent& agent = Agent();
  // Two tenants claiming one veth: the enforcer refuses the whole input.
  AddVeth("10.244.0.1", 11);
  veths_.veths[A("10.244.0.2")] = VethInfo{11, "veth11"};
  Status s = agent.ReconcileOnce(
      {NodeNamed("node-1"), {PodOf("a", "a1", "10.244.0.1"), PodOf("b", "b1", "10.244.0.2")}, {}});
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(agent.NeedsRetry());
  EXPECT_FALSE(agent.ready());
  EXPECT_EQ(agent.Metrics().reconcile_errors.at("segmentation"), 1u);
}

TEST_F(NodeAgentTest, EvictsForeignPodsOnADedicatedNodeAndRecordsEvents) {
  using kube::testing::JsonResponse;
  NodeAgent& agent = Agent(client_.get());
  json ds_pod = PodOf("", "logs-x", "10.244.0.9");
  ds_pod["metadata"]["ownerReferences"] = json::array({{{"kind", "DaemonSet"}, {"name", "l"}}});
  ClusterView view{NodeNamed("node-1", "a"),
                   {PodOf("a", "a1", "10.244.0.1"), PodOf("b", "b1", "10.244.0.2"), ds_pod},
                   {}};
  transport_->Reply(JsonResponse(200, PodOf("b", "b1", "10.244.0.2")));  // delete
  transport_->Reply(JsonResponse(201, {{"kind", "Event"}}));             // event
  ASSERT_TRUE(agent.ReconcileOnce(view).ok());
  auto requests = transport_->requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].method, "DELETE");
  EXPECT_NE(requests[0].url.find("/namespaces/vcluster-b/pods/b1"), std::string::npos);
  EXPECT_NE(requests[0].body.find("\"uid\":\"uid-b1\""), std::string::npos)
      << "a precondition on the pod seen: " << requests[0].body;
  EXPECT_NE(requests[1].url.find("/namespaces/vcluster-b/events"), std::string::npos);
  const json event = json::parse(requests[1].body);
  EXPECT_EQ(event["reason"], "EvictedFromDedicatedNode");
  EXPECT_EQ(event["involvedObject"]["name"], "b1");
  EXPECT_EQ(agent.Metrics().evictions, 1u);

  // The informer has not seen b1 go yet: no second eviction, no second Event.
  ASSERT_TRUE(agent.ReconcileOnce(view).ok());
  EXPECT_EQ(transport_->requests().size(), 2u);
}

TEST_F(NodeAgentTest, AFailedDeleteIsReportedAndTriedAgain) {
  using kube::testing::ApiStatus;
  using kube::testing::JsonResponse;
  NodeAgent& agent = Agent(client_.get());
  ClusterView view{NodeNamed("node-1", "a"), {PodOf("b", "b1", "10.244.0.2")}, {}};
  transport_->Reply(JsonResponse(
      403, ApiStatus(403, "Forbidden", "vc-node-agent may delete only pods on its own node")));
  const Status refused = agent.ReconcileOnce(view);
  EXPECT_FALSE(refused.ok());
  EXPECT_NE(refused.ToString().find("evict vcluster-b/b1"), std::string::npos)
      << refused.ToString();
  EXPECT_EQ(agent.Metrics().evictions, 0u);

  transport_->Reply(JsonResponse(404, ApiStatus(404, "NotFound", "gone")));  // went meanwhile
  transport_->Reply(JsonResponse(201, {{"kind", "Event"}}));
  EXPECT_TRUE(agent.ReconcileOnce(view).ok());
  EXPECT_EQ(agent.Metrics().evictions, 1u);
}

TEST_F(NodeAgentTest, HoldsATenantToItsNodeBudgetAndReportsUsage) {
  testing::CgroupTestTree tree;
  const CgroupLayout layout{CgroupDriver::kCgroupfs, CgroupVersion::kV1};
  PodCgroupLocator locator(tree.root());
  testing::FakeCgroupFs fs;
  QuotaEnforcer quotas(locator, layout, fs);
  std::vector<std::string> cgroups;
  for (const char* uid : {"uid-a1", "uid-a2"}) {
    const std::string path = PodCgroupPath(layout, QosClass::kBestEffort, uid);
    tree.Dir("cpu/" + path);
    fs.AddCgroup(path);
    fs.SetUsage(path, {1000000000, 1 << 20, 3});
    cgroups.push_back(path);
  }
  AddVeth("10.244.0.1", 11);
  AddVeth("10.244.0.2", 12);
  NodeAgent agent({"node-1", ""}, *enforcer_, maps_, &quotas, nullptr, TenantIdAllocator(), clock_);
  ClusterView view{NodeNamed("node-1"),
                   {PodOf("a", "a1", "10.244.0.1"), PodOf("a", "a2", "10.244.0.2"),
                    PodOf("a", "a3", "", "Pending")},
                   {TenantOf("a", "zero", {{"nodeQuota", {{"cpu", "600m"}, {"pids", 300}}}})}};
  ASSERT_TRUE(agent.ReconcileOnce(view).ok());
  EXPECT_TRUE(agent.NeedsRetry()) << "a3's cgroup is not there yet";
  ASSERT_EQ(fs.writes.size(), 2u);
  // Three pods share the budget evenly (none requested anything): 200m and 100 pids each.
  for (const auto& [cgroup, limits] : fs.writes) {
    ASSERT_TRUE(limits.cpu.has_value());
    EXPECT_EQ(limits.cpu->quota_us * 1000 / limits.cpu->period_us, 200) << cgroup;
    EXPECT_EQ(limits.pids_max, 100) << cgroup;
  }
  const MetricsSnapshot m = agent.Metrics();
  ASSERT_EQ(m.tenants.size(), 1u);
  EXPECT_TRUE(m.tenants[0].has_budget);
  EXPECT_TRUE(m.tenants[0].has_usage);
  EXPECT_EQ(m.tenants[0].usage.pids, 6u);
  EXPECT_EQ(m.tenants[0].usage.cpu_usage_ns, 2000000000u);
  EXPECT_EQ(m.tenants[0].usage.memory_bytes, 2u << 20);

  // Usage is read when scraped, not when the last pass ran (a resync period may lie between).
  fs.SetUsage(cgroups[0], {1500000000, 64 << 20, 10});
  const MetricsSnapshot later = agent.Metrics();
  ASSERT_EQ(later.tenants.size(), 1u);
  EXPECT_EQ(later.tenants[0].usage.memory_bytes, (64u << 20) + (1u << 20));
  EXPECT_EQ(later.tenants[0].usage.pids, 13u);
}

}  // namespace
}  // namespace vc::agent
