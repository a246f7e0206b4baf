// SPDX-License-Identifier: Apache-2.0
// Benchmark (not pass/fail) of vc-syncer, on the local host cluster (host pods are kwok pods):
//   - N pods (a Deployment, VC_BENCH_PODS, default 1000) created in a virtual cluster until all
//     are Running there, against the same Deployment created directly on the host in the same
//     run (target: at most 1.5x).
//   - p50/p99 from "host pod seen Running" to "virtual pod seen Running" (both sides polled
//     every 200 ms, so figures are +-0.2 s).
//   - the syncer's peak RSS (VmHWM of its process) with N pods.
// N is capped by what the host's nodes hold (kwok nodes: 110 pods each; tests/bench/run starts
// 2 nodes, so 1,000 pods need `local-cluster up --nodes 12`).
// Measured here (one run each, 2 shared cores):
//   N=200,  2 nodes: 10.98 s vs 8.95 s directly (1.23x); lag p50 0.64 s, p99 1.50 s; RSS 37 MiB.
//   N=1000, 12 nodes: 61.06 s vs 49.86 s directly (1.22x); lag p50 4.18 s, p99 8.54 s; RSS 107 MiB.
// The lag grows with N: one worker per kind reconciles pods in turn (creates, binds, status).
// Needs VC_TEST_CLUSTER_DIR, VC_CLUSTER_BIN_DIR and VC_KUBECTL_VC_BIN (tests/bench/run sets them).
#include <dirent.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "vc/kube/client.h"
#include "vc/kube/kubeconfig.h"

namespace {

using nlohmann::json;
using vc::bench::Clock;
using vc::bench::Env;
using vc::bench::Percentile;
using vc::bench::Row;
using vc::bench::RunChild;
namespace r = vc::kube::resources;

json Deployment(const std::string& ns, int replicas) {
  return {{"apiVersion", "apps/v1"},
          {"kind", "Deployment"},
          {"metadata", {{"name", "bench"}, {"namespace", ns}}},
          {"spec",
           {{"replicas", replicas},
            {"selector", {{"matchLabels", {{"app", "bench"}}}}},
            {"template",
             {{"metadata", {{"labels", {{"app", "bench"}}}}},
              {"spec", {{"containers", json::array({{{"name", "c"}, {"image", "busybox"}}})}}}}}}}};
}

// Polls pods until `want` are Running (or `limit` passes); records when each name was first
// seen Running. Returns the seconds it took, or -1.
double WaitRunning(vc::kube::Client& c, const std::string& ns, const std::string& selector,
                   size_t want, std::map<std::string, Clock::time_point>* seen,
                   std::chrono::seconds limit = std::chrono::seconds(900)) {
  const auto start = Clock::now();
  while (Clock::now() - start < limit) {
    auto list = c.ListAll(r::kPods, ns, {.label_selector = selector});
    size_t running = 0;
    if (list.ok()) {
      for (const auto& p : list->items) {
        if (p["status"].value("phase", "") != "Running") continue;
        ++running;
        seen->emplace(p["metadata"].value("name", ""), Clock::now());
      }
    }
    if (running >= want) return vc::bench::Seconds(start);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return -1;
}

double SyncerPeakRssMiB(const std::string& name) {
  DIR* proc = opendir("/proc");
  double mib = 0;
  while (dirent* e = proc ? readdir(proc) : nullptr) {
    std::ifstream cmd(std::string("/proc/") + e->d_name + "/cmdline");
    std::string line((std::istreambuf_iterator<char>(cmd)), {});
    std::replace(line.begin(), line.end(), '\0', ' ');
    if (line.find("vc-syncer run ") == std::string::npos ||
        line.find("--name=" + name + " ") == std::string::npos)
      continue;
    std::ifstream status(std::string("/proc/") + e->d_name + "/status");
    for (std::string l; std::getline(status, l);) {
      if (l.rfind("VmHWM:", 0) == 0) mib = std::atof(l.substr(6).c_str()) / 1024.0;
    }
  }
  if (proc) closedir(proc);
  return mib;
}

}  // namespace

int main() {
  const std::string dir = Env("VC_TEST_CLUSTER_DIR");
  const std::string vc_bin = Env("VC_KUBECTL_VC_BIN");
  if (dir.empty() || vc_bin.empty()) {
    std::fprintf(stderr,
                 "bench_syncer: VC_TEST_CLUSTER_DIR/VC_KUBECTL_VC_BIN not set (make bench)\n");
    return 1;
  }
  int n = Env("VC_BENCH_PODS").empty() ? 1000 : std::atoi(Env("VC_BENCH_PODS").c_str());
  const vc::bench::UserHome user = vc::bench::MakeUserHome("vc-bench-syncer");
  const std::string& kubeconfig = user.kubeconfig;
  const auto& env = user.env;

  vc::kube::KubeconfigOptions host_options;
  host_options.kubeconfig = dir + "/kubeconfig";
  host_options.env = vc::kube::ProcessEnvironment();
  auto host_config = vc::kube::LoadRestConfig(host_options);
  if (!host_config.ok()) return 1;
  auto host = vc::kube::Client::ForConfig(*host_config);

  // kwok nodes take 110 pods each: more pods than the nodes hold never all run, on either side.
  auto nodes = host->ListAll(r::kNodes, "", {});
  int capacity = 0;
  if (nodes.ok()) {
    for (const auto& node : nodes->items) {
      capacity += std::atoi(node["status"]["allocatable"].value("pods", "0").c_str());
    }
  }
  if (capacity > 0 && n > capacity - 20) {
    std::fprintf(
        stderr,
        "bench_syncer: %d pods do not fit on the host's nodes (%d pods in all, some taken): "
        "measuring %d; start the cluster with more nodes (local-cluster up --nodes %d)\n",
        n, capacity, capacity - 20, n / 100 + 2);
    n = capacity - 20;
  }

  // Baseline: the same Deployment directly on the host.
  const std::string base_ns = "bench-direct";
  (void)host->Create(
      r::kNamespaces, "",
      {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", base_ns}}}});
  std::map<std::string, Clock::time_point> ignored;
  (void)host->Create(r::kDeployments, base_ns, Deployment(base_ns, n));
  const double direct = WaitRunning(*host, base_ns, "app=bench", static_cast<size_t>(n), &ignored);
  std::fprintf(stderr, "bench_syncer: %d pods directly on the host: %.1fs\n", n, direct);
  (void)host->Delete(r::kNamespaces, "", base_ns);

  const std::string name = "bench-sync";
  if (RunChild({vc_bin, "create", name, "--timeout", "5m"}, env).exit_code != 0) {
    std::fprintf(stderr, "bench_syncer: create %s failed\n", name.c_str());
    return 1;
  }
  vc::kube::KubeconfigOptions virtual_options;
  virtual_options.kubeconfig = kubeconfig;  // create left the context on the virtual cluster
  virtual_options.env = vc::kube::ProcessEnvironment();
  auto virtual_config = vc::kube::LoadRestConfig(virtual_options);
  if (!virtual_config.ok()) return 1;
  auto virt = vc::kube::Client::ForConfig(*virtual_config);
  // The default ServiceAccount appears a moment after the API server.
  for (int i = 0; i < 300 && !virt->Get(r::kServiceAccounts, "default", "default").ok(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  std::map<std::string, Clock::time_point> host_seen, virtual_seen;
  std::thread host_watch([&] {
    WaitRunning(*host, "vcluster-" + name, "label.kubectl-vc.dev/app=bench", static_cast<size_t>(n),
                &host_seen);
  });
  (void)virt->Create(r::kDeployments, "default", Deployment("default", n));
  const double synced =
      WaitRunning(*virt, "default", "app=bench", static_cast<size_t>(n), &virtual_seen);
  host_watch.join();
  std::vector<double> lag;
  for (const auto& [vname, at] : virtual_seen) {
    auto h = host_seen.find(vname + "-x-default-x-" + name);
    if (h != host_seen.end()) lag.push_back(std::chrono::duration<double>(at - h->second).count());
  }
  const std::string label = std::to_string(n) + " pods Running, created in a virtual cluster";
  const std::string pods = "syncer.pods" + std::to_string(n);
  Row(pods + ".ratio", label, synced, "s", "created directly on the host", direct);
  Row("syncer.lag.p50_s", "host Running -> virtual Running, p50", Percentile(lag, 0.5), "s", "-",
      0);
  Row("syncer.lag.p99_s", "host Running -> virtual Running, p99", Percentile(lag, 0.99), "s", "-",
      0);
  Row("syncer.rss_mib", "vc-syncer peak RSS with " + std::to_string(n) + " pods",
      SyncerPeakRssMiB(name), "MiB", "-", 0);
  RunChild({vc_bin, "delete", name, "--wait"}, env);
  std::filesystem::remove_all(user.dir);
  return 0;
}
