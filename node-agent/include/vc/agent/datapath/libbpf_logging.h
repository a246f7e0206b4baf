// SPDX-License-Identifier: Apache-2.0
// Routes libbpf's messages (verifier logs, pin reuse decisions) into vc::log instead of
// stderr: warnings as warnings, the rest as debug. Idempotent.
#pragma once

namespace vc::agent {

void RouteLibbpfLogging();

}  // namespace vc::agent
