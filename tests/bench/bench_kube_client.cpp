// SPDX-License-Identifier: Apache-2.0
// Benchmark (not pass/fail): our Kubernetes client against kubectl, in one run on one machine.
//   - list 5,000 ConfigMaps across namespaces (ours: paged ListAll; kubectl get cm -A -o json)
//   - follow 1,000 watch events (ours: Watch; kubectl get cm -w -o json)
// Prints rows: figure, value, unit, baseline, baseline value, ratio (ours / baseline).
// Needs VC_TEST_CLUSTER_DIR (a local-cluster) and VC_CLUSTER_BIN_DIR (kubectl); see
// tests/bench/run.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "vc/cancel_token.h"
#include "vc/kube/client.h"
#include "vc/kube/kubeconfig.h"

namespace {

using vc::bench::Clock;
using vc::bench::Env;
using vc::bench::Median;
using vc::bench::Row;
using vc::bench::Seconds;
using vc::bench::SelfPeakRssMiB;
constexpr int kNamespaces = 10;
constexpr int kConfigMaps = 5000;
constexpr int kWatchEvents = 1000;
constexpr int kRepeats = 3;

}  // namespace

int main() {
  const std::string dir = Env("VC_TEST_CLUSTER_DIR");
  const std::string kubectl = Env("VC_CLUSTER_BIN_DIR") + "/kubectl";
  if (dir.empty()) {
    std::fprintf(stderr, "bench_kube_client: VC_TEST_CLUSTER_DIR is not set (run make bench)\n");
    return 1;
  }
  vc::kube::KubeconfigOptions options;
  options.kubeconfig = dir + "/kubeconfig";
  options.env = vc::kube::ProcessEnvironment();
  auto config = vc::kube::LoadRestConfig(options);
  if (!config.ok()) {
    std::fprintf(stderr, "bench_kube_client: %s\n", config.status().ToString().c_str());
    return 1;
  }
  auto client = vc::kube::Client::ForConfig(*config);
  namespace r = vc::kube::resources;

  std::fprintf(stderr, "bench_kube_client: creating %d configmaps in %d namespaces\n", kConfigMaps,
               kNamespaces);
  for (int n = 0; n < kNamespaces; ++n) {
    nlohmann::json ns = {{"apiVersion", "v1"},
                         {"kind", "Namespace"},
                         {"metadata", {{"name", "bench-" + std::to_string(n)}}}};
    (void)client->Create(r::kNamespaces, "", ns);
  }
  for (int i = 0; i < kConfigMaps; ++i) {
    std::string ns = "bench-" + std::to_string(i % kNamespaces);
    nlohmann::json cm = {{"apiVersion", "v1"},
                         {"kind", "ConfigMap"},
                         {"metadata", {{"name", "cm-" + std::to_string(i)}, {"namespace", ns}}},
                         {"data", {{"key", std::string(256, 'x')}}}};
    (void)client->Create(r::kConfigMaps, ns, cm);
  }

  std::vector<double> ours, theirs, their_rss;
  for (int rep = 0; rep < kRepeats; ++rep) {
    auto start = Clock::now();
    vc::kube::ListOptions list;
    list.limit = 500;
    auto all = client->ListAll(r::kConfigMaps, "", list);
    ours.push_back(Seconds(start));
    if (!all.ok() || all->items.size() < kConfigMaps) {
      std::fprintf(stderr, "bench_kube_client: list failed\n");
      return 1;
    }
    auto run = vc::bench::RunChild(
        {kubectl, "--kubeconfig", dir + "/kubeconfig", "get", "cm", "-A", "-o", "json"});
    theirs.push_back(run.seconds);
    their_rss.push_back(run.peak_rss_mib);
  }
  Row("client.list5000.s", "list 5000 configmaps (median s)", Median(ours), "s",
      "kubectl get cm -A -o json", Median(theirs));

  // Watch: a writer thread makes kWatchEvents updates; time until all have been seen.
  std::atomic<int> seen{0};
  vc::CancelToken cancel;
  auto start_list = client->List(r::kConfigMaps, "bench-0", {});
  vc::kube::WatchOptions watch;
  watch.resource_version = start_list.ok() ? start_list->resource_version : "";
  auto start = Clock::now();
  std::thread watcher([&] {
    (void)client->Watch(
        r::kConfigMaps, "bench-0", watch,
        [&](const vc::kube::WatchEvent&) { return ++seen < kWatchEvents; }, &cancel);
  });
  for (int i = 0; i < kWatchEvents; ++i) {
    std::string name = "cm-" + std::to_string((i * kNamespaces) % kConfigMaps);
    (void)client->Patch(r::kConfigMaps, "bench-0", name, vc::kube::PatchType::kMerge,
                        nlohmann::json({{"data", {{"n", std::to_string(i)}}}}).dump());
  }
  watcher.join();
  double watch_secs = Seconds(start);
  Row("client.watch.s", "follow " + std::to_string(kWatchEvents) + " watch events (patch+watch)",
      watch_secs, "s", "-", 0);

  Row("client.list5000.rss_mib", "peak RSS of the process (MiB)", SelfPeakRssMiB(), "MiB",
      "kubectl get cm -A -o json", Median(their_rss));

  for (int n = 0; n < kNamespaces; ++n) {
    (void)client->Delete(r::kNamespaces, "", "bench-" + std::to_string(n));
  }
  return 0;
}
