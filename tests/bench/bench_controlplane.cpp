// SPDX-License-Identifier: Apache-2.0
// Benchmark (not pass/fail) of one virtual control plane (kine on SQLite, kube-apiserver,
// kube-controller-manager, vc-syncer), on the local host cluster of tests/bench/run, where the
// control plane's containers run as processes (tests/cluster/pod-runner):
//   - controlplane.idle_rss_mib: the resident memory of all its processes together, after a
//     minute with nothing to do (issue 19: under 250 MiB; vCluster's idle figure is 300-500).
//   - controlplane.load.*: vCluster's load shape. N secrets (VC_BENCH_SECRETS, default 5000),
//     then QPS requests a second (VC_BENCH_QPS, default 200) for D seconds (VC_BENCH_SECONDS,
//     default 60) of 70% get, 20% update, 10% list (one page of 100), sent on schedule by 16
//     workers (open loop: a slow answer does not slow the sending). The same load against the
//     host's API server (etcd) in the same run is the baseline; against the virtual API server
//     directly (its local port) and through `kubectl vc connect`'s forwarder (what users reach).
// A run with more than 1% failed requests prints no figures and exits non-zero.
// Measured here (2 cores), defaults but 30 s of load:
//   - idle 446-454 MiB in 4 runs (kube-apiserver 263, kube-controller-manager 105, kine 42,
//     syncer 23, snapshot server 14);
//   - machine otherwise quiet (load 2.6 before): mean 7.4 vs 4.0 ms on the host (1.87x; get 4.4
//     vs 2.8, update 7.5 vs 5.6, list 28 vs 8.9), p99 43 vs 17 ms; through the forwarder mean
//     49 ms (get 38), p99 157 ms;
//   - a C++ build beside it (load 7-9): mean 29-60 ms vs 3.6-9.4 ms (6-8x): the virtual control
//     plane (two Go processes and SQLite on the request path) suffers most from a busy CPU.
// Tried and dropped for want of an effect above the noise: kine's DSN without cache=shared and
// with _txlock=immediate (1.90-2.44x in runs as noisy); TCP_NODELAY on the forwarder's relay
// sockets (49.7 vs 48.6 ms through it). The forwarder's ~40 ms are spent past the relay
// (kubectl port-forward, the host API server, the test pod runner's port-forward).
// Needs VC_TEST_CLUSTER_DIR, VC_CLUSTER_BIN_DIR and VC_KUBECTL_VC_BIN (tests/bench/run sets them).
#include <dirent.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
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

constexpr const char* kNs = "load";

int EnvInt(const char* name, int fallback) {
  const std::string v = Env(name);
  return v.empty() ? fallback : std::atoi(v.c_str());
}

json Secret(int i, int version) {
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"metadata", {{"name", "s-" + std::to_string(i)}, {"namespace", kNs}}},
          {"stringData", {{"value", std::string(256, 'a' + version % 26)}}}};
}

// Makes the namespace and `n` secrets with 8 writers; false if any failed.
bool Fill(vc::kube::Client& c, int n) {
  (void)c.Create(r::kNamespaces, "",
                 {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", kNs}}}});
  std::atomic<int> next{0}, failed{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < 8; ++t) {
    writers.emplace_back([&] {
      for (int i; (i = next++) < n;) {
        auto made = c.Create(r::kSecrets, kNs, Secret(i, 0));
        if (!made.ok() && made.status().code() != vc::Code::kAlreadyExists) ++failed;
      }
    });
  }
  for (auto& w : writers) w.join();
  return failed == 0;
}

struct Load {
  std::vector<double> ms;        // every answered request's latency
  std::vector<double> by_op[3];  // the same, of gets, updates and lists
  int failed = 0;
  int sent = 0;
};

// QPS requests a second for `seconds`, each at its scheduled time.
Load Drive(vc::kube::Client& c, int secrets, int qps, int seconds) {
  Load out;
  std::mutex mu;
  const int total = qps * seconds;
  std::atomic<int> next{0};
  const auto start = Clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < 16; ++t) {
    workers.emplace_back([&, t] {
      std::mt19937 rng(static_cast<uint32_t>(t + 1));
      std::vector<double> mine, mine_by_op[3];
      int failed = 0;
      for (int i; (i = next++) < total;) {
        std::this_thread::sleep_until(start + std::chrono::microseconds(1000000LL * i / qps));
        const int pick = static_cast<int>(rng() % 100);
        const int which = static_cast<int>(rng() % static_cast<uint32_t>(secrets));
        const auto began = Clock::now();
        vc::Status s;
        if (pick < 70) {
          s = c.Get(r::kSecrets, kNs, "s-" + std::to_string(which)).status();
        } else if (pick < 90) {
          s = c.Patch(r::kSecrets, kNs, "s-" + std::to_string(which), vc::kube::PatchType::kMerge,
                      json{{"stringData", Secret(which, i)["stringData"]}}.dump())
                  .status();
        } else {
          s = c.List(r::kSecrets, kNs, {.limit = 100}).status();
        }
        if (s.ok()) {
          const double ms = std::chrono::duration<double, std::milli>(Clock::now() - began).count();
          mine.push_back(ms);
          mine_by_op[pick < 70 ? 0 : pick < 90 ? 1 : 2].push_back(ms);
        } else {
          ++failed;
          if (failed <= 3) std::fprintf(stderr, "bench_controlplane: %s\n", s.message().c_str());
        }
      }
      std::lock_guard<std::mutex> lock(mu);
      out.ms.insert(out.ms.end(), mine.begin(), mine.end());
      for (int op = 0; op < 3; ++op) {
        out.by_op[op].insert(out.by_op[op].end(), mine_by_op[op].begin(), mine_by_op[op].end());
      }
      out.failed += failed;
    });
  }
  for (auto& w : workers) w.join();
  out.sent = total;
  return out;
}

double Mean(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return v.empty() ? 0 : sum / static_cast<double>(v.size());
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

// The processes of the control-plane pod of host namespace `ns` (every container has
// POD_NAMESPACE in its environment), and the local port of its API server (VC_APISERVER_PORT).
struct PodProcesses {
  std::vector<int> pids;
  std::string apiserver_port;
};
PodProcesses FindPod(const std::string& ns) {
  PodProcesses out;
  DIR* proc = opendir("/proc");
  while (dirent* e = proc ? readdir(proc) : nullptr) {
    if (!std::isdigit(static_cast<unsigned char>(e->d_name[0]))) continue;
    const std::string environ = ReadAll(std::string("/proc/") + e->d_name + "/environ");
    if (environ.find(std::string("POD_NAMESPACE=") + ns + '\0') == std::string::npos) continue;
    out.pids.push_back(std::atoi(e->d_name));
    const std::string cmdline = ReadAll(std::string("/proc/") + e->d_name + "/cmdline");
    const std::string key = std::string("VC_APISERVER_PORT=");
    const size_t at = environ.find(key);
    if (cmdline.find("kube-apiserver") != std::string::npos && at != std::string::npos) {
      const size_t from = at + key.size();
      out.apiserver_port = environ.substr(from, environ.find('\0', from) - from);
    }
  }
  if (proc) closedir(proc);
  return out;
}

double RssMiB(const std::vector<int>& pids) {
  double kib = 0;
  for (int pid : pids) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string l; std::getline(status, l);) {
      if (l.rfind("VmRSS:", 0) == 0) kib += std::atof(l.substr(6).c_str());
    }
  }
  return kib / 1024.0;
}

std::shared_ptr<vc::kube::Client> ClientFor(const std::string& kubeconfig,
                                            const std::string& server = "") {
  vc::kube::KubeconfigOptions options;
  options.kubeconfig = kubeconfig;
  options.env = vc::kube::ProcessEnvironment();
  auto config = vc::kube::LoadRestConfig(options);
  if (!config.ok()) {
    std::fprintf(stderr, "bench_controlplane: %s\n", config.status().message().c_str());
    return nullptr;
  }
  if (!server.empty()) config->server = server;
  return vc::kube::Client::ForConfig(*config);
}

}  // namespace

int main() {
  if (Env("VC_TEST_CLUSTER_DIR").empty() || Env("VC_KUBECTL_VC_BIN").empty()) {
    std::fprintf(stderr, "bench_controlplane: VC_TEST_CLUSTER_DIR/VC_KUBECTL_VC_BIN not set\n");
    return 1;
  }
  const int secrets = EnvInt("VC_BENCH_SECRETS", 5000);
  const int qps = EnvInt("VC_BENCH_QPS", 200);
  const int seconds = EnvInt("VC_BENCH_SECONDS", 60);
  const vc::bench::UserHome user = vc::bench::MakeUserHome("vc-bench-controlplane");
  const std::string name = "bench-cp";
  auto host = ClientFor(Env("VC_TEST_CLUSTER_DIR") + "/kubeconfig");
  if (!host ||
      RunChild({Env("VC_KUBECTL_VC_BIN"), "create", name, "--timeout", "5m"}, user.env).exit_code !=
          0) {
    std::fprintf(stderr, "bench_controlplane: create %s failed\n", name.c_str());
    return 1;
  }
  // Idle: a minute after create returned, nothing asked of it but what it does by itself.
  std::this_thread::sleep_for(std::chrono::seconds(60));  // the measurement window
  const PodProcesses pod = FindPod("vcluster-" + name);
  const double idle_mib = RssMiB(pod.pids);
  std::fprintf(stderr, "bench_controlplane: %zu processes, API server on local port %s\n",
               pod.pids.size(), pod.apiserver_port.c_str());
  for (int pid : pod.pids) {
    std::string comm = ReadAll("/proc/" + std::to_string(pid) + "/comm");
    if (!comm.empty() && comm.back() == '\n') comm.pop_back();
    std::fprintf(stderr, "bench_controlplane:   %-24s %7.1f MiB\n", comm.c_str(), RssMiB({pid}));
  }

  auto forwarded = ClientFor(user.kubeconfig);  // create left the context on the forwarder
  // The same credentials, straight to the API server's port (its certificate names 127.0.0.1
  // where the pod runner runs it).
  auto direct = ClientFor(user.kubeconfig, "https://127.0.0.1:" + pod.apiserver_port);
  if (!forwarded || !direct || pod.apiserver_port.empty()) return 1;
  struct Target {
    const char* id;
    vc::kube::Client* client;
    Load load;
  } targets[] = {
      {"host", host.get(), {}}, {"virtual", direct.get(), {}}, {"forwarded", forwarded.get(), {}}};
  if (!Fill(*host, secrets) || !Fill(*forwarded, secrets)) {
    std::fprintf(stderr, "bench_controlplane: making %d secrets failed\n", secrets);
    return 1;
  }
  for (auto& t : targets) {
    t.load = Drive(*t.client, secrets, qps, seconds);
    std::fprintf(stderr,
                 "bench_controlplane: %s: %zu answered, %d failed, mean %.1f ms (get %.1f, "
                 "update %.1f, list %.1f)\n",
                 t.id, t.load.ms.size(), t.load.failed, Mean(t.load.ms), Mean(t.load.by_op[0]),
                 Mean(t.load.by_op[1]), Mean(t.load.by_op[2]));
    if (t.load.failed * 100 > t.load.sent) {
      std::fprintf(stderr, "bench_controlplane: more than 1%% of the requests to %s failed\n",
                   t.id);
      return 1;
    }
  }
  RunChild({Env("VC_KUBECTL_VC_BIN"), "delete", name, "--wait"}, user.env);
  (void)host->Delete(r::kNamespaces, "", kNs);
  std::filesystem::remove_all(user.dir);

  Row("controlplane.idle_rss_mib",
      "one idle control plane: kine, apiserver, controller-manager, "
      "syncer (RSS together)",
      idle_mib, "MiB");
  const Load& h = targets[0].load;
  const std::string shape = std::to_string(secrets) + " secrets, " + std::to_string(qps) +
                            " qps of 70% get, 20% update, 10% list";
  const std::string base = "host API server (etcd)";
  Row("controlplane.load.mean_ratio", "virtual API server (kine/SQLite), mean: " + shape,
      Mean(targets[1].load.ms), "ms", base, Mean(h.ms));
  Row("controlplane.load.p99_ms", "virtual API server, p99: " + shape,
      Percentile(targets[1].load.ms, 0.99), "ms", base, Percentile(h.ms, 0.99));
  Row("controlplane.load.forwarded.mean_ratio", "through kubectl vc connect's forwarder, mean",
      Mean(targets[2].load.ms), "ms", base, Mean(h.ms));
  Row("controlplane.load.forwarded.p99_ms", "through kubectl vc connect's forwarder, p99",
      Percentile(targets[2].load.ms, 0.99), "ms", base, Percentile(h.ms, 0.99));
  return 0;
}
