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

int main(int argc, char** argv) {
  CLI::App app(
      "vc-node-agent: enforces tenant isolation on this node (eBPF network segmentation, "
      "tenant cgroup quotas, dedicated-node evictions). Runs as the kubectl-vc node-agent "
      "DaemonSet.",
      "vc-node-agent");
  vc::agent::AgentConfig config;
  const char* node_env = std::getenv("NODE_NAME");
  if (node_env != nullptr) config.node_name = node_env;
  std::string log_format = "text";
  std::string log_level = "info";
  int retry_ms = static_cast<int>(config.retry_interval.count());
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
  std::string kubelet_cgroup_root = "auto";
  app.add_option("--kubelet-cgroup-root", kubelet_cgroup_root,
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
  app.add_option("--retry-interval-ms", retry_ms,
                 "How soon a pass that left work (pods without a veth yet) is retried")
      ->capture_default_str();
  app.add_option("--log-format", log_format, "text or json")->capture_default_str();
  app.add_option("--log-level", log_level, "debug, info, warning or error")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  vc::log::Options log_options{.component = "vc-node-agent"};
  if (!vc::log::ParseFormat(log_format, &log_options.format) ||
      !vc::log::ParseLevel(log_level, &log_options.level)) {
    std::cerr << "error: --log-format must be text|json, --log-level debug|info|warning|error\n";
    return 1;
  }
  vc::log::Configure(log_options);
  config.retry_interval = std::chrono::milliseconds(retry_ms);
  config.kubelet_cgroup_root = kubelet_cgroup_root;
  if (kubelet_cgroup_root == "auto") {
    std::ifstream in("/proc/self/cgroup");
    std::ostringstream text;
    text << in.rdbuf();
    config.kubelet_cgroup_root = vc::agent::KubeletCgroupRootFromProcCgroup(text.str());
  }

  // SIGTERM/SIGINT stop the agent: blocked in every thread, taken by one sigwait thread.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  vc::CancelToken stop;
  std::thread([&signals, &stop] {
    int sig = 0;
    sigwait(&signals, &sig);
    VC_LOG(Info) << "signal " << sig << ": stopping";
    stop.Cancel();
  }).detach();

  vc::Status s = vc::agent::RunAgent(config, stop);
  if (!s.ok()) {
    VC_LOG(Error) << s.ToString();
    std::cerr << "error: " << s.message() << "\n";
    return 1;
  }
  return 0;
}
