// SPDX-License-Identifier: Apache-2.0
// Real traffic through the real datapath: each trust level's verdicts, replies, fail-closed
// for unknown addresses, counters. Run as root:
//   build/tests/vc_privileged_tests --gtest_filter='SegmentationDatapathTest.*'
#include "privileged/datapath/segmentation_fixture.h"

namespace vc::testing {
namespace {

constexpr ProbeResult kEchoed = ProbeResult::kEchoed;
constexpr ProbeResult kDropped = ProbeResult::kTimedOut;

TEST_F(SegmentationDatapathTest, HighTrustPassesAndIsCounted) {
  auto before = Counters(4);
  EXPECT_EQ(Tcp("h1", kSvc, 9090), kEchoed);  // any port of a non-tenant address
  EXPECT_EQ(Udp("h1", kSvc, 5353), kEchoed);
  EXPECT_EQ(Tcp("svc", Ip("h1"), kPodTcp), kEchoed);  // and accepts from it
  auto after = Counters(4);
  EXPECT_GT(after.allowed_packets, before.allowed_packets);
  EXPECT_GT(after.allowed_bytes, before.allowed_bytes);
  EXPECT_EQ(after.dropped_packets, before.dropped_packets);
}

TEST_F(SegmentationDatapathTest, PartialTenantReachesSharedServiceButNoOtherTenant) {
  EXPECT_EQ(Tcp("p1", kSvc, 8080), kEchoed);
  EXPECT_EQ(Tcp("p1", Ip("a1"), kPodTcp), kDropped);
  EXPECT_EQ(Udp("p1", Ip("b1"), kPodUdp), kDropped);
  // Even a high-trust tenant, which accepts everyone, is another tenant to p.
  EXPECT_EQ(Tcp("p1", Ip("h1"), kPodTcp), kDropped);
  EXPECT_EQ(Tcp("h1", Ip("p1"), kPodTcp), kDropped);
}

TEST_F(SegmentationDatapathTest, ZeroTenantIsDefaultDenyExceptOwnPodsAndAllowList) {
  EXPECT_EQ(Tcp("a1", Ip("a2"), kPodTcp), kEchoed);
  EXPECT_EQ(Udp("a2", Ip("a1"), kPodUdp), kEchoed);
  EXPECT_EQ(Tcp("a1", kSvc, 8080), kEchoed);  // allow-listed port
  EXPECT_EQ(Udp("a1", kSvc, 5353), kEchoed);
  EXPECT_EQ(Tcp("a1", kSvc, 9090), kDropped);  // same service, port not listed
  EXPECT_EQ(Tcp("a1", Ip("b1"), kPodTcp), kDropped);
  EXPECT_EQ(Udp("b1", Ip("a1"), kPodUdp), kDropped);
  EXPECT_EQ(Tcp("a1", Ip("h1"), kPodTcp), kDropped);
  EXPECT_EQ(Tcp("h1", Ip("a1"), kPodTcp), kDropped);
  EXPECT_EQ(Tcp("b1", kSvc, 8080), kDropped);  // b's allow list is empty
}

// kubelet's probes: a zero-trust pod accepts TCP from the node's probe sources, but only what
// the node's own stack sends. The same source address on a packet the node forwards (a pod
// that spoofs it, a NodePort connection SNATed to the bridge's gateway) is no probe.
TEST_F(SegmentationDatapathTest, ZeroTrustPodsAcceptTheNodesOwnConnectionsOnly) {
  constexpr const char* kNodeAddress = "10.213.9.1";    // on the node, as a gateway would be
  constexpr const char* kSpoofedSource = "10.213.9.9";  // listed too, but sent by h1
  ASSERT_TRUE(lab_->AddNodeAddress(kNodeAddress).ok());
  ASSERT_TRUE(lab_->AddPodAddress("h1", kSpoofedSource, /*route=*/true).ok());
  // Before the rule: neither reaches a1, and the node's own connection fails too.
  EXPECT_EQ(TcpEcho({lab_->node_netns_path(), kNodeAddress, Ip("a1"), kPodTcp}), kDropped);
  agent::SegmentationInput in = Input();
  in.node.probe_sources = {agent::IpPrefix::Parse(std::string(kNodeAddress) + "/32").value(),
                           agent::IpPrefix::Parse(std::string(kSpoofedSource) + "/32").value()};
  auto report = Enforce(in);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(TcpEcho({lab_->node_netns_path(), kNodeAddress, Ip("a1"), kPodTcp}), kEchoed);
  // h1 is high trust (its own hook lets it send from any address) and the node forwards it:
  // a1's hook sees the listed source on a forwarded packet and drops it.
  EXPECT_EQ(Tcp("h1", Ip("a1"), kPodTcp, kSpoofedSource), kDropped);
  // Probes are TCP only, and only into zero-trust pods' own tenant rules.
  EXPECT_EQ(UdpEcho({lab_->node_netns_path(), kNodeAddress, Ip("a1"), kPodUdp}), kDropped);
}

TEST_F(SegmentationDatapathTest, RepliesToAllowedFlowsPassButTheServiceCannotOpenFlows) {
  // The echo is the reply: it crosses a1's to_pod hook, which alone would deny svc.
  EXPECT_EQ(Tcp("a1", kSvc, 8080), kEchoed);
  EXPECT_EQ(Udp("a1", kSvc, 5353), kEchoed);
  // The flow table is no blanket allowance for svc: a flow svc opens is denied.
  EXPECT_EQ(Tcp("svc", Ip("a1"), kPodTcp), kDropped);
  EXPECT_EQ(Udp("svc", Ip("a1"), kPodUdp), kDropped);
  // A reply-shaped packet from svc's allowed port to a port a1 never used is no reply.
  EXPECT_EQ(Udp("svc", Ip("a1"), kPodUdp, kSvc), kDropped);
}

TEST_F(SegmentationDatapathTest, UnknownAddressOnZeroTrustVethIsDropped) {
  // a2 gets an address the agent was not told about, routed back to it like a real one:
  // the datapath alone stands between it and the allow-listed service (svc's veth carries
  // no filter, so only a2's own from_pod hook can drop).
  ASSERT_TRUE(lab_->AddPodAddress("a2", "10.213.0.7", /*route=*/true).ok());
  EXPECT_EQ(Tcp("a2", kSvc, 8080, "10.213.0.7"), kDropped);
  EXPECT_EQ(Tcp("a2", Ip("a1"), kPodTcp, "10.213.0.7"), kDropped);
  EXPECT_EQ(Tcp("a2", Ip("a1"), kPodTcp, Ip("a2")), kEchoed);  // its known address works

  // a2 claims b1's address: dropped on a2's veth and counted as a's, never as b's.
  ASSERT_TRUE(lab_->AddPodAddress("a2", Ip("b1"), /*route=*/false).ok());
  auto a_before = Counters(1);
  auto b_before = Counters(2);
  EXPECT_EQ(Tcp("a2", kSvc, 8080, Ip("b1")), kDropped);
  EXPECT_GE(Counters(1).dropped_packets - a_before.dropped_packets, 1u);
  EXPECT_EQ(Counters(2).allowed_packets, b_before.allowed_packets);
  EXPECT_EQ(Counters(2).dropped_packets, b_before.dropped_packets);

  // Once the agent knows the address, it is the tenant's like any other.
  auto input = Input();
  input.pods.push_back({"test/a2-extra", agent::IpAddress::Parse("10.213.0.7").value(), 1});
  ASSERT_TRUE(Enforce(input).ok());
  EXPECT_EQ(Tcp("a2", kSvc, 8080, "10.213.0.7"), kEchoed);
  EXPECT_EQ(Tcp("a2", Ip("a1"), kPodTcp, "10.213.0.7"), kEchoed);
}

TEST_F(SegmentationDatapathTest, CountersCountPerTenant) {
  auto a = Counters(1);
  auto b = Counters(2);
  EXPECT_EQ(Tcp("a1", Ip("a2"), kPodTcp), kEchoed);
  EXPECT_EQ(Udp("b1", Ip("a1"), kPodUdp), kDropped);
  auto a2 = Counters(1);
  auto b2 = Counters(2);
  // a1<->a2 passes four hooks of tenant a per packet pair; b's datagram is dropped at
  // b1's own veth (b's policy), before a's hooks ever see it.
  EXPECT_GE(a2.allowed_packets - a.allowed_packets, 6u);
  EXPECT_EQ(a2.dropped_packets, a.dropped_packets);
  EXPECT_EQ(b2.dropped_packets - b.dropped_packets, 1u);
  EXPECT_GT(b2.dropped_bytes, b.dropped_bytes);
}

}  // namespace
}  // namespace vc::testing
