// SPDX-License-Identifier: Apache-2.0
// The background port-forwarder: `kubectl port-forward pod/NAME-0 PORT:8443` started fully
// detached (own session, stdin /dev/null, output to a log file, no inherited descriptors,
// reparented to init), so it outlives the kubectl-vc that started it. A process is known by its
// pid *and* its start time (field 22 of /proc/PID/stat, clock ticks since boot): a pid alone
// may have been reused by an unrelated process after the forwarder died, and signalling that
// one would be a bug.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "vc/kube/kubeconfig.h"
#include "vc/status.h"

namespace vc::cli::connect {

// The start time of process `pid` from PROC_ROOT/PID/stat, or nullopt when there is no such
// process or it is a zombie (exited, not yet reaped: as good as gone).
std::optional<long long> ProcessStartTicks(int pid, const std::string& proc_root = "/proc");

// True when `pid` runs and started at `start_ticks`: the process we recorded, not a successor.
bool ProcessAlive(int pid, long long start_ticks, const std::string& proc_root = "/proc");

// A loopback TCP port nothing listens on now (the kernel's choice).
StatusOr<int> FreeLoopbackPort();

// `command` when it holds a '/', else the first executable `command` in PATH (of `env`).
StatusOr<std::string> FindExecutable(const std::string& command, const kube::Environment& env);

struct ForwarderSpec {
  std::string kubectl;     // path or name (FindExecutable)
  std::string kubeconfig;  // host --kubeconfig; empty: kubectl's own choice
  std::string context;     // host --context; empty: current
  std::string namespace_;
  std::string pod;
  int local_port = 0;  // the user's port: the forwarder listens there and relays
  int remote_port = 8443;
  std::string log_file;   // stdout and stderr, started afresh: its tail is this run's
  kube::Environment env;  // the forwarder's complete environment
  // Run (argv, output to the log) when a connection waits and kubectl cannot reach the pod:
  // `kubectl-vc resume NAME --if-sleeping` wakes a cluster sleepMode put to sleep. Empty: none.
  std::vector<std::string> wake;
};

struct ForwarderProcess {
  int pid = 0;
  long long start_ticks = 0;
};

// The argv the forwarder runs (kubectl first), for messages and tests.
std::vector<std::string> ForwarderArgv(const ForwarderSpec& spec, const std::string& kubectl);

// Listens on 127.0.0.1:PORT (0: any), for the forwarder; Unavailable when it is taken.
StatusOr<int> ListenLoopback(int port);

// Starts it detached: a supervisor that owns 127.0.0.1:local_port and relays each connection
// through a kubectl port-forward of its own (kubectl ends the whole forward when one
// connection fails), on a port of kubectl's own. Returns once the process exists (not once it
// forwards).
StatusOr<ForwarderProcess> StartForwarder(const ForwarderSpec& spec);

// SIGTERM to `pid` only when it is still the process recorded (start time), then waits up to
// `grace` and sends SIGKILL. Ok when it is gone (or was already).
Status StopForwarder(const ForwarderProcess& process,
                     std::chrono::milliseconds grace = std::chrono::seconds(5));

// The last `bytes` of a log file, for errors.
std::string LogTail(const std::string& path, size_t bytes = 2000);

}  // namespace vc::cli::connect
