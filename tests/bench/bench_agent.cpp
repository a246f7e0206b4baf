// SPDX-License-Identifier: Apache-2.0
// Benchmark (not pass/fail; DESIGN.md "Numbers"): vc-node-agent against a local cluster.
//   - pod Running -> its address in the pinned tenant map (p50, p99 over sequential pods);
//   - agent RSS and CPU at idle with those pods, then with N pod entries (default 10,000;
//     VC_BENCH_AGENT_PODS overrides).
// The agent enforces in an empty lab node namespace (--pod-netns): no veth is ever found, so it
// runs with a long retry interval, which is the steady state of a node whose pods all have
// their veth. "Running" is when this process saw it (polling every 5 ms): the agent, watching,
// often knows first, so that figure is near 0; "created" includes kwok's scheduling.
// Prints rows: figure, value, unit, -, -, - (no baseline). Needs root, VC_TEST_CLUSTER_DIR
// (tests/bench/run starts a cluster) and the vc-node-agent binary of this build.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "privileged/datapath/netns_lab.h"
#include "vc/agent/datapath/bpffs.h"
#include "vc/agent/datapath/segmentation_datapath.h"
#include "vc/kube/client.h"
#include "vc/kube/kubeconfig.h"
#include "vc/labels.h"

namespace {

using nlohmann::json;
using vc::bench::Clock;
using vc::bench::Env;
using vc::bench::Percentile;
using vc::bench::Row;
namespace agent = vc::agent;
namespace r = vc::kube::resources;

constexpr int kLatencyPods = 40;
const char* kNs = "vc-bench-agent";

// VmRSS of a process in MiB.
double RssMiB(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

// utime + stime of a process, in seconds.
double CpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string f;
  double ticks = 0;
  for (int i = 3; fields >> f; ++i) {
    if (i == 14 || i == 15) ticks += std::stod(f);
    if (i == 15) break;
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

json Pod(const std::string& name, const std::string& node) {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata",
           {{"name", name},
            {"namespace", kNs},
            {"labels",
             {{vc::labels::kTenant, "bench"},
              {vc::labels::kTenantNamespace, kNs},
              {vc::labels::kComponent, vc::labels::kComponentWorkload}}}}},
          {"spec",
           {{"nodeName", node},
            {"containers", json::array({{{"name", "c"}, {"image", "registry.invalid/c:1"}}})}}}};
}

template <typename F>
bool WaitFor(F done, std::chrono::milliseconds timeout, std::chrono::milliseconds every) {
  const auto end = Clock::now() + timeout;
  while (Clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(every);
  }
  return done();
}

bool InMap(agent::SegmentationDatapath& dp, const std::string& ip) {
  auto state = dp.maps().ReadState();
  if (!state.ok()) return false;
  return state->pod_tenants.count(agent::IpPrefix::Host(agent::IpAddress::Parse(ip).value())) != 0;
}

}  // namespace

int main() {
  const std::string dir = Env("VC_TEST_CLUSTER_DIR");
  const int many =
      Env("VC_BENCH_AGENT_PODS").empty() ? 10000 : std::atoi(Env("VC_BENCH_AGENT_PODS").c_str());
  if (geteuid() != 0 || dir.empty()) {
    std::fprintf(stderr, "bench_agent: needs root and VC_TEST_CLUSTER_DIR (run make bench)\n");
    return 1;
  }
  const std::string agent_bin = VC_NODE_AGENT_BIN;
  vc::kube::KubeconfigOptions options;
  options.kubeconfig = dir + "/kubeconfig";
  options.env = vc::kube::ProcessEnvironment();
  auto config = vc::kube::LoadRestConfig(options);
  if (!config.ok()) {
    std::fprintf(stderr, "bench_agent: %s\n", config.status().ToString().c_str());
    return 1;
  }
  auto client = vc::kube::Client::ForConfig(*config);
  auto nodes = client->ListAll(r::kNodes, "", {});
  if (!nodes.ok() || nodes->items.empty()) {
    std::fprintf(stderr, "bench_agent: no nodes\n");
    return 1;
  }
  std::vector<std::string> names;
  for (const json& n : nodes->items) names.push_back(n["metadata"]["name"]);
  std::sort(names.begin(), names.end());
  const std::string node = names.front();

  const std::string suffix = vc::testing::RandomSuffix();
  const std::string pin_root = std::string(agent::kBpffsMountPoint) + "/vc-bench-" + suffix;
  const std::string state_dir = "/tmp/vc-bench-agent-" + suffix;
  auto lab = vc::testing::NetnsLab::Create(suffix, {});
  if (!lab.ok() || !agent::EnsurePinRoot(pin_root).ok()) {
    std::fprintf(stderr, "bench_agent: setup failed\n");
    return 1;
  }
  (void)client->Create(
      r::kNamespaces, "",
      {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", kNs}}}});

  // The agent, its output on our stderr.
  const pid_t pid = fork();
  if (pid == 0) {
    const std::string netns = (*lab)->node_netns_path();
    execl(agent_bin.c_str(), agent_bin.c_str(), "--node-name", node.c_str(), "--kubeconfig",
          options.kubeconfig.c_str(), "--state-dir", state_dir.c_str(), "--bpffs-root",
          pin_root.c_str(), "--no-quotas", "--pod-netns", netns.c_str(), "--metrics-address",
          "127.0.0.1:0", "--retry-interval-ms", "600000", "--log-level", "warning",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  auto cleanup = [&] {
    kill(pid, SIGTERM);
    waitpid(pid, nullptr, 0);
    (void)client->Delete(r::kNamespaces, "", kNs, {.propagation_policy = "Background"});
    (void)agent::RemovePinRoot(pin_root);
    std::filesystem::remove_all(state_dir);
  };
  std::unique_ptr<agent::SegmentationDatapath> dp;
  WaitFor(
      [&] {
        auto opened = agent::SegmentationDatapath::Open({pin_root});
        if (opened.ok()) dp = std::move(*opened);
        return dp != nullptr;
      },
      std::chrono::seconds(30), std::chrono::milliseconds(200));
  if (!dp) {
    std::fprintf(stderr, "bench_agent: the agent's maps did not appear\n");
    cleanup();
    return 1;
  }

  std::vector<double> latencies_ms, created_ms;
  for (int i = 0; i < kLatencyPods; ++i) {
    const std::string name = "lat-" + std::to_string(i);
    const auto created = Clock::now();
    if (!client->Create(r::kPods, kNs, Pod(name, node)).ok()) continue;
    std::string ip;
    Clock::time_point running;
    WaitFor(
        [&] {
          auto got = client->Get(r::kPods, kNs, name);
          if (!got.ok()) return false;
          const json st = got->value("status", json::object());
          if (st.value("phase", "") != "Running" || st.value("podIP", "").empty()) return false;
          ip = st["podIP"];
          running = Clock::now();
          return true;
        },
        std::chrono::seconds(30), std::chrono::milliseconds(5));
    if (ip.empty()) continue;
    if (WaitFor([&] { return InMap(*dp, ip); }, std::chrono::seconds(30),
                std::chrono::milliseconds(1))) {
      const auto enforced = Clock::now();
      latencies_ms.push_back(std::chrono::duration<double, std::milli>(enforced - running).count());
      created_ms.push_back(std::chrono::duration<double, std::milli>(enforced - created).count());
    }
  }
  Row("agent.enforce.after_running.p50_ms", "agent: pod Running (seen here) -> enforced p50",
      Percentile(latencies_ms, 0.5), "ms");
  Row("agent.enforce.after_running.p99_ms", "agent: pod Running (seen here) -> enforced p99",
      Percentile(latencies_ms, 0.99), "ms");
  Row("agent.enforce.after_create.p50_ms", "agent: pod created -> enforced p50",
      Percentile(created_ms, 0.5), "ms");
  Row("agent.enforce.after_create.p99_ms", "agent: pod created -> enforced p99",
      Percentile(created_ms, 0.99), "ms");

  auto idle = [&](const std::string& id, const std::string& label) {
    const double cpu0 = CpuSeconds(pid);
    std::this_thread::sleep_for(std::chrono::seconds(10));  // a measurement window
    Row("agent.idle." + id + ".rss_mib", "agent: RSS " + label, RssMiB(pid), "MiB");
    Row("agent.idle." + id + ".cpu_pct", "agent: CPU " + label,
        (CpuSeconds(pid) - cpu0) / 10.0 * 100.0, "%");
  };
  idle("few", "idle, " + std::to_string(latencies_ms.size()) + " pods");

  // N pod entries: created by 4 threads, counted once the map holds them.
  std::fprintf(stderr, "bench_agent: creating %d pods on %s\n", many, node.c_str());
  const auto created_at = Clock::now();
  std::atomic<int> next{0};
  std::vector<std::thread> creators;
  for (int t = 0; t < 4; ++t) {
    creators.emplace_back([&] {
      for (int i; (i = next++) < many;) {
        (void)client->Create(r::kPods, kNs, Pod("many-" + std::to_string(i), node));
      }
    });
  }
  for (auto& t : creators) t.join();
  const size_t want = static_cast<size_t>(many + kLatencyPods);
  size_t entries = 0;
  WaitFor(
      [&] {
        auto state = dp->maps().ReadState();
        entries = state.ok() ? state->pod_tenants.size() : 0;
        return entries >= want * 99 / 100;
      },
      std::chrono::minutes(20), std::chrono::seconds(2));
  Row("agent.many.map_entries", "agent: " + std::to_string(many) + " pods created -> map entries",
      static_cast<double>(entries), "entries");
  Row("agent.many.enforced_s", "agent: " + std::to_string(many) + " pods created -> enforced",
      std::chrono::duration<double>(Clock::now() - created_at).count(), "s");
  idle("many", "idle, " + std::to_string(entries) + " pod entries");
  cleanup();
  return 0;
}
