// SPDX-License-Identifier: Apache-2.0
// Ctrl-C for long-running verbs: the first SIGINT/SIGTERM cancels the token (the verb stops at
// its next step and says how to resume); a second one exits at once with 130.
#pragma once

#include "vc/cancel_token.h"

namespace vc::cli::cmd {

// Installs the handlers on first use; the token lives for the whole process.
const CancelToken* InterruptToken();

}  // namespace vc::cli::cmd
