// SPDX-License-Identifier: Apache-2.0
// Benchmark (not pass/fail) of the kubectl-vc binary, as a user runs it:
//   - create -> first successful API call in the virtual cluster (median of 5): `kubectl vc
//     create` (which waits until the virtual API answers through its port-forward), then
//     `kubectl get ns` in it. The control-plane pod runs for real (tests/cluster/pod-runner).
//     No baseline: nothing else starts this control plane.
//   - `kubectl vc list` with 50 virtual clusters (median of 5), against `kubectl get
//     statefulsets,pods -A -l app=vcluster -o json`, which reads the same objects. These 50 run
//     on a second local cluster without the pod runner (kwok fakes their pods): 50 real control
//     planes do not fit on a 2-core machine, and list only reads the host.
//   - a request to a cluster sleepMode put to sleep, through connect's forwarder, until it is
//     answered (median of 3), against create -> first API call.
//   - peak RSS of kubectl-vc (create, list) against kubectl's on the same list.
// Needs VC_TEST_CLUSTER_DIR, VC_CLUSTER_BIN_DIR and VC_KUBECTL_VC_BIN (tests/bench/run sets them).
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "bench_util.h"

namespace {

using vc::bench::ChildRun;
using vc::bench::Env;
using vc::bench::Median;
using vc::bench::Row;
using vc::bench::RunChild;

constexpr int kCreates = 5;
constexpr int kListed = 50;
constexpr int kRepeats = 5;
constexpr int kWakes = 3;

struct Setup {
  std::string vc;       // kubectl-vc
  std::string kubectl;  // the cluster's kubectl
  std::string home;     // HOME for kubectl-vc: its kubeconfig and local state
};

std::vector<std::pair<std::string, std::string>> EnvFor(const Setup& s,
                                                        const std::string& kubeconfig) {
  return {{"HOME", s.home},
          {"KUBECONFIG", kubeconfig},
          {"VC_STATE_DIR", s.home + "/.kube/vc"},
          {"KUBECTL_PATH", s.kubectl},
          {"PATH", std::filesystem::path(s.kubectl).parent_path().string() + ":" + Env("PATH")}};
}

// The host's context in `kubeconfig` (its current one before any connect).
std::string HostContext(const std::string& kubeconfig) {
  std::ifstream in(kubeconfig);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("current-context:", 0) == 0) {
      std::string name = line.substr(16);
      name.erase(0, name.find_first_not_of(" \"'"));
      name.erase(name.find_last_not_of(" \"'") + 1);
      return name;
    }
  }
  return "";
}

}  // namespace

int main() {
  const std::string dir = Env("VC_TEST_CLUSTER_DIR");
  Setup s{Env("VC_KUBECTL_VC_BIN"), Env("VC_CLUSTER_BIN_DIR") + "/kubectl", ""};
  if (dir.empty() || s.vc.empty()) {
    std::fprintf(stderr,
                 "bench_kubectl_vc: VC_TEST_CLUSTER_DIR/VC_KUBECTL_VC_BIN not set (make bench)\n");
    return 1;
  }
  char pattern[] = "/tmp/vc-bench-home.XXXXXX";
  s.home = mkdtemp(pattern);
  std::filesystem::create_directories(s.home + "/.kube");
  const std::string kubeconfig = s.home + "/.kube/config";
  std::filesystem::copy_file(dir + "/kubeconfig", kubeconfig);
  const auto env = EnvFor(s, kubeconfig);
  const std::string host_context = HostContext(kubeconfig);  // before a connect changes it

  // create -> first API call
  std::vector<double> to_first_call;
  double create_rss = 0;
  for (int i = 0; i < kCreates; ++i) {
    const std::string name = "bench-" + std::to_string(i);
    ChildRun created = RunChild({s.vc, "create", name, "--profile", "dev"}, env);
    ChildRun first = RunChild({s.kubectl, "get", "ns"}, env);
    if (created.exit_code != 0 || first.exit_code != 0) {
      std::fprintf(stderr, "bench_kubectl_vc: create %s failed (exit %d/%d)\n", name.c_str(),
                   created.exit_code, first.exit_code);
    } else {
      to_first_call.push_back(created.seconds + first.seconds);
      create_rss = std::max(create_rss, created.peak_rss_mib);
    }
    RunChild({s.vc, "disconnect"}, env);
    RunChild({s.vc, "delete", name, "--wait"}, env);
  }
  Row("create.first_call_s", "create -> first API call in the virtual cluster (median of 5)",
      Median(to_first_call), "s", "-", 0);
  Row("create.rss_mib", "peak RSS of kubectl-vc create (MiB)", create_rss, "MiB", "-", 0);

  // sleepMode: a request to a sleeping cluster, through connect's forwarder, until answered.
  {
    const std::string name = "bench-sleepy";
    const std::string ns = "vcluster-" + name;
    ChildRun created = RunChild({s.vc, "create", name, "--profile", "dev", "--set",
                                 "sleepMode.enabled=true,sleepMode.autoSleep.afterInactivity=10s"},
                                env);
    std::vector<double> wakes;
    for (int i = 0; i < kWakes && created.exit_code == 0; ++i) {
      // Asleep: the StatefulSet at 0 and the pod gone (polled by kubectl wait, not timed).
      ChildRun slept = RunChild(
          {s.kubectl, "--context", host_context, "wait", "--for=jsonpath={.spec.replicas}=0",
           "statefulset/" + name, "-n", ns, "--timeout=180s"},
          env);
      ChildRun gone = RunChild({s.kubectl, "--context", host_context, "wait", "--for=delete",
                                "pod/" + name + "-0", "-n", ns, "--timeout=120s"},
                               env);
      if (slept.exit_code != 0 || gone.exit_code != 0) {
        std::fprintf(stderr, "bench_kubectl_vc: %s did not fall asleep\n", name.c_str());
        break;
      }
      ChildRun woken = RunChild({s.kubectl, "get", "ns"}, env);
      if (woken.exit_code != 0) {
        std::fprintf(stderr, "bench_kubectl_vc: the request that wakes %s failed\n", name.c_str());
        break;
      }
      wakes.push_back(woken.seconds);
    }
    if (wakes.size() == static_cast<size_t>(kWakes)) {
      Row("sleep.wake_s", "sleeping cluster: request -> answer through connect (median of 3)",
          Median(wakes), "s", "create -> first API call", Median(to_first_call));
    }
    RunChild({s.vc, "disconnect"}, env);
    RunChild({s.vc, "delete", name, "--wait"}, env);
  }

  // list with 50, on a second cluster whose pods kwok fakes.
  const std::string list_dir = s.home + "/list-cluster";
  std::string script;
  {
    std::ifstream in(dir + "/ports.env");
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("LOCAL_CLUSTER=", 0) == 0) script = line.substr(14);
    }
  }
  if (RunChild({script, "up", "--dir", list_dir, "--name", "bench-list", "--nodes", "2"})
          .exit_code != 0) {
    std::fprintf(stderr, "bench_kubectl_vc: second cluster did not come up\n");
    return 1;
  }
  const std::string list_kubeconfig = list_dir + "/kubeconfig";
  const auto list_env = EnvFor(s, list_kubeconfig);
  for (int i = 0; i < kListed; ++i) {
    RunChild({s.vc, "create", "list-" + std::to_string(i), "--connect=false"}, list_env);
  }
  std::vector<double> ours, theirs;
  double our_rss = 0, their_rss = 0;
  for (int rep = 0; rep < kRepeats; ++rep) {
    ChildRun a = RunChild({s.vc, "list"}, list_env);
    ChildRun b =
        RunChild({s.kubectl, "get", "statefulsets,pods", "-A", "-l", "app=vcluster", "-o", "json"},
                 list_env);
    ours.push_back(a.seconds);
    theirs.push_back(b.seconds);
    our_rss = std::max(our_rss, a.peak_rss_mib);
    their_rss = std::max(their_rss, b.peak_rss_mib);
  }
  Row("list.clusters50.s", "kubectl vc list, 50 virtual clusters (median of 5)", Median(ours), "s",
      "kubectl get sts,pods -A -l app=vcluster", Median(theirs));
  Row("list.clusters50.rss_mib", "peak RSS of kubectl-vc list (MiB)", our_rss, "MiB",
      "kubectl get sts,pods -A -l app=vcluster", their_rss);
  RunChild({script, "down", "--dir", list_dir});
  std::filesystem::remove_all(s.home);
  return 0;
}
