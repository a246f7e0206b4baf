// SPDX-License-Identifier: Apache-2.0
#include "privileged/agent/agent_cluster_fixture.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "support/prerequisite.h"
#include "vc/agent/agent/tenant_settings.h"
#include "vc/agent/datapath/bpffs.h"
#include "vc/cli/render/host_objects.h"
#include "vc/kube/kubeconfig.h"
#include "vc/labels.h"

namespace vc::testing {

using nlohmann::json;

void AgentClusterTest::SetUp() {
  VC_REQUIRE(geteuid() == 0, "root (bpf, netns)");
  VC_REQUIRE(std::filesystem::exists("/sys/kernel/btf/vmlinux"),
             "kernel BTF (/sys/kernel/btf/vmlinux)");
#ifndef VC_NODE_AGENT_BIN
  VC_REQUIRE(false, "vc-node-agent, built");
#else
  suffix_ = RandomSuffix();
  bpffs_ = std::make_unique<TestPinRoot>();
  VC_REQUIRE(bpffs_->ok(), "a bpffs of the test's own: " << bpffs_->error());
  pin_root_ = bpffs_->path();
  if (Status s = agent::EnsurePinRoot(pin_root_); !s.ok()) {
    pin_root_.clear();
    VC_REQUIRE(false, "bpffs: " << s.ToString());
  }
  // The directory names the cluster: keep it short and DNS-friendly.
  tmp_ = std::make_unique<TempDir>("vcagent");
  ASSERT_FALSE(tmp_->path().empty());
  cluster_dir_ = tmp_->path() + "/cluster";
  local_cluster_ = std::string(VC_TESTS_SOURCE_DIR) + "/cluster/local-cluster";
  cluster_up_ = true;  // from here on, TearDown takes it down (also a half-started one)
  // Once more after a failed start, with the first failure printed: local-cluster picks free
  // ports before the components bind them, and on a busy 2-core machine a neighbour can take
  // one meanwhile (seen once in CI: kube-apiserver never became ready).
  auto tail = [](const std::string& file) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    const std::string all = text.str();
    return all.size() > 3000 ? all.substr(all.size() - 3000) : all;
  };
  int up = 1;
  for (int attempt = 0; attempt < 2 && up != 0; ++attempt) {
    if (attempt > 0) {
      std::cerr << "local-cluster up failed once; its kube-apiserver log ends:\n"
                << tail(cluster_dir_ + "/logs/kube-apiserver.log") << "\n";
      RunToCompletion({local_cluster_, "down", "--dir", cluster_dir_},
                      tmp_->path() + "/cluster-down-retry.log", std::chrono::minutes(1));
    }
    up = RunToCompletion({local_cluster_, "up", "--dir", cluster_dir_, "--nodes", "2"},
                         tmp_->path() + "/cluster-up.log", std::chrono::minutes(4));
  }
  if (up != 0) {
    FAIL() << "local-cluster up failed (" << up << "):\n"
           << tail(tmp_->path() + "/cluster-up.log") << "\nkube-apiserver log:\n"
           << tail(cluster_dir_ + "/logs/kube-apiserver.log");
  }
  kube::KubeconfigOptions options;
  options.kubeconfig = cluster_dir_ + "/kubeconfig";
  options.env = kube::ProcessEnvironment();
  auto config = kube::LoadRestConfig(options);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  client_ = kube::Client::ForConfig(*config);

  auto nodes = client_->ListAll(kube::resources::kNodes, "", {});
  ASSERT_TRUE(nodes.ok()) << nodes.status().ToString();
  std::vector<std::string> names;
  for (const json& n : nodes->items) names.push_back(n["metadata"]["name"]);
  std::sort(names.begin(), names.end());
  ASSERT_FALSE(names.empty());
  node_ = names.front();
  other_node_ = names.back();

  auto crd = client_->Create(kube::resources::kCustomResourceDefinitions, "",
                             cli::render::TenantCustomResourceDefinition());
  ASSERT_TRUE(crd.ok()) << crd.status().ToString();
  ASSERT_TRUE(Eventually([&] { return client_->List(agent::kTenantResource, "", {}).ok(); },
                         std::chrono::seconds(30)))
      << "the Tenant CRD was not served";
#endif
}

void AgentClusterTest::TearDown() {
  if (agent_ && HasFailure()) std::cerr << agent_->LogTail(20000) << "\n";
  agent_.reset();  // SIGTERM; pins and filters stay until the lab and the pin root go
  servers_.clear();
  lab_.reset();
  if (!pin_root_.empty()) {
    Status s = agent::RemovePinRoot(pin_root_);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  bpffs_.reset();
  if (cluster_up_) {
    const int down = RunToCompletion({local_cluster_, "down", "--dir", cluster_dir_},
                                     tmp_->path() + "/cluster-down.log", std::chrono::minutes(1));
    EXPECT_EQ(down, 0) << "local-cluster down";
  }
  tmp_.reset();
}

void AgentClusterTest::CreateNamespace(const std::string& ns) {
  auto created =
      client_->Create(kube::resources::kNamespaces, "",
                      {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}}});
  ASSERT_TRUE(created.ok()) << created.status().ToString();
}

std::string AgentClusterTest::RunPod(const std::string& ns, const std::string& name,
                                     const std::string& tenant, const std::string& node) {
  json labels = {{"app", name}};
  if (!tenant.empty()) {
    labels[labels::kTenant] = tenant;
    labels[labels::kTenantNamespace] = ns;
    labels[labels::kComponent] = labels::kComponentWorkload;
  }
  const json pod = {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata", {{"name", name}, {"namespace", ns}, {"labels", labels}}},
      {"spec",
       {{"nodeName", node.empty() ? node_ : node},
        {"containers", json::array({{{"name", "app"}, {"image", "registry.invalid/app:1"}}})},
        {"tolerations", json::array({{{"operator", "Exists"}}})}}}};
  auto created = client_->Create(kube::resources::kPods, ns, pod);
  EXPECT_TRUE(created.ok()) << created.status().ToString();
  std::string ip;
  EXPECT_TRUE(Eventually(
      [&] {
        auto got = client_->Get(kube::resources::kPods, ns, name);
        if (!got.ok()) return false;
        const json status = got->value("status", json::object());
        if (status.value("phase", "") != "Running") return false;
        ip = status.value("podIP", "");
        return !ip.empty();
      },
      std::chrono::seconds(60)))
      << "pod " << ns << "/" << name << " did not run with an IP";
  return ip;
}

void AgentClusterTest::CreateTenant(const std::string& ns, const std::string& name,
                                    const std::string& trust, const json& shared_services,
                                    const json& node_quota) {
  json spec = {{"trustLevel", trust}};
  if (!node_quota.is_null()) spec["nodeQuota"] = node_quota;
  if (!shared_services.empty()) spec["sharedServices"] = shared_services;
  const json tenant = {{"apiVersion", "kubectl-vc.dev/v1alpha1"},
                       {"kind", "Tenant"},
                       {"metadata", {{"name", name}, {"namespace", ns}}},
                       {"spec", spec}};
  auto created = client_->Create(agent::kTenantResource, ns, tenant);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
}

void AgentClusterTest::BuildLab(const std::vector<std::pair<std::string, std::string>>& pods) {
  auto lab = NetnsLab::Create(suffix_, {});
  ASSERT_TRUE(lab.ok()) << lab.status().ToString();
  lab_ = std::move(*lab);
  for (const auto& [name, ip] : pods) AddLabPod(name, ip);
}

void AgentClusterTest::AddLabPod(const std::string& name, const std::string& ip) {
  Status s = lab_->AddPod(name, ip);
  ASSERT_TRUE(s.ok()) << s.ToString();
  const LabPod& pod = lab_->pod(name);
  auto server = name.rfind("svc", 0) == 0
                    ? std::make_unique<EchoServer>(pod.netns_path(), pod.address,
                                                   std::vector<uint16_t>{8080, 9090},
                                                   std::vector<uint16_t>{5353})
                    : std::make_unique<EchoServer>(pod.netns_path(), pod.address,
                                                   std::vector<uint16_t>{kPodTcp},
                                                   std::vector<uint16_t>{kPodUdp});
  ASSERT_TRUE(server->ready()) << "echo server in " << name;
  servers_[name] = std::move(server);
}

void AgentClusterTest::StartAgent(const std::string& cgroup_root,
                                  const std::string& kubelet_cgroup_root) {
#ifdef VC_NODE_AGENT_BIN
  metrics_port_ = FreePort();
  std::vector<std::string> argv = {VC_NODE_AGENT_BIN,
                                   "--node-name",
                                   node_,
                                   "--kubeconfig",
                                   cluster_dir_ + "/kubeconfig",
                                   "--state-dir",
                                   tmp_->path() + "/state",
                                   "--bpffs-root",
                                   pin_root_,
                                   "--cgroup-root",
                                   cgroup_root.empty() ? tmp_->path() + "/no-cgroups" : cgroup_root,
                                   "--pod-netns",
                                   lab_->node_netns_path(),
                                   "--metrics-address",
                                   "127.0.0.1:" + std::to_string(metrics_port_),
                                   "--retry-interval-ms",
                                   "200",
                                   "--log-level",
                                   "info"};
  if (!kubelet_cgroup_root.empty()) {
    argv.push_back("--kubelet-cgroup-root");
    argv.push_back(kubelet_cgroup_root);
  }
  auto agent = ChildProcess::Start("vc-node-agent", argv, tmp_->path() + "/agent.log");
  ASSERT_TRUE(agent.ok()) << agent.status().ToString();
  agent_ = std::move(*agent);
  ASSERT_TRUE(Eventually([&] { return LoopbackHttpGet(metrics_port_, "/readyz") == 200; },
                         std::chrono::seconds(60)))
      << "the agent did not become ready\n"
      << agent_->LogTail();
#endif
}

void AgentClusterTest::StopAgent() {
  if (!agent_) return;
  EXPECT_EQ(agent_->Stop(), 0) << agent_->LogTail();
  agent_.reset();
}

std::string AgentClusterTest::Metrics() { return LoopbackHttpBody(metrics_port_, "/metrics"); }

double AgentClusterTest::Sample(const std::string& metrics, const std::string& series) {
  std::istringstream lines(metrics);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

ProbeResult AgentClusterTest::Tcp(const std::string& from, const std::string& to_ip,
                                  uint16_t port) {
  return TcpEcho({lab_->pod(from).netns_path(), "", to_ip, port});
}

bool AgentClusterTest::Ping(const std::string& from, const std::string& to_ip) {
  // No ping(8) on our machines: one ICMP echo over a raw socket, from a thread inside the pod's
  // namespace, waiting for the matching reply until a deadline.
  bool answered = false;
  std::thread([&] {
    NetnsScope in_pod(lab_->pod(from).netns_path());
    if (!in_pod.ok()) return;
    const int fd = ::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
    if (fd < 0) return;
    sockaddr_in to{};
    to.sin_family = AF_INET;
    ::inet_pton(AF_INET, to_ip.c_str(), &to.sin_addr);
    const uint16_t id = static_cast<uint16_t>(::getpid() & 0xffff);
    icmphdr echo{};
    echo.type = ICMP_ECHO;
    echo.un.echo.id = htons(id);
    echo.un.echo.sequence = htons(1);
    uint32_t sum = 0;  // RFC 1071 over the 8-byte header (no payload)
    const auto* words = reinterpret_cast<const uint16_t*>(&echo);
    for (size_t i = 0; i < sizeof(echo) / 2; ++i) sum += words[i];
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    echo.checksum = static_cast<uint16_t>(~sum);
    ::sendto(fd, &echo, sizeof(echo), 0, reinterpret_cast<sockaddr*>(&to), sizeof(to));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    while (!answered) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd pfd{fd, POLLIN, 0};
      if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) break;
      char buf[256];
      sockaddr_in peer{};
      socklen_t len = sizeof(peer);
      const ssize_t n =
          ::recvfrom(fd, buf, sizeof(buf), 0, reinterpret_cast<sockaddr*>(&peer), &len);
      if (n < static_cast<ssize_t>(sizeof(iphdr) + sizeof(icmphdr))) continue;
      const auto* ip = reinterpret_cast<const iphdr*>(buf);
      const auto* reply = reinterpret_cast<const icmphdr*>(buf + ip->ihl * 4);
      answered = peer.sin_addr.s_addr == to.sin_addr.s_addr && reply->type == ICMP_ECHOREPLY &&
                 ntohs(reply->un.echo.id) == id;
    }
    ::close(fd);
  }).join();
  return answered;
}

ProbeResult AgentClusterTest::Udp(const std::string& from, const std::string& to_ip,
                                  uint16_t port) {
  return UdpEcho({lab_->pod(from).netns_path(), "", to_ip, port});
}

}  // namespace vc::testing
