// SPDX-License-Identifier: Apache-2.0
// vc-node-agent against a real API server (issue 5 "Tests"): kwok pods of tenants A (zero),
// B (zero), P (partial) and a shared service S (reached by address, by its Service's cluster IP
// and, for tenant H, by a headless Service's endpoint); network namespaces hold their IPs; the
// agent binary watches the cluster and enforces in the lab. Real TCP/UDP decides.
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "privileged/agent/agent_cluster_fixture.h"
#include "vc/node/dedicated_nodes.h"

namespace vc::testing {
namespace {

using nlohmann::json;
using std::chrono::seconds;

// Every tenant pod of the scenario and the shared service, their Tenant objects, the lab.
class AgentSegmentationTest : public AgentClusterTest {
 protected:
  void SetUp() override {
    AgentClusterTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    for (const char* ns : {"vcluster-a", "vcluster-b", "vcluster-p", "shared"}) {
      ASSERT_NO_FATAL_FAILURE(CreateNamespace(ns));
    }
    ips_["a1"] = RunPod("vcluster-a", "a1", "a");
    ips_["a2"] = RunPod("vcluster-a", "a2", "a");
    ips_["b1"] = RunPod("vcluster-b", "b1", "b");
    ips_["p1"] = RunPod("vcluster-p", "p1", "p");
    ips_["svc"] = RunPod("shared", "svc", "");
    // Pods of A and B on the other node: this node's agent knows them by their addresses.
    ips_["a9"] = RunPod("vcluster-a", "a9", "a", other_node_);
    ips_["b9"] = RunPod("vcluster-b", "b9", "b", other_node_);
    ASSERT_FALSE(HasFailure());
    // The shared service also has a Service with a fixed cluster IP, which A names (as
    // kubectl-vc's profiles name kube-dns). No kube-proxy here: the lab gives the service pod
    // that address too.
    const json service = {
        {"apiVersion", "v1"},
        {"kind", "Service"},
        {"metadata", {{"name", "svc"}, {"namespace", "shared"}}},
        {"spec",
         {{"clusterIP", kVip},
          {"ports", json::array({{{"name", "a"}, {"port", 8080}, {"protocol", "TCP"}},
                                 {{"name", "b"}, {"port", 9090}, {"protocol", "TCP"}}})}}}};
    auto created = client_->Create(kube::resources::kServices, "shared", service);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    const json svc_8080 =
        json::array({{{"name", "svc"},
                      {"cidr", ips_["svc"] + "/32"},
                      {"ports", json::array({{{"port", 8080}, {"protocol", "TCP"}}})}}});
    json a_shared = svc_8080;
    a_shared.push_back({{"name", "iperf"},  // the long-lived flow of the kill -9 test
                        {"cidr", ips_["svc"] + "/32"},
                        {"ports", json::array({{{"port", 5201}, {"protocol", "TCP"}}})}});
    a_shared.push_back({{"name", "svc-by-name"},
                        {"namespace", "shared"},
                        {"service", "svc"},
                        {"ports", json::array({{{"port", 8080}, {"protocol", "TCP"}}})}});
    ASSERT_NO_FATAL_FAILURE(CreateTenant("vcluster-a", "a", "zero", a_shared));
    ASSERT_NO_FATAL_FAILURE(CreateTenant("vcluster-b", "b", "zero"));
    ASSERT_NO_FATAL_FAILURE(CreateTenant("vcluster-p", "p", "partial", svc_8080));
    ASSERT_NO_FATAL_FAILURE(BuildLab({{"a1", ips_["a1"]},
                                      {"a2", ips_["a2"]},
                                      {"b1", ips_["b1"]},
                                      {"p1", ips_["p1"]},
                                      {"svc", ips_["svc"]},
                                      {"a9", ips_["a9"]},
                                      {"b9", ips_["b9"]}}));
    ASSERT_TRUE(lab_->AddPodAddress("svc", kVip, true).ok());
    servers_["vip"] =
        std::make_unique<EchoServer>(lab_->pod("svc").netns_path(), kVip,
                                     std::vector<uint16_t>{8080, 9090}, std::vector<uint16_t>{});
    ASSERT_TRUE(servers_["vip"]->ready());
    // Before the agent every pair talks: a failure below is the agent's doing.
    ASSERT_EQ(Tcp("a1", Ip("b1"), kPodTcp), ProbeResult::kEchoed);
    ASSERT_EQ(Tcp("p1", Ip("a1"), kPodTcp), ProbeResult::kEchoed);
  }

  static constexpr const char* kVip = "10.96.100.10";
  std::map<std::string, std::string> ips_;
};

TEST_F(AgentSegmentationTest, EnforcesTenantIsolationWithRealTraffic) {
  ASSERT_NO_FATAL_FAILURE(StartAgent());
  // Ready means one full reconcile; the filters are then on every veth.
  ASSERT_TRUE(Eventually([&] { return Tcp("a1", Ip("b1"), kPodTcp) == ProbeResult::kTimedOut; },
                         seconds(30)))
      << AgentLog();

  EXPECT_EQ(Tcp("a1", Ip("a2"), kPodTcp), ProbeResult::kEchoed) << "A->A";
  EXPECT_EQ(Udp("a1", Ip("a2"), kPodUdp), ProbeResult::kEchoed) << "A->A udp";
  EXPECT_EQ(Tcp("a1", Ip("svc"), 8080), ProbeResult::kEchoed) << "A->S on the allowed port";
  EXPECT_EQ(Tcp("a1", Ip("svc"), 9090), ProbeResult::kTimedOut) << "A->S on another port";
  EXPECT_EQ(Udp("a1", Ip("svc"), 5353), ProbeResult::kTimedOut) << "A->S udp not listed";
  EXPECT_EQ(Tcp("a1", Ip("b1"), kPodTcp), ProbeResult::kTimedOut) << "A->B";
  EXPECT_EQ(Udp("a1", Ip("b1"), kPodUdp), ProbeResult::kTimedOut) << "A->B udp";
  EXPECT_EQ(Tcp("b1", Ip("a1"), kPodTcp), ProbeResult::kTimedOut) << "B->A";
  EXPECT_TRUE(Ping("a1", Ip("a2"))) << "A->A icmp";
  EXPECT_FALSE(Ping("a1", Ip("b1"))) << "A->B icmp";
  EXPECT_FALSE(Ping("b1", Ip("a1"))) << "B->A icmp";
  EXPECT_EQ(Udp("b1", Ip("a1"), kPodUdp), ProbeResult::kTimedOut) << "B->A udp";
  EXPECT_EQ(Tcp("a1", kVip, 8080), ProbeResult::kEchoed) << "A->S by Service, allowed port";
  EXPECT_EQ(Tcp("a1", kVip, 9090), ProbeResult::kTimedOut) << "A->S by Service, other port";
  EXPECT_EQ(Tcp("b1", kVip, 8080), ProbeResult::kTimedOut) << "B->S: B lists no service";
  EXPECT_EQ(Tcp("p1", Ip("svc"), 8080), ProbeResult::kEchoed) << "P->S";
  EXPECT_EQ(Tcp("p1", Ip("a1"), kPodTcp), ProbeResult::kTimedOut) << "P->A";
  // Across nodes: A's own pod elsewhere is A's; B's pod elsewhere is another tenant's.
  EXPECT_EQ(Tcp("a1", Ip("a9"), kPodTcp), ProbeResult::kEchoed) << "A->A on another node";
  EXPECT_EQ(Tcp("a1", Ip("b9"), kPodTcp), ProbeResult::kTimedOut) << "A->B on another node";
  EXPECT_EQ(Tcp("b9", Ip("a1"), kPodTcp), ProbeResult::kTimedOut) << "B on another node->A";
  EXPECT_EQ(Tcp("p1", Ip("b9"), kPodTcp), ProbeResult::kTimedOut) << "P->B on another node";
  EXPECT_EQ(Tcp("svc", Ip("a1"), kPodTcp), ProbeResult::kTimedOut) << "S opens no flow to A";

  const std::string metrics = Metrics();
  EXPECT_GT(Sample(metrics,
                   "vc_agent_tenant_packets_total{tenant=\"vcluster-b/b\","
                   "verdict=\"dropped\"}"),
            0)
      << metrics;
  EXPECT_GT(Sample(metrics,
                   "vc_agent_tenant_packets_total{tenant=\"vcluster-a/a\","
                   "verdict=\"allowed\"}"),
            0)
      << metrics;
  EXPECT_EQ(Sample(metrics, "vc_agent_enforced_pods"), 4) << metrics;
  EXPECT_EQ(Sample(metrics, "vc_agent_ready"), 1) << metrics;
}

TEST_F(AgentSegmentationTest, HeadlessSharedServiceIsReachedAtItsEndpointsPortOnly) {
  // Tenant H (zero trust) names the headless Service shared/db: it has no cluster IP, its DNS
  // name answers with its endpoints' addresses, so traffic goes straight to S. Service port 80
  // ("http") is served on S's 8080, as the EndpointSlice says (no selector: the slice is ours).
  ASSERT_NO_FATAL_FAILURE(CreateNamespace("vcluster-h"));
  const json headless = {
      {"apiVersion", "v1"},
      {"kind", "Service"},
      {"metadata", {{"name", "db"}, {"namespace", "shared"}}},
      {"spec",
       {{"clusterIP", "None"},
        {"ports",
         json::array(
             {{{"name", "http"}, {"port", 80}, {"targetPort", 8080}, {"protocol", "TCP"}}})}}}};
  auto service = client_->Create(kube::resources::kServices, "shared", headless);
  ASSERT_TRUE(service.ok()) << service.status().ToString();
  const json slice = {
      {"apiVersion", "discovery.k8s.io/v1"},
      {"kind", "EndpointSlice"},
      {"metadata",
       {{"name", "db-1"},
        {"namespace", "shared"},
        {"labels",
         {{"kubernetes.io/service-name", "db"},
          {"endpointslice.kubernetes.io/managed-by", "vc-agent-test"}}}}},
      {"addressType", "IPv4"},
      {"endpoints",
       json::array({{{"addresses", json::array({Ip("svc")})}, {"conditions", {{"ready", true}}}}})},
      {"ports", json::array({{{"name", "http"}, {"port", 8080}, {"protocol", "TCP"}}})}};
  auto created = client_->Create(kube::resources::kEndpointSlices, "shared", slice);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  ASSERT_NO_FATAL_FAILURE(
      CreateTenant("vcluster-h", "h", "zero",
                   json::array({{{"name", "db"}, {"namespace", "shared"}, {"service", "db"}}})));
  const std::string h1 = RunPod("vcluster-h", "h1", "h");
  ASSERT_FALSE(h1.empty());
  ASSERT_NO_FATAL_FAILURE(AddLabPod("h1", h1));
  ASSERT_EQ(Tcp("h1", Ip("svc"), 9090), ProbeResult::kEchoed) << "before the agent";

  ASSERT_NO_FATAL_FAILURE(StartAgent());
  ASSERT_TRUE(Eventually([&] { return Tcp("h1", Ip("b1"), kPodTcp) == ProbeResult::kTimedOut; },
                         seconds(30)))
      << AgentLog();
  EXPECT_EQ(Tcp("h1", Ip("svc"), 8080), ProbeResult::kEchoed) << "H->S at the endpoint's port";
  EXPECT_EQ(Tcp("h1", Ip("svc"), 9090), ProbeResult::kTimedOut) << "H->S on another port";
  EXPECT_EQ(Tcp("h1", Ip("svc"), 80), ProbeResult::kTimedOut)
      << "H->S at the Service's port, which is not the pod's";
  EXPECT_EQ(Udp("h1", Ip("svc"), 5353), ProbeResult::kTimedOut) << "H->S udp";
  EXPECT_EQ(Tcp("b1", Ip("svc"), 8080), ProbeResult::kTimedOut) << "B names no service";

  // The endpoint stops serving: its address is no longer the Service's to reach.
  json not_ready = *created;
  not_ready["endpoints"][0]["conditions"] = {{"ready", false}, {"serving", false}};
  auto updated = client_->Update(kube::resources::kEndpointSlices, "shared", not_ready);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_TRUE(
      Eventually([&] { return Tcp("h1", Ip("svc"), 8080) == ProbeResult::kTimedOut; }, seconds(30)))
      << "H->S once the endpoint does not serve\n"
      << AgentLog();
}

TEST_F(AgentSegmentationTest, NewPodIsDroppedUntilKnownAndAgentRestartKeepsPolicy) {
  ASSERT_NO_FATAL_FAILURE(StartAgent());
  ASSERT_TRUE(Eventually([&] { return Tcp("a1", Ip("b1"), kPodTcp) == ProbeResult::kTimedOut; },
                         seconds(30)))
      << AgentLog();

  // The agent goes away (API answers nobody now): what it enforced stays.
  StopAgent();
  EXPECT_EQ(Tcp("a1", Ip("b1"), kPodTcp), ProbeResult::kTimedOut) << "A->B with the agent down";
  EXPECT_EQ(Tcp("a1", Ip("a2"), kPodTcp), ProbeResult::kEchoed) << "A->A with the agent down";

  // A new pod of A appears while nobody enforces: its address is unknown, A drops it.
  const std::string a3 = RunPod("vcluster-a", "a3", "a");
  ASSERT_FALSE(a3.empty());
  ASSERT_NO_FATAL_FAILURE(AddLabPod("a3", a3));
  EXPECT_EQ(Tcp("a3", Ip("a1"), kPodTcp), ProbeResult::kTimedOut) << "unknown A pod -> A";

  // The agent is back: it learns a3 and allows it, without a window for B.
  ASSERT_NO_FATAL_FAILURE(StartAgent());
  EXPECT_TRUE(
      Eventually([&] { return Tcp("a3", Ip("a1"), kPodTcp) == ProbeResult::kEchoed; }, seconds(30)))
      << AgentLog();
  EXPECT_EQ(Tcp("a3", Ip("b1"), kPodTcp), ProbeResult::kTimedOut) << "new A pod -> B";
  EXPECT_EQ(Tcp("a1", Ip("b1"), kPodTcp), ProbeResult::kTimedOut) << "A->B after restart";
}

TEST_F(AgentSegmentationTest, KillDashNineAndRestartLetNoCrossTenantPacketThrough) {
  ASSERT_NO_FATAL_FAILURE(StartAgent());
  ASSERT_TRUE(Eventually([&] { return Tcp("a1", Ip("b1"), kPodTcp) == ProbeResult::kTimedOut; },
                         seconds(30)))
      << AgentLog();

  // A long-lived, rule-allowed flow A->S (its replies pass through the flow table, which is
  // pinned): iperf3 at a modest rate, so that the 2-cpu machine keeps up with the probes.
  auto iperf_server = ChildProcess::Start("iperf3-server",
                                          {"/usr/sbin/ip", "netns", "exec", lab_->pod("svc").netns,
                                           "iperf3", "-s", "-1", "-B", Ip("svc")},
                                          tmp_->path() + "/iperf3-server.log");
  ASSERT_TRUE(iperf_server.ok()) << iperf_server.status().ToString();
  std::unique_ptr<ChildProcess> iperf_client;
  ASSERT_TRUE(Eventually(
      [&] {
        // The server may not listen yet: retry the client until it connects.
        auto c = ChildProcess::Start("iperf3-client",
                                     {"/usr/sbin/ip", "netns", "exec", lab_->pod("a1").netns,
                                      "iperf3", "-c", Ip("svc"), "-t", "10", "-b", "50M", "-J"},
                                     tmp_->path() + "/iperf3-client.json");
        if (!c.ok()) return false;
        if ((*c)->WaitForExit(std::chrono::milliseconds(300)).has_value()) {
          std::filesystem::remove(tmp_->path() + "/iperf3-client.json");
          return false;  // exited at once: connection refused
        }
        iperf_client = std::move(*c);
        return true;
      },
      seconds(10)));

  // Traffic all along: new A->B connections (must never echo) and A->A ones (must always).
  std::atomic<bool> done{false};
  std::atomic<int> crossed{0}, allowed_failed{0}, rounds{0};
  std::thread traffic([&] {
    while (!done) {
      if (TcpEcho({lab_->pod("a1").netns_path(), "", Ip("b1"), kPodTcp,
                   std::chrono::milliseconds(200)}) == ProbeResult::kEchoed) {
        ++crossed;
      }
      if (UdpEcho({lab_->pod("b1").netns_path(), "", Ip("a1"), kPodUdp,
                   std::chrono::milliseconds(200)}) == ProbeResult::kEchoed) {
        ++crossed;
      }
      if (TcpEcho({lab_->pod("a1").netns_path(), "", Ip("a2"), kPodTcp,
                   std::chrono::milliseconds(800)}) != ProbeResult::kEchoed) {
        ++allowed_failed;
      }
      ++rounds;
    }
  });
  auto wait_rounds = [&](int n) {
    const int target = rounds + n;
    return Eventually([&] { return rounds >= target; }, seconds(30));
  };
  EXPECT_TRUE(wait_rounds(3));
  agent_->Signal(SIGKILL);
  EXPECT_TRUE(agent_->WaitForExit(seconds(10)).has_value());
  agent_.reset();
  EXPECT_TRUE(wait_rounds(3)) << "traffic while no agent runs";
  StartAgent();  // restores from pins and state.db, then reconciles with the API
  EXPECT_TRUE(wait_rounds(5)) << "traffic after the restart";
  done = true;
  traffic.join();
  // The long-lived flow went on through the kill and the restart: every 1s interval moved data.
  const auto iperf_exit = iperf_client->WaitForExit(seconds(30));
  ASSERT_TRUE(iperf_exit.has_value());
  EXPECT_EQ(*iperf_exit, 0) << iperf_client->LogTail();
  std::ifstream report_file(tmp_->path() + "/iperf3-client.json");
  const json report = json::parse(report_file, nullptr, false);
  ASSERT_TRUE(report.is_object() && report.contains("intervals")) << iperf_client->LogTail();
  double min_interval_bytes = -1;
  for (const json& interval : report["intervals"]) {
    const double bytes = interval["sum"].value("bytes", 0.0);
    if (min_interval_bytes < 0 || bytes < min_interval_bytes) min_interval_bytes = bytes;
  }
  std::cout << "[figures] iperf3 A->S across kill -9 and restart: " << report["intervals"].size()
            << " intervals, slowest " << min_interval_bytes * 8 / 1e6 << " Mbit/s\n";
  EXPECT_GE(report["intervals"].size(), 9u);
  EXPECT_GT(min_interval_bytes, 0) << "the allowed flow stalled";
  EXPECT_EQ(crossed, 0) << "cross-tenant exchanges during kill -9 and restart";
  EXPECT_EQ(allowed_failed, 0) << "failed A->A exchanges during kill -9 and restart";
  const std::string metrics = Metrics();
  EXPECT_GT(Sample(metrics,
                   "vc_agent_tenant_packets_total{tenant=\"vcluster-b/b\","
                   "verdict=\"dropped\"}"),
            0)
      << metrics;
}

TEST_F(AgentClusterTest, EvictsForeignPodsFromADedicatedNode) {
  for (const char* ns : {"vcluster-a", "vcluster-b", "plain"}) {
    ASSERT_NO_FATAL_FAILURE(CreateNamespace(ns));
  }
  RunPod("vcluster-a", "a1", "a");
  RunPod("vcluster-b", "b1", "b");
  RunPod("plain", "web", "");
  ASSERT_FALSE(HasFailure());
  // A DaemonSet's pod on the node stays.
  const json ds = {
      {"apiVersion", "apps/v1"},
      {"kind", "DaemonSet"},
      {"metadata", {{"name", "logs"}, {"namespace", "plain"}}},
      {"spec",
       {{"selector", {{"matchLabels", {{"app", "logs"}}}}},
        {"template",
         {{"metadata", {{"labels", {{"app", "logs"}}}}},
          {"spec",
           {{"containers", json::array({{{"name", "c"}, {"image", "registry.invalid/l:1"}}})},
            {"tolerations", json::array({{{"operator", "Exists"}}})}}}}}}}};
  ASSERT_TRUE(client_->Create(kube::resources::kDaemonSets, "plain", ds).ok());
  std::string ds_pod;
  ASSERT_TRUE(Eventually(
      [&] {
        auto pods = client_->List(
            kube::resources::kPods, "plain",
            {.label_selector = "app=logs", .field_selector = "spec.nodeName=" + node_});
        if (!pods.ok() || pods->items.empty()) return false;
        ds_pod = pods->items[0]["metadata"]["name"];
        return pods->items[0].value("status", json::object()).value("phase", "") == "Running";
      },
      seconds(60)));

  ASSERT_NO_FATAL_FAILURE(BuildLab({}));
  ASSERT_NO_FATAL_FAILURE(StartAgent());
  Status dedicated = node::DedicateNode(*client_, node_, "a");
  ASSERT_TRUE(dedicated.ok()) << dedicated.ToString();

  auto gone = [&](const std::string& ns, const std::string& name) {
    auto pod = client_->Get(kube::resources::kPods, ns, name);
    return (!pod.ok() && pod.status().code() == Code::kNotFound) ||
           (pod.ok() && (*pod)["metadata"].contains("deletionTimestamp"));
  };
  EXPECT_TRUE(
      Eventually([&] { return gone("vcluster-b", "b1") && gone("plain", "web"); }, seconds(30)))
      << AgentLog();
  EXPECT_FALSE(gone("vcluster-a", "a1")) << "the tenant's own pod";
  EXPECT_FALSE(gone("plain", ds_pod)) << "a DaemonSet pod";
  EXPECT_TRUE(Eventually(
      [&] {
        auto events = client_->List(kube::resources::kEvents, "vcluster-b",
                                    {.field_selector = "involvedObject.name=b1"});
        if (!events.ok()) return false;
        for (const json& e : events->items) {
          if (e.value("reason", "") == "EvictedFromDedicatedNode") return true;
        }
        return false;
      },
      seconds(10)))
      << "an Event for the evicted pod";
  // Counted once the pod's Event is recorded, which may lag the pod's deletion.
  EXPECT_TRUE(
      Eventually([&] { return Sample(Metrics(), "vc_agent_evictions_total") == 2; }, seconds(10)))
      << Metrics();

  // What `kubectl vc node list` shows, then release.
  auto nodes = node::ListNodes(*client_);
  ASSERT_TRUE(nodes.ok()) << nodes.status().ToString();
  bool found = false;
  for (const node::NodeSummary& n : *nodes) {
    if (n.name != node_) continue;
    found = true;
    EXPECT_EQ(n.tenant, "a");
    EXPECT_EQ(n.agent, "Missing") << "the test runs the agent as a process, not a pod";
  }
  EXPECT_TRUE(found);
  Status released = node::ReleaseNode(*client_, node_);
  ASSERT_TRUE(released.ok()) << released.ToString();
  auto after = client_->Get(kube::resources::kNodes, "", node_);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(node::DedicatedTenant(*after), "");
}

}  // namespace
}  // namespace vc::testing
