// SPDX-License-Identifier: Apache-2.0
// vc-node-agent: flags -> AgentConfig -> RunAgent (include/vc/agent/agent/agent_runtime.h).
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "vc/agent/agent/agent_runtime.h"
#include "vc/agent/cgroup/cgroup_layout.h"
#include "vc/cancel_token.h"
#include "vc/log.h"

namespace {

// The command line, before it becomes an AgentConfig.
struct Flags {
  vc::agent::AgentConfig config;
  std::string log_format = "text";
  std::string log_level = "info";
  std::string kubelet_cgroup_root = "auto";
  int retry_ms = static_cast<int>(config.retry_interval.count());
};

void AddFlags(CLI::App& app, Flags* flags) {
  vc::agent::AgentConfig& config = flags->config;
  app.add_option("--node-name", config.node_name,
                 "This node's name (default: $NODE_NAME, from the downward API)");
  app.add_option("--kubeconfig", config.kubeconfig,
                 "Kubeconfig file (default: in-cluster service account)");
  app.add_option("--state-dir", config.state_dir, "Where state.db and tenant ids are kept")
      ->capture_default_str();
  app.add_option("--bpffs-root", config.bpffs_root,
                 "Pin root on bpffs for maps and programs (bpffs is mounted if needed)")
      ->capture_default_str();
  app.add_option("--cgroup-root", config.cgroup_root, "Where the cgroup filesystems are mounted")
      ->capture_default_str();
  app.add_option("--kubelet-cgroup-root", flags->kubelet_cgroup_root,
                 "kubelet's --cgroup-root, relative to a hierarchy's root; auto: read from "
                 "the agent's own cgroup (/proc/self/cgroup) when kubelet started it")
      ->capture_default_str();
  app.add_flag("!--no-quotas", config.quotas, "Do not enforce tenant cgroup quotas");
  app.add_option("--metrics-address", config.metrics_address,
                 "host:port for /metrics, /healthz and /readyz")
      ->capture_default_str();
  app.add_option("--pod-netns", config.pod_netns,
                 "Network namespace (path) holding the pods' host-side veths, when it is not "
                 "the agent's own");
  app.add_option("--retry-interval-ms", flags->retry_ms,
                 "How soon a pass that left work (pods without a veth yet) is retried")
      ->capture_default_str();
  app.add_option("--log-format", flags->log_format, "text or json")->capture_default_str();
  app.add_option("--log-level", flags->log_level, "debug, info, warning or error")
      ->capture_default_str();
}

bool ConfigureLogging(const Flags& flags) {
  vc::log::Options log_options{.component = "vc-node-agent"};
  if (!vc::log::ParseFormat(flags.log_format, &log_options.format) ||
      !vc::log::ParseLevel(flags.log_level, &log_options.level)) {
    std::cerr << "error: --log-format must be text|json, --log-level debug|info|warning|error\n";
    return false;
  }
  vc::log::Configure(log_options);
  return true;
}

// --kubelet-cgroup-root auto: read from the agent's own cgroup.
std::string KubeletCgroupRoot(const std::string& flag) {
  if (flag != "auto") return flag;
  std::ifstream in("/proc/self/cgroup");
  std::ostringstream text;
  text << in.rdbuf();
  return vc::agent::KubeletCgroupRootFromProcCgroup(text.str());
}

// SIGTERM/SIGINT stop the agent: blocked in every thread, taken by one sigwait thread.
void CancelOnTermination(vc::CancelToken* stop) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  std::thread([signals, stop] {
    int sig = 0;
    sigwait(&signals, &sig);
    VC_LOG(Info) << "signal " << sig << ": stopping";
    stop->Cancel();
  }).detach();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app(
      "vc-node-agent: enforces tenant isolation on this node (eBPF network segmentation, "
      "tenant cgroup quotas, dedicated-node evictions). Runs as the kubectl-vc node-agent "
      "DaemonSet.",
      "vc-node-agent");
  Flags flags;
  const char* node_env = std::getenv("NODE_NAME");
  if (node_env != nullptr) flags.config.node_name = node_env;
  AddFlags(app, &flags);
  CLI11_PARSE(app, argc, argv);

  if (!ConfigureLogging(flags)) return 1;
  vc::agent::AgentConfig& config = flags.config;
  config.retry_interval = std::chrono::milliseconds(flags.retry_ms);
  config.kubelet_cgroup_root = KubeletCgroupRoot(flags.kubelet_cgroup_root);

  vc::CancelToken stop;
  CancelOnTermination(&stop);
  vc::Status s = vc::agent::RunAgent(config, stop);
  if (!s.ok()) {
    VC_LOG(Error) << s.ToString();
    std::cerr << "error: " << s.message() << "\n";
    return 1;
  }
  return 0;
}
