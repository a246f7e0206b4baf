// SPDX-License-Identifier: Apache-2.0
// connect/: how the user's kubectl reaches a virtual cluster.
//
//   - the virtual cluster's credentials come from host Secret vc-NAME (written by
//     `vc-syncer init`; keys certificate-authority, client-certificate, client-key, config);
//   - the endpoint is --server, else the exposed Service (LoadBalancer ingress / NodePort), else a
//     background `kubectl port-forward pod/NAME-0 LOCAL:8443` that connect starts (the kubectl
//     that runs us: $KUBECTL_PATH, else `kubectl` on PATH), detached, logging to
//     STATE_DIR/forward-CONTEXT.log;
//   - a context vc_NAME_NS_HOSTCONTEXT (cluster and user of the same name) is written into the
//     user's kubeconfig file (--kubeconfig, else the first $KUBECONFIG file, else
//     ~/.kube/config; 0600, file lock, no other entry touched) and made current;
//   - local state (connections, forwarder pid + process start time, previous context) lives in
//     SQLite at STATE_DIR/state.db (default ~/.kube/vc/), so a crashed kubectl-vc loses nothing
//     and a forwarder whose process is gone or reused is recognised as stale and replaced.
#pragma once

#include <chrono>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "vc/cli/host.h"
#include "vc/status.h"

namespace vc::cli::connect {

// vc_NAME_NS_HOSTCONTEXT, as vcluster names its contexts.
std::string ContextName(const std::string& name, const std::string& namespace_,
                        const std::string& host_context);

// ~/.kube/vc from env HOME (or VC_STATE_DIR when set: tests, several users on one account).
std::string DefaultStateDir(const kube::Environment& env);

// The kubeconfig file connect writes into, chosen as described above.
std::string TargetKubeconfigFile(const HostCluster& host, const kube::Environment& env);

// One row of local state.
struct Connection {
  std::string context;  // vc_NAME_NS_HOSTCONTEXT
  std::string name;
  std::string namespace_;
  std::string host_context;
  std::string kubeconfig_file;          // the file the context was written into
  std::string previous_context;         // what was current before connect (restored by disconnect)
  std::string server;                   // where the context points
  int forwarder_pid = 0;                // 0: no forwarder (exposed endpoint or --server)
  long long forwarder_start_ticks = 0;  // /proc/PID/stat starttime: tells pid reuse apart
  int local_port = 0;
  long long connected_at = 0;  // unix seconds
};

struct ConnectOptions {
  std::string name;    // empty: the only virtual cluster found (an error when there are several)
  bool print = false;  // print a kubeconfig on `out`, touch no kubeconfig file
  int local_port = 0;  // 0: a free port
  std::string server;  // use this endpoint, start no forwarder
  std::vector<std::string> command;  // run this with KUBECONFIG pointing at the virtual cluster
  bool update_current_context = true;
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};  // until the virtual API answers
  std::string state_dir;                                        // empty: DefaultStateDir(env)
  std::string kubectl;  // empty: $KUBECTL_PATH, else "kubectl"
  // KUBECONFIG, HOME, VC_STATE_DIR, KUBECTL_PATH and PATH are read from here; the forwarder and
  // `command` inherit it. Empty: kube::ProcessEnvironment().
  kube::Environment env;
  // The forwarder's wake command (ForwarderSpec::wake): run when a request waits for a pod that
  // is not there, as while sleepMode has the cluster asleep.
  std::vector<std::string> wake;
};

// Connects as described above; returns the exit status of `command` when one was given, else 0.
// Progress goes to `err`; --print's kubeconfig to `out`.
StatusOr<int> Connect(const HostCluster& host, const ConnectOptions& options, std::ostream& out,
                      std::ostream& err);

struct DisconnectOptions {
  std::string state_dir;
};

// Switches the kubeconfig back to the context that was current before connect (when the
// current context is a virtual cluster's), removes that context, stops its forwarder.
Status Disconnect(const HostCluster& host, const kube::Environment& env,
                  const DisconnectOptions& options, std::ostream& err);

// delete: forget every connection to NAME/NS on this host (contexts removed from the kubeconfig
// files they were written to, current context restored, forwarders stopped).
Status Forget(const std::string& name, const std::string& namespace_,
              const std::string& host_context, const std::string& state_dir);

// list's CONNECTED column: NAME/NS has a connection whose forwarder (if any) is alive.
StatusOr<std::vector<Connection>> LiveConnections(const std::string& state_dir);

}  // namespace vc::cli::connect
