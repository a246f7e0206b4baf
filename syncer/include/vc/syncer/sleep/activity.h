// SPDX-License-Identifier: Apache-2.0
// sleepMode's measure of activity: the virtual API server's audit log, with a policy that
// logs nothing but requests from users and workloads. The syncer's own requests, the control
// plane's (controller-manager, scheduler, the API server's loopback client), kube-system's
// service accounts (CoreDNS, the controller-manager's controllers) and health checks are level
// None, so the log file changes only when someone or something of the tenant's asks. The
// syncer reads the file's modification time; nothing parses it.
#pragma once

#include <chrono>
#include <string>

namespace vc::syncer::sleep {

// Where `vc-syncer init` writes the policy (under --data-dir) and where the API server logs
// (the pod's shared /tmp); kubectl-vc's renderer passes the same paths.
inline constexpr const char* kAuditPolicyFile = "audit-policy.yaml";
inline constexpr const char* kActivityLog = "/tmp/vc-activity.log";

// The audit policy (YAML). `syncer_user` is the syncer's client certificate CN.
std::string ActivityAuditPolicy(const std::string& syncer_user);

// When the last request of a user or workload was logged: the newest modification time of
// `log` and its rotated copies (LOG-<time>.log beside it), or `since` when that is later or
// nothing was logged (a cluster nobody used since it started has been idle since then).
std::chrono::system_clock::time_point LastActivity(const std::string& log,
                                                   std::chrono::system_clock::time_point since);

}  // namespace vc::syncer::sleep
