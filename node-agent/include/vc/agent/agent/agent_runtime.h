// SPDX-License-Identifier: Apache-2.0
// RunAgent: vc-node-agent's process, as the steps of a StartupSequence (vc/startup_sequence.h),
// in this order:
//   open datapath       mount bpffs if needed, reuse the pins;
//   open state          the enforcement store and tenant ids (unreadable ids: assigned afresh);
//   find pod cgroups    the cgroup layout (none found: quotas off, said in the log);
//   load kubeconfig     (in-cluster by default);
//   open pod netns      only with --pod-netns;
//   create node agent;
//   prepare informers   AgentInformers (agent_informers.h), not started yet;
//   start reconcile loop  ReconcileLoop (reconcile_loop.h): its thread restores the last
//                       enforced policy at once, before any API call, then waits for the
//                       informers; then a pass after every change, again every retry interval
//                       while a pass left work, and at least every resync period. Datapath
//                       calls run inside --pod-netns when given; API calls always in the
//                       agent's own namespace;
//   serve probes and metrics  /healthz, /readyz, /metrics (meanwhile the restore runs);
//   start informers     once the restore ran: this node's pods (spec.nodeName), tenant workload
//                       pods of every node (their addresses), this Node, Services and
//                       EndpointSlices (shared services named by Service), Tenants in all
//                       namespaces (once the CRD is served; until then tenant pods are zero
//                       trust);
//   run until stopped   `stop` fires.
// Teardowns, in reverse: stop probes and metrics, the reconcile loop, then the informers (the
// loop may start the Tenants' one). They close our handles only: pins, maps and tc filters stay
// (enforcement continues).
#pragma once

#include <chrono>
#include <string>

#include "vc/cancel_token.h"
#include "vc/status.h"

namespace vc::agent {

struct AgentConfig {
  std::string node_name;
  std::string kubeconfig;  // "": in-cluster
  std::string state_dir = "/var/lib/vc-node-agent";
  std::string bpffs_root = "/sys/fs/bpf/vc";  // the pin root
  std::string cgroup_root = "/sys/fs/cgroup";
  std::string kubelet_cgroup_root;               // kubelet's --cgroup-root, "" default
  std::string metrics_address = "0.0.0.0:9464";  // host:port; port 0 picks one
  // A network namespace (path) whose veths carry the pods, when it is not the agent's own
  // (nested labs, tests). The reconcile thread enters it; API calls stay in the agent's.
  std::string pod_netns;
  bool quotas = true;
  std::chrono::milliseconds retry_interval{1000};
  std::chrono::milliseconds resync_period{std::chrono::minutes(5)};
};

// Parses "host:port" ("[::1]:9464" too); port 0 allowed.
Status ParseListenAddress(const std::string& text, std::string* host, int* port);

// Runs until `stop` fires; an error when start-up failed, annotated with the step's name
// (before that it returns only then). A failed start-up fires `stop` once the reconcile loop
// started.
Status RunAgent(const AgentConfig& config, CancelToken& stop);

}  // namespace vc::agent
