// SPDX-License-Identifier: Apache-2.0
// Errors from the host cluster, with what the user can do about them.
#pragma once

#include "vc/cli/host.h"
#include "vc/status.h"

namespace vc::cli::cmd {

// Unreachable: names the context and server and says how to check; Forbidden: adds the
// `kubectl auth can-i` hint. Anything else is returned as it is.
Status ExplainHostError(const HostCluster& host, Status status);

}  // namespace vc::cli::cmd
