// SPDX-License-Identifier: Apache-2.0
// vc-node-agent as a user runs it: rolled out with `kubectl apply -k manifests/node-agent` (the
// image built from this tree) on the real-node host cluster, enforcing for a zero-trust virtual
// cluster made with `kubectl vc create` on a node `kubectl vc node dedicate` gave it, between
// pods that kubelet and CNI made: eBPF on their veths, budgets on kubelet's pod cgroups,
// evictions from the dedicated node, and all of it across a restart of the agent. The netns-lab
// tests (tests/privileged/agent) cover the same with pods the test wires itself. Needs root.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "realnodes/real_virtual_cluster.h"

namespace vc::testing {
namespace {

const std::string kAgentNs = "kubectl-vc-system";
const std::string kAgentKustomization = std::string(VC_MANIFESTS_DIR) + "/node-agent";
constexpr const char* kTenant = "zt";

// A busybox pod as the restricted pod security level allows it (not root, no capabilities, the
// runtime's seccomp profile), running `command`.
std::string RestrictedPod(const std::string& name, const std::string& command) {
  return "apiVersion: v1\nkind: Pod\nmetadata: {name: " + name + ", labels: {app: " + name +
         "}}\nspec:\n  securityContext: {runAsNonRoot: true, runAsUser: 1000, seccompProfile: "
         "{type: RuntimeDefault}}\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: "
         "main\n    image: busybox:1.36\n    command: [sh, -c, '" +
         command +
         "']\n    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: "
         "[ALL]}}\n";
}

const std::string kHttpd =
    "mkdir -p /tmp/www && echo $HOSTNAME-page >/tmp/www/index.html && exec httpd -f -p 8080 -h "
    "/tmp/www";

class RealNodeAgentTest : public RealVirtualClusterTest {
 protected:
  void SetUp() override {
    RealVirtualClusterTest::SetUp();
    if (HasFatalFailure()) return;
    dedicated_ = NodeName(2);
    Ran applied = Kubectl({"apply", "-k", kAgentKustomization}, false);
    agent_applied_ = true;
    ASSERT_EQ(applied.code, 0) << applied.out;
    Ran rolled =
        Kubectl({"-n", kAgentNs, "rollout", "status", "daemonset/vc-node-agent", "--timeout=180s"},
                false, std::chrono::seconds(200));
    ASSERT_EQ(rolled.code, 0) << rolled.out
                              << Kubectl({"-n", kAgentNs, "describe", "pods"}, false).out;
    node_ip_ = Kubectl({"get", "node", dedicated_, "-o",
                        "jsonpath={.status.addresses[?(@.type==\"InternalIP\")].address}"},
                       false)
                   .out;
    ASSERT_FALSE(node_ip_.empty());
  }

  void TearDown() override {
    // The virtual cluster (its pods with it), then the node is shared again and the agent goes:
    // the later tests on this cluster run without one, as before this test.
    RealVirtualClusterTest::TearDown();
    if (released_needed_) Vc({"node", "release", dedicated_});
    if (agent_applied_) {
      Kubectl({"delete", "-k", kAgentKustomization, "--ignore-not-found", "--wait=true",
               "--timeout=120s"},
              false, std::chrono::seconds(150));
    }
  }

  // The agent's pods on the dedicated node ("pod/NAME ", one or, while one replaces another,
  // two), or "".
  std::string AgentPod() {
    return Kubectl({"-n", kAgentNs, "get", "pods", "-l", "app.kubernetes.io/name=vc-node-agent",
                    "--field-selector", "spec.nodeName=" + dedicated_, "-o",
                    "jsonpath={range .items[*]}pod/{.metadata.name} {end}"},
                   false)
        .out;
  }

  // The agent's /metrics on the dedicated node's address (curl's error when it fails).
  std::string Metrics() {
    return RunCommand(
               {"/usr/bin/curl", "-sS", "--max-time", "5", "http://" + node_ip_ + ":9464/metrics"},
               scratch_->path())
        .out;
  }

  // The agent's metric NAME on the dedicated node, or -1.
  double Metric(const std::string& name) {
    std::istringstream in(Metrics());
    for (std::string line; std::getline(in, line);) {
      if (line.rfind(name + " ", 0) == 0) return std::stod(line.substr(name.size() + 1));
    }
    return -1;
  }

  // Packets the agent dropped for the tenant (its counter on the dedicated node), or -1.
  double TenantDrops() {
    std::istringstream in(Metrics());
    const std::string prefix = std::string("vc_agent_tenant_packets_total{tenant=\"") + ns_ + "/" +
                               kTenant + "\",verdict=\"dropped\"} ";
    for (std::string line; std::getline(in, line);) {
      if (line.rfind(prefix, 0) == 0) return std::stod(line.substr(prefix.size()));
    }
    return -1;
  }

  // Every pod of the tenant on the node has its veth found and its policy in place.
  bool Enforced(int pods) {
    return Metric("vc_agent_pods_without_veth") == 0 && Metric("vc_agent_enforced_pods") >= pods;
  }

  // Whether `pod` of the virtual cluster (or, with host = true, of the test's host namespace)
  // gets an answer from http://IP:8080/ within 5 s.
  bool Reaches(const std::string& pod, const std::string& ip, bool host = false) {
    std::vector<std::string> cmd = {"exec", pod,    "--",   "timeout",
                                    "5",    "wget", "-qO-", "http://" + ip + ":8080/"};
    return host ? Kubectl(cmd).code == 0 : In(kTenant, cmd).code == 0;
  }

  // A pod of the test's host namespace, outside every tenant, serving on 8080 on node 1.
  void Outsider() {
    ASSERT_EQ(Apply("apiVersion: v1\nkind: Pod\nmetadata: {name: outsider}\nspec:\n  nodeName: " +
                    NodeName(1) +
                    "\n  terminationGracePeriodSeconds: 0\n  containers:\n  - {name: main, "
                    "image: 'busybox:1.36', command: [sh, -c, '" +
                    kHttpd + "']}\n")
                  .code,
              0);
    ASSERT_TRUE(WaitPhase("outsider", "Running"));
  }

  // The tenant's host pod for virtual pod NAME.
  std::string HostPod(const std::string& name) { return "pod/" + name + "-x-default-x-" + kTenant; }

  std::string dedicated_;
  std::string node_ip_;
  bool agent_applied_ = false;
  bool released_needed_ = false;
};

// The cgroup (v1 cpu and cpuacct hierarchies) kubelet made for host pod UID on real node I of
// the cluster in DIR, relative to the hierarchies' roots, or "".
std::string PodCgroup(const std::string& dir, int node, const std::string& uid) {
  std::ifstream env(dir + "/real.env");
  std::string line, real_k;
  while (std::getline(env, line)) {
    if (line.rfind("REAL_K=", 0) == 0) real_k = line.substr(7);
  }
  const std::filesystem::path root =
      "/sys/fs/cgroup/cpu/vc-lc-" + real_k + "-" + std::to_string(node) + "/kubepods";
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory() && it->path().filename() == "pod" + uid) {
      return std::filesystem::relative(it->path(), "/sys/fs/cgroup/cpu").string();
    }
    if (it.depth() >= 2) it.disable_recursion_pending();
  }
  return "";
}

long long ReadNumber(const std::string& file) {
  std::ifstream in(file);
  long long v = -1;
  in >> v;
  return in ? v : -1;
}

TEST_F(RealNodeAgentTest, AZeroTrustTenantIsHeldOnItsDedicatedNodeAlsoWhileTheAgentRestarts) {
  ASSERT_TRUE(std::filesystem::exists("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"))
      << "this test reads kubelet's pod cgroups on cgroup v1 (the cpu hierarchy), which this "
         "machine does not mount";
  Ran dedicated = Vc({"node", "dedicate", dedicated_, "--tenant", kTenant});
  released_needed_ = true;
  ASSERT_EQ(dedicated.code, 0) << dedicated.out;
  ASSERT_NO_FATAL_FAILURE(Create(kTenant,
                                 "policies: {podSecurityStandard: restricted}\n"
                                 "isolation:\n"
                                 "  trustLevel: zero\n"
                                 "  dedicatedNodes: {enabled: true}\n"
                                 "  nodeQuota: {cpu: 300m, memory: 1Gi, pids: 512}\n"
                                 "  sharedServices:\n"
                                 "  - {name: dns, namespace: kube-system, service: kube-dns,\n"
                                 "     ports: [{port: 53, protocol: UDP}, {port: 53, protocol: "
                                 "TCP}]}\n"));
  ASSERT_NO_FATAL_FAILURE(Outsider());

  // The agents listen where the manifest says (--metrics-address=$(NODE_IP):9464), each on its
  // node's address only: every socket a vc-node-agent listens on, in the nodes' network
  // namespace.
  std::string netns;
  {
    std::ifstream env(dir_ + "/real.env");
    for (std::string line; std::getline(env, line);) {
      if (line.rfind("REAL_NETNS=", 0) == 0) netns = line.substr(11);
    }
  }
  ASSERT_FALSE(netns.empty()) << dir_ << "/real.env";
  const Ran sockets = RunCommand({"/usr/bin/nsenter", "--net=/run/netns/" + netns, "ss", "-Htlnp"},
                                 scratch_->path());
  ASSERT_EQ(sockets.code, 0) << sockets.out;
  std::set<std::string> listening;
  std::istringstream lines(sockets.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("\"vc-node-agent\"") == std::string::npos) continue;
    std::istringstream words(line);
    std::string state, recv_q, send_q, local;
    words >> state >> recv_q >> send_q >> local;
    listening.insert(local);
  }
  std::set<std::string> expected;
  for (int i : {1, 2}) {
    expected.insert(Kubectl({"get", "node", NodeName(i), "-o",
                             "jsonpath={.status.addresses[?(@.type==\"InternalIP\")].address}"},
                            false)
                        .out +
                    ":9464");
  }
  EXPECT_EQ(listening, expected) << sockets.out;

  ASSERT_TRUE(Eventually(
      [&] {
        return In(kTenant, {"get", "serviceaccount", "default"}).code == 0;
      },
      std::chrono::seconds(60)));
  ASSERT_EQ(ApplyIn(kTenant, RestrictedPod("web", kHttpd)).code, 0);
  ASSERT_EQ(ApplyIn(kTenant, RestrictedPod("shell", "exec sleep 3600")).code, 0);
  ASSERT_TRUE(WaitRunningIn(kTenant, "web"));
  ASSERT_TRUE(WaitRunningIn(kTenant, "shell"));
  for (const char* p : {"web", "shell"}) {
    EXPECT_EQ(Get(HostPod(p), "{.spec.nodeName}"), dedicated_) << p << " is not on its node";
  }
  const std::string web_ip = Get(HostPod("web"), "{.status.podIP}");
  const std::string outsider_ip = Get("pod/outsider", "{.status.podIP}");
  ASSERT_FALSE(web_ip.empty());
  ASSERT_FALSE(outsider_ip.empty());

  // Its own pods reach each other (which also makes them known to the agent: it finds a
  // pod's bridge port by its neighbour entry), and the agent says it enforces every pod of the
  // tenant on the node (web, shell and the virtual cluster's CoreDNS).
  ASSERT_TRUE(Eventually([&] { return Reaches("shell", web_ip); }, std::chrono::seconds(60)))
      << "the tenant's own pods do not reach each other";
  ASSERT_TRUE(Eventually([&] { return Enforced(3); }, std::chrono::seconds(60)))
      << "the agent on " << dedicated_ << " does not enforce the tenant's pods; its metrics:\n"
      << Metrics();

  // Out of the tenant and into it: dropped. The outsider itself is reachable from a pod of its
  // own namespace on the dedicated node's neighbour, so a failure here is the agent's doing.
  ASSERT_EQ(Apply("apiVersion: v1\nkind: Pod\nmetadata: {name: prober}\nspec:\n  nodeName: " +
                  NodeName(1) +
                  "\n  terminationGracePeriodSeconds: 0\n  containers: [{name: main, image: "
                  "'busybox:1.36', command: [sleep, '3600']}]\n")
                .code,
            0);
  ASSERT_TRUE(WaitPhase("prober", "Running"));
  EXPECT_TRUE(
      Eventually([&] { return Reaches("prober", outsider_ip, true); }, std::chrono::seconds(30)))
      << "the outsider does not answer even its own namespace";
  const double dropped_before = TenantDrops();
  EXPECT_FALSE(Reaches("shell", outsider_ip)) << "a zero-trust pod reached a pod outside it";
  EXPECT_FALSE(Reaches("outsider", web_ip, true)) << "a pod outside reached a zero-trust pod";
  EXPECT_GT(TenantDrops(), dropped_before) << "the agent counted no dropped packet";
  // Its one shared service on the host: kube-dns answers.
  const std::string dns_ip = Kubectl({"-n", "kube-system", "get", "service", "kube-dns", "-o",
                                      "jsonpath={.spec.clusterIP}"},
                                     false)
                                 .out;
  // Polled: the host's CoreDNS may still be starting on a host cluster only a minute old.
  Ran dns;
  EXPECT_TRUE(Eventually(
      [&] {
        dns = In(kTenant, {"exec", "shell", "--", "nslookup",
                           "kubernetes.default.svc.cluster.local", dns_ip});
        return dns.code == 0;
      },
      std::chrono::seconds(60)))
      << dns.out << Kubectl({"-n", "kube-system", "get", "pods", "-o", "wide"}, false).out;
  // And its own DNS: the virtual cluster's CoreDNS, on the dedicated node, becomes Ready
  // (kubelet's readiness probe reaches it from the node's address on the pod bridge; it reaches
  // its own API server through the control plane's host Service) and answers the tenant's pods
  // at its Service, as in any virtual cluster.
  Ran own_dns_ready = In(
      kTenant, {"-n", "kube-system", "rollout", "status", "deployment/coredns", "--timeout=120s"});
  EXPECT_EQ(own_dns_ready.code, 0)
      << own_dns_ready.out << In(kTenant, {"-n", "kube-system", "describe", "pods"}).out;
  Ran own_dns =
      In(kTenant, {"exec", "shell", "--", "nslookup", "kubernetes.default.svc.cluster.local"});
  EXPECT_EQ(own_dns.code, 0) << own_dns.out;
  EXPECT_NE(own_dns.out.find("Address"), std::string::npos) << own_dns.out;

  // The agent's pod goes (its programs and maps are pinned on the host and outlive it): while
  // no agent runs, and after the DaemonSet's new one took over, the tenant stays held.
  std::string old_agent = AgentPod();
  ASSERT_FALSE(old_agent.empty()) << "no vc-node-agent on " << dedicated_;
  old_agent.pop_back();
  Ran deleted = Kubectl({"-n", kAgentNs, "delete", old_agent, "--timeout=60s"}, false);
  ASSERT_EQ(deleted.code, 0) << deleted.out;
  // Right after the old agent went (the DaemonSet's replacement may be starting already).
  EXPECT_FALSE(Reaches("shell", outsider_ip)) << "reached the outsider while the agent was gone";
  EXPECT_TRUE(Reaches("shell", web_ip)) << "the tenant's own traffic stopped with the agent";
  std::string new_agent;
  ASSERT_TRUE(Eventually(
      [&] {
        new_agent = AgentPod();
        if (new_agent.empty() || new_agent.find(' ') != new_agent.size() - 1) return false;
        new_agent.pop_back();
        return new_agent != old_agent &&
               Kubectl({"-n", kAgentNs, "wait", "--for=condition=ready", new_agent, "--timeout=5s"},
                       false)
                       .code == 0;
      },
      std::chrono::seconds(180)))
      << "the DaemonSet did not replace the agent on " << dedicated_;
  ASSERT_TRUE(Eventually([&] { return Enforced(2); }, std::chrono::seconds(60)))
      << "the new agent does not enforce the tenant's pods";
  EXPECT_FALSE(Reaches("shell", outsider_ip)) << "reached the outsider after the agent restarted";
  EXPECT_FALSE(Reaches("outsider", web_ip, true)) << "reached the tenant after the restart";
  EXPECT_TRUE(Reaches("shell", web_ip));

  // A foreign pod placed on the dedicated node (past the taint) is evicted, with an Event.
  ASSERT_EQ(Apply("apiVersion: v1\nkind: Pod\nmetadata: {name: intruder}\nspec:\n  nodeName: " +
                  dedicated_ +
                  "\n  tolerations: [{operator: Exists}]\n  terminationGracePeriodSeconds: 0\n"
                  "  containers: [{name: main, image: 'busybox:1.36', command: [sleep, '3600']}]\n")
                .code,
            0);
  EXPECT_TRUE(Eventually(
      [&] {
        return !Kubectl({"get", "events", "--field-selector",
                         "involvedObject.name=intruder,reason=EvictedFromDedicatedNode", "-o",
                         "name"})
                    .out.empty();
      },
      std::chrono::seconds(90)))
      << Kubectl({"get", "events"}).out;
  EXPECT_TRUE(Eventually([&] { return Get("pod/intruder", "{.metadata.name}").empty(); },
                         std::chrono::seconds(60)))
      << "the intruder is still there";

  // Two busy pods are held together to the tenant's 300m: the quotas the agent wrote on the
  // cgroups kubelet made for their containers, and what they used in a window.
  for (const char* p : {"busy-1", "busy-2"}) {
    ASSERT_EQ(ApplyIn(kTenant, RestrictedPod(p, "while :; do :; done")).code, 0);
  }
  ASSERT_TRUE(WaitRunningIn(kTenant, "busy-1"));
  ASSERT_TRUE(WaitRunningIn(kTenant, "busy-2"));
  std::vector<std::string> cgroups;
  for (const char* p : {"busy-1", "busy-2"}) {
    const std::string cg = PodCgroup(dir_, 2, Get(HostPod(p), "{.metadata.uid}"));
    ASSERT_FALSE(cg.empty()) << "no cgroup of kubelet's for " << p;
    cgroups.push_back(cg);
  }
  auto quotas_set = [&] {
    for (const std::string& cg : cgroups) {
      int containers = 0;
      for (const auto& c : std::filesystem::directory_iterator("/sys/fs/cgroup/cpu/" + cg)) {
        if (!c.is_directory()) continue;
        const long long q = ReadNumber(c.path().string() + "/cpu.cfs_quota_us");
        if (q <= 0 || q > 30000) return false;
        ++containers;
      }
      if (containers == 0) return false;
    }
    return true;
  };
  ASSERT_TRUE(Eventually(quotas_set, std::chrono::seconds(60)))
      << "the agent did not put the tenant's budget on its busy pods' containers";
  auto usage = [&] {
    long long total = 0;
    for (const std::string& cg : cgroups) {
      total += ReadNumber("/sys/fs/cgroup/cpuacct/" + cg + "/cpuacct.usage");
    }
    return total;
  };
  const long long before = usage();
  const auto start = std::chrono::steady_clock::now();
  sleep(5);  // a measurement window, not synchronisation
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double cpus = static_cast<double>(usage() - before) / 1e9 / seconds;
  std::cout << "two busy pods of a 300m budget used " << cpus << " CPU together\n";
  // On cgroup v1 the agent gives each of the tenant's pods on the node its share of the budget
  // (vc-node-agent README): five pods here, so the two busy ones get 2/5 of it.
  EXPECT_GT(cpus, 0.05) << "the busy pods did not run";
  EXPECT_LE(cpus, 0.33) << "the busy pods used more than the tenant's budget";
}

}  // namespace
}  // namespace vc::testing
