// SPDX-License-Identifier: Apache-2.0
// The host cluster a verb works on, and its errors with what the user can do about them.
#pragma once

#include "vc/cli/host.h"
#include "vc/cli/lifecycle/lifecycle.h"
#include "vc/status.h"

namespace vc::cli::cmd {

struct GlobalOptions;

// The host factory's connect (ConnectHost for the binary) on globals.host, except that while
// kubectl is connected to one of our virtual clusters (the current context is a vc_... context in
// the local state) and no --context was given, the host is that connection's host context, as
// vcluster does: `kubectl vc list` after `kubectl vc connect` lists the host's virtual clusters,
// not the virtual cluster's.
StatusOr<HostCluster> OpenHost(const GlobalOptions& globals);

// The host and the virtual cluster NAME on it (lifecycle::Find with -n when given); errors
// already explained.
struct Target {
  HostCluster host;
  lifecycle::Info info;
};
StatusOr<Target> OpenTarget(const GlobalOptions& globals, const std::string& name);

// Unreachable: names the context and server and says how to check; Forbidden: adds the
// `kubectl auth can-i` hint. Anything else is returned as it is.
Status ExplainHostError(const HostCluster& host, Status status);

}  // namespace vc::cli::cmd
