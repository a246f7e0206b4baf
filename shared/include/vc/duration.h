// SPDX-License-Identifier: Apache-2.0
// Durations as kubectl and Go write them: "30s", "2m", "1h30m", "250ms", or a bare number of
// seconds. The plugin's --timeout flags and values such as sleepMode.autoSleep.afterInactivity
// (the syncer reads the same text). Pure.
#pragma once

#include <chrono>
#include <string>

#include "vc/status.h"

namespace vc {

// `what` names the flag or value in the error ("--timeout", "sleepMode.autoSleep...").
StatusOr<std::chrono::milliseconds> ParseDuration(const std::string& what, const std::string& text);

}  // namespace vc
