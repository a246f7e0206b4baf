// SPDX-License-Identifier: Apache-2.0
// The fixture of the privileged segmentation tests: a lab node with pods of four tenants and
// a shared service, each pod running TCP/UDP echo servers, enforced by the real datapath
// (programs loaded, maps pinned under a test-only pin root, tc filters on the veths).
//
//   tenant a (1, zero):    a1 10.213.0.1, a2 10.213.0.2   may reach svc tcp/8080, udp/5353
//   tenant b (2, zero):    b1 10.213.0.3                 may reach nothing shared
//   tenant p (3, partial): p1 10.213.0.4                 may reach svc tcp/8080
//   tenant h (4, high):    h1 10.213.0.5
//   shared service:        svc 10.213.1.10 tcp/8080, tcp/9090, udp/5353 (no tenant)
//
// Skips (not fails) without root, BTF or bpffs. Cleans up namespaces, pins and the state file
// in TearDown, which gtest runs after failed assertions too.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "privileged/datapath/netns_lab.h"
#include "privileged/datapath/traffic_probe.h"
#include "support/bpffs.h"
#include "vc/agent/datapath/enforcement_store.h"
#include "vc/agent/datapath/libbpf_tc_attacher.h"
#include "vc/agent/datapath/netlink_veth_locator.h"
#include "vc/agent/datapath/segmentation_datapath.h"
#include "vc/agent/datapath/segmentation_enforcer.h"

namespace vc::testing {

inline constexpr uint16_t kPodTcp = 7000;
inline constexpr uint16_t kPodUdp = 7001;
inline constexpr const char* kSvc = "10.213.1.10";

class SegmentationDatapathTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // The agent's start-up: open (or adopt) the pinned datapath and its store.
  void StartAgent();
  // The agent's exit or kill -9: our fds close, pins and filters stay.
  void StopAgent();
  agent::SegmentationInput Input() const;
  StatusOr<agent::EnforceReport> Enforce(const agent::SegmentationInput& input);
  StatusOr<agent::EnforceReport> Restore();
  agent::TenantCounters Counters(agent::TenantId tenant);

  ProbeResult Tcp(const std::string& from, const std::string& to, uint16_t port,
                  const std::string& source = "");
  ProbeResult Udp(const std::string& from, const std::string& to, uint16_t port,
                  const std::string& source = "");
  std::string Ip(const std::string& pod) const { return lab_->pod(pod).address; }

  std::unique_ptr<TestPinRoot> bpffs_;
  std::string pin_root_;
  std::filesystem::path state_dir_;
  std::unique_ptr<NetnsLab> lab_;
  std::map<std::string, std::unique_ptr<EchoServer>> servers_;
  std::unique_ptr<agent::SegmentationDatapath> datapath_;
  std::unique_ptr<agent::EnforcementStore> store_;
  agent::LibbpfTcAttacher tc_;
  agent::NetlinkVethLocator veths_;
};

}  // namespace vc::testing
