// SPDX-License-Identifier: Apache-2.0
// What every benchmark binary shares: the TSV row format tests/bench/run prints as one table
// (figure, value, unit, baseline, baseline value, ratio), medians and percentiles, and timing a
// child process with its peak RSS.
#pragma once

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

namespace vc::bench {

using Clock = std::chrono::steady_clock;

inline std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

inline double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

inline double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// The nearest-rank percentile (p in 0..1): the smallest value with at least p of all values at
// or below it; 0 for no values.
inline double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const double rank = std::ceil(p * static_cast<double>(v.size()));
  const size_t index = rank < 1 ? 0 : static_cast<size_t>(rank) - 1;
  return v[std::min(v.size() - 1, index)];
}

// One figure: `figure` is its stable name (component.what[.detail], the names issue 19 lists
// among them; bench.tsv is keyed by it), `what` says in words what was measured.
inline void Row(const std::string& figure, const std::string& what, double value, const char* unit,
                const std::string& baseline, double baseline_value) {
  if (baseline == "-") {
    std::printf("%s\t%.3f\t%s\t-\t-\t-\t%s\n", figure.c_str(), value, unit, what.c_str());
  } else {
    std::printf("%s\t%.3f\t%s\t%s\t%.3f\t%.2f\t%s\n", figure.c_str(), value, unit, baseline.c_str(),
                baseline_value, baseline_value > 0 ? value / baseline_value : 0.0, what.c_str());
  }
  std::fflush(stdout);
}

// A row without a baseline.
inline void Row(const std::string& figure, const std::string& what, double value,
                const char* unit) {
  Row(figure, what, value, unit, "-", 0);
}

struct ChildRun {
  double seconds = 0;
  double peak_rss_mib = 0;
  int exit_code = -1;
};

// Runs argv to completion (stdout to /dev/null, stderr kept), with `env` added to ours.
inline ChildRun RunChild(const std::vector<std::string>& argv,
                         const std::vector<std::pair<std::string, std::string>>& env = {}) {
  const auto start = Clock::now();
  const pid_t pid = fork();
  if (pid == 0) {
    if (!freopen("/dev/null", "w", stdout)) _exit(127);
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  struct rusage usage {};
  wait4(pid, &status, 0, &usage);
  ChildRun run;
  run.seconds = Seconds(start);
  run.peak_rss_mib = usage.ru_maxrss / 1024.0;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return run;
}

// A HOME for kubectl-vc as a user has one: a kubeconfig holding the host cluster of
// tests/bench/run (VC_TEST_CLUSTER_DIR), and the environment kubectl-vc runs in. `prefix` names
// the directory under /tmp.
struct UserHome {
  std::string dir;
  std::string kubeconfig;
  std::vector<std::pair<std::string, std::string>> env;
};
inline UserHome MakeUserHome(const std::string& prefix) {
  const std::string kubectl = Env("VC_CLUSTER_BIN_DIR") + "/kubectl";
  std::string pattern = "/tmp/" + prefix + ".XXXXXX";
  UserHome h;
  h.dir = mkdtemp(pattern.data());
  h.kubeconfig = h.dir + "/.kube/config";
  RunChild({"/bin/mkdir", "-p", h.dir + "/.kube"});
  RunChild({"/bin/sh", "-c", "\"$0\" config view --flatten --raw --kubeconfig \"$1\" > \"$2\"",
            kubectl, Env("VC_TEST_CLUSTER_DIR") + "/kubeconfig", h.kubeconfig});
  h.env = {{"HOME", h.dir},
           {"KUBECONFIG", h.kubeconfig},
           {"VC_STATE_DIR", h.dir + "/.kube/vc"},
           {"KUBECTL_PATH", kubectl},
           {"PATH", Env("VC_CLUSTER_BIN_DIR") + ":" + Env("PATH")}};
  return h;
}

inline double SelfPeakRssMiB() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;
}

}  // namespace vc::bench
