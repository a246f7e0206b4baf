// SPDX-License-Identifier: Apache-2.0
// The fixture of the agent's privileged tests: a local cluster of its own
// (tests/cluster/local-cluster up, real kube-apiserver + kwok nodes), the Tenant CRD, and the
// freshly built vc-node-agent binary run as a child process for the cluster's first node. The
// pods are kwok's: the test reads the IPs kwok gave them and builds a NetnsLab whose pod
// namespaces hold those IPs, so real packets between them meet the agent's tc filters. The
// agent runs on the host (API calls to 127.0.0.1) and enforces in the lab's node namespace
// (--pod-netns).
//
// Skips without root, BTF, bpffs, the cluster binaries or the agent binary. TearDown (which
// gtest runs after failures too) stops the agent, deletes the namespaces, the pins, the
// cluster and its directory.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "privileged/datapath/netns_lab.h"
#include "privileged/datapath/traffic_probe.h"
#include "support/bpffs.h"
#include "support/process.h"
#include "vc/kube/client.h"

namespace vc::testing {

class AgentClusterTest : public ::testing::Test {
 protected:
  static constexpr uint16_t kPodTcp = 7000;
  static constexpr uint16_t kPodUdp = 7001;

  void SetUp() override;
  void TearDown() override;

  // A pod on `node_` (kwok runs it). `tenant` "": a pod of no tenant. Returns its IP once kwok
  // reported it Running.
  std::string RunPod(const std::string& ns, const std::string& name, const std::string& tenant,
                     const std::string& node = "");
  void CreateNamespace(const std::string& ns);
  // A Tenant object for virtual cluster `name` in host namespace `ns`.
  void CreateTenant(const std::string& ns, const std::string& name, const std::string& trust,
                    const nlohmann::json& shared_services = nlohmann::json::array(),
                    const nlohmann::json& node_quota = nullptr);
  // The lab: a node namespace and a pod namespace per {name, ip}, each with echo servers.
  void BuildLab(const std::vector<std::pair<std::string, std::string>>& pods);
  void AddLabPod(const std::string& name, const std::string& ip);

  // Quotas off unless `cgroup_root` is given (with kubelet's --cgroup-root for the test tree).
  void StartAgent(const std::string& cgroup_root = "", const std::string& kubelet_cgroup_root = "");
  void StopAgent();
  // The body of GET /metrics ("" when the agent does not answer).
  std::string Metrics();
  // A sample's value from the metrics text, -1 when absent.
  static double Sample(const std::string& metrics, const std::string& series);
  std::string AgentLog() const { return agent_ ? agent_->LogTail() : std::string(); }

  ProbeResult Tcp(const std::string& from, const std::string& to_ip, uint16_t port);
  ProbeResult Udp(const std::string& from, const std::string& to_ip, uint16_t port);
  // One ICMP echo with a 1s deadline; true when answered.
  bool Ping(const std::string& from, const std::string& to_ip);
  std::string Ip(const std::string& lab_pod) const { return lab_->pod(lab_pod).address; }

  template <typename F>
  static bool Eventually(F done, std::chrono::milliseconds timeout) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      if (done()) return true;
      // A poll interval, not a synchronisation: every caller checks a condition.
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return done();
  }

  std::unique_ptr<TempDir> tmp_;
  std::string cluster_dir_;
  std::string local_cluster_;
  bool cluster_up_ = false;
  std::shared_ptr<kube::Client> client_;
  std::string node_;        // the node the agent runs for
  std::string other_node_;  // another node of the cluster (no agent there)
  std::string suffix_;
  std::unique_ptr<TestPinRoot> bpffs_;
  std::string pin_root_;
  std::unique_ptr<NetnsLab> lab_;
  std::map<std::string, std::unique_ptr<EchoServer>> servers_;
  std::unique_ptr<ChildProcess> agent_;
  int metrics_port_ = 0;
};

}  // namespace vc::testing
