// SPDX-License-Identifier: Apache-2.0
// Enforcement outlives the agent (pins + tc filters), and a new agent adopts and reconciles
// without a window; plus the veth locator against real routed and bridged setups. Run:
//   build/tests/vc_privileged_tests --gtest_filter='SegmentationDatapathTest.*'
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "privileged/datapath/segmentation_fixture.h"

namespace vc::testing {
namespace {

constexpr ProbeResult kEchoed = ProbeResult::kEchoed;
constexpr ProbeResult kDropped = ProbeResult::kTimedOut;

// Probes an allowed and a forbidden pair back to back until stopped, from another thread,
// so that every moment of a restart is covered by traffic.
class ContinuousProbe {
 public:
  ContinuousProbe(Probe allowed, Probe forbidden) {
    allowed.deadline = forbidden.deadline = std::chrono::milliseconds(300);
    thread_ = std::thread([=, this] {
      while (!stop_) {
        bool lost = UdpEcho(allowed) != ProbeResult::kEchoed;
        bool passed = UdpEcho(forbidden) != ProbeResult::kTimedOut;
        std::lock_guard<std::mutex> lock(mu_);
        allowed_lost_ += lost;
        forbidden_passed_ += passed;
        ++rounds_;
        cv_.notify_all();
      }
    });
  }
  ~ContinuousProbe() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  // Blocks until n more rounds have completed (each round is bounded by its deadlines).
  bool AwaitRounds(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    int target = rounds_ + n;
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return rounds_ >= target; });
  }
  int rounds() {
    std::lock_guard<std::mutex> l(mu_);
    return rounds_;
  }
  int allowed_lost() {
    std::lock_guard<std::mutex> l(mu_);
    return allowed_lost_;
  }
  int forbidden_passed() {
    std::lock_guard<std::mutex> l(mu_);
    return forbidden_passed_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int rounds_ = 0;
  int allowed_lost_ = 0;
  int forbidden_passed_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST_F(SegmentationDatapathTest, EnforcementSurvivesAgentExitAndRestartHasNoWindow) {
  const auto from_pod_id = datapath_->program(agent::TcHook::kFromPod).id;
  ContinuousProbe probe({lab_->pod("a1").netns_path(), "", Ip("a2"), kPodUdp},
                        {lab_->pod("a1").netns_path(), "", Ip("b1"), kPodUdp});
  ASSERT_TRUE(probe.AwaitRounds(2));

  StopAgent();  // as after exit or kill -9: every fd of ours is closed
  EXPECT_EQ(Tcp("a1", Ip("b1"), kPodTcp), kDropped);
  EXPECT_EQ(Tcp("a1", Ip("a2"), kPodTcp), kEchoed);
  EXPECT_EQ(Tcp("a1", kSvc, 8080), kEchoed);
  ASSERT_TRUE(probe.AwaitRounds(2));

  StartAgent();
  EXPECT_TRUE(datapath_->adopted_programs()) << "same build: pinned programs are reused";
  EXPECT_EQ(datapath_->program(agent::TcHook::kFromPod).id, from_pod_id);
  auto restored = Restore();  // before the API server answers
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(restored->map_writes, 0u) << "pinned maps were right: reconcile must not touch them";
  EXPECT_EQ(restored->filters_attached, 0u);
  auto again = Enforce(Input());  // the API server's view, unchanged
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->map_writes, 0u);
  EXPECT_EQ(again->filters_attached, 0u);
  ASSERT_TRUE(probe.AwaitRounds(2));
  probe.Stop();

  EXPECT_GE(probe.rounds(), 6);
  EXPECT_EQ(probe.forbidden_passed(), 0) << "a cross-tenant datagram was answered";
  EXPECT_EQ(probe.allowed_lost(), 0) << "an allowed datagram was lost";
  EXPECT_EQ(Tcp("a1", Ip("b1"), kPodTcp), kDropped);
  EXPECT_EQ(Tcp("a1", Ip("a2"), kPodTcp), kEchoed);
}

TEST_F(SegmentationDatapathTest, RestoreRepairsWhatWasLostWhileDown) {
  StopAgent();
  // A pinned map entry vanishes while the agent is down (an operator's bpftool, a bug).
  // The next agent restores it from its state store, before talking to the API server.
  {
    auto dp = agent::SegmentationDatapath::Open({pin_root_});
    ASSERT_TRUE(dp.ok());
    ASSERT_TRUE((*dp)->maps().DeleteTenantPolicy(2).ok());
  }
  StartAgent();
  auto restored = Restore();
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(restored->map_writes, 1u);
  auto state = datapath_->maps().ReadState();
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->tenant_policies.at(2), agent::TrustLevel::kZero);
  EXPECT_EQ(Tcp("b1", Ip("a1"), kPodTcp), kDropped);
}

TEST_F(SegmentationDatapathTest, VethLocatorFindsRoutedAndBridgedVeths) {
  {
    NetnsScope in_node(lab_->node_netns_path());
    ASSERT_TRUE(in_node.ok());
    auto routed = veths_.Locate(agent::IpAddress::Parse(Ip("b1")).value());
    ASSERT_TRUE(routed.ok()) << routed.status().ToString();
    EXPECT_EQ(routed->name, lab_->pod("b1").veth);
    EXPECT_EQ(static_cast<int>(routed->ifindex), lab_->pod("b1").ifindex);
    EXPECT_EQ(veths_.InterfaceName(routed->ifindex).value(), lab_->pod("b1").veth);
  }
  auto bridged = lab_->AddBridgedPod("br1", "10.213.2.2");
  ASSERT_TRUE(bridged.ok()) << bridged.status().ToString();
  agent::IpAddress ip = agent::IpAddress::Parse("10.213.2.2").value();
  {
    NetnsScope in_node(lab_->node_netns_path());
    auto unknown = veths_.Locate(ip);
    EXPECT_EQ(unknown.status().code(), Code::kNotFound) << "no neighbour entry before traffic";
  }
  // One exchange with the node teaches the bridge the pod's MAC and the node its neighbour.
  EchoServer node_server(lab_->node_netns_path(), "10.213.2.1", {7100}, {});
  ASSERT_TRUE(node_server.ready());
  ASSERT_EQ(TcpEcho({bridged->netns_path(), "", "10.213.2.1", 7100}), kEchoed);
  NetnsScope in_node(lab_->node_netns_path());
  auto found = veths_.Locate(ip);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->name, bridged->veth);
  // The node reaches the pod from its address on the bridge: kubelet's probes come from it.
  ASSERT_TRUE(found->node_source.has_value());
  EXPECT_EQ(found->node_source->ToString(), "10.213.2.1");
}

}  // namespace
}  // namespace vc::testing
