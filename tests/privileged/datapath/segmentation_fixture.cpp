// SPDX-License-Identifier: Apache-2.0
#include "privileged/datapath/segmentation_fixture.h"

#include <unistd.h>

#include "support/bpffs.h"
#include "support/prerequisite.h"
#include "vc/agent/datapath/bpffs.h"

namespace vc::testing {

using agent::IpAddress;
using agent::IpPrefix;
using agent::IpProto;
using agent::TrustLevel;

void SegmentationDatapathTest::SetUp() {
  VC_REQUIRE(geteuid() == 0, "root (bpf, netns)");
  VC_REQUIRE(std::filesystem::exists("/sys/kernel/btf/vmlinux"),
             "kernel BTF (/sys/kernel/btf/vmlinux)");
  const std::string suffix = RandomSuffix();
  bpffs_ = std::make_unique<TestPinRoot>();
  VC_REQUIRE(bpffs_->ok(), "a bpffs of the test's own: " << bpffs_->error());
  pin_root_ = bpffs_->path();
  if (Status s = agent::EnsurePinRoot(pin_root_); !s.ok()) {
    pin_root_.clear();
    VC_REQUIRE(false, "bpffs: " << s.ToString());
  }
  state_dir_ = std::filesystem::temp_directory_path() / ("vc-test-" + suffix);
  auto lab = NetnsLab::Create(suffix, {{"a1", "10.213.0.1"},
                                       {"a2", "10.213.0.2"},
                                       {"b1", "10.213.0.3"},
                                       {"p1", "10.213.0.4"},
                                       {"h1", "10.213.0.5"},
                                       {"svc", kSvc}});
  ASSERT_TRUE(lab.ok()) << lab.status().ToString();
  lab_ = std::move(*lab);
  for (const LabPod& pod : lab_->pods()) {
    auto server = pod.name == "svc"
                      ? std::make_unique<EchoServer>(pod.netns_path(), pod.address,
                                                     std::vector<uint16_t>{8080, 9090},
                                                     std::vector<uint16_t>{5353})
                      : std::make_unique<EchoServer>(pod.netns_path(), pod.address,
                                                     std::vector<uint16_t>{kPodTcp},
                                                     std::vector<uint16_t>{kPodUdp});
    ASSERT_TRUE(server->ready()) << "echo server in " << pod.name;
    servers_[pod.name] = std::move(server);
  }
  // Before any enforcement every pair talks: a failure below is the datapath's doing.
  ASSERT_EQ(Tcp("a1", Ip("b1"), kPodTcp), ProbeResult::kEchoed);
  StartAgent();
  auto report = Enforce(Input());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_TRUE(report->pods_without_veth.empty());
}

void SegmentationDatapathTest::TearDown() {
  servers_.clear();
  StopAgent();
  lab_.reset();  // namespaces, veths, routes, tc hooks
  if (!pin_root_.empty()) {
    Status s = agent::RemovePinRoot(pin_root_);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  bpffs_.reset();
  if (!state_dir_.empty()) std::filesystem::remove_all(state_dir_);
}

void SegmentationDatapathTest::StartAgent() {
  auto dp = agent::SegmentationDatapath::Open({pin_root_});
  ASSERT_TRUE(dp.ok()) << dp.status().ToString();
  datapath_ = std::move(*dp);
  auto store = agent::EnforcementStore::Open((state_dir_ / "state.db").string());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  store_ = std::move(*store);
}

void SegmentationDatapathTest::StopAgent() {
  store_.reset();
  datapath_.reset();
}

agent::SegmentationInput SegmentationDatapathTest::Input() const {
  IpPrefix svc = IpPrefix::Parse(std::string(kSvc) + "/32").value();
  agent::SegmentationInput in;
  in.tenants = {
      {1, "a", TrustLevel::kZero, {{svc, IpProto::kTcp, 8080}, {svc, IpProto::kUdp, 5353}}},
      {2, "b", TrustLevel::kZero, {}},
      {3, "p", TrustLevel::kPartial, {{svc, IpProto::kTcp, 8080}}},
      {4, "h", TrustLevel::kHigh, {}},
  };
  std::map<std::string, agent::TenantId> tenant_of = {
      {"a1", 1}, {"a2", 1}, {"b1", 2}, {"p1", 3}, {"h1", 4}};
  for (const auto& [pod, tenant] : tenant_of) {
    in.pods.push_back({"test/" + pod, IpAddress::Parse(Ip(pod)).value(), tenant});
  }
  return in;
}

StatusOr<agent::EnforceReport> SegmentationDatapathTest::Enforce(
    const agent::SegmentationInput& input) {
  // tc and route lookups happen in the lab's node namespace, as the agent's would in the
  // host's.
  NetnsScope in_node(lab_->node_netns_path());
  if (!in_node.ok()) return Internal("enter node namespace");
  agent::SegmentationEnforcer enforcer(
      datapath_->maps(), tc_, veths_, *store_,
      {datapath_->program(agent::TcHook::kFromPod), datapath_->program(agent::TcHook::kToPod)});
  return enforcer.Enforce(input);
}

StatusOr<agent::EnforceReport> SegmentationDatapathTest::Restore() {
  NetnsScope in_node(lab_->node_netns_path());
  if (!in_node.ok()) return Internal("enter node namespace");
  agent::SegmentationEnforcer enforcer(
      datapath_->maps(), tc_, veths_, *store_,
      {datapath_->program(agent::TcHook::kFromPod), datapath_->program(agent::TcHook::kToPod)});
  return enforcer.RestoreLastEnforced();
}

agent::TenantCounters SegmentationDatapathTest::Counters(agent::TenantId tenant) {
  auto c = datapath_->maps().ReadCounters(tenant);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? *c : agent::TenantCounters{};
}

ProbeResult SegmentationDatapathTest::Tcp(const std::string& from, const std::string& to,
                                          uint16_t port, const std::string& source) {
  return TcpEcho({lab_->pod(from).netns_path(), source, to, port});
}

ProbeResult SegmentationDatapathTest::Udp(const std::string& from, const std::string& to,
                                          uint16_t port, const std::string& source) {
  return UdpEcho({lab_->pod(from).netns_path(), source, to, port});
}

}  // namespace vc::testing
