// SPDX-License-Identifier: Apache-2.0
// RFC 3339 timestamps, as the Kubernetes API writes them ("2024-05-01T10:00:00Z"). Pure.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace vc {

// "2024-05-01T10:00:00Z", "...T10:00:00.5+02:00" (sub-seconds are dropped); nullopt when `s`
// is anything else. Times before 1900 or after 2200 read as those years' first second.
std::optional<std::chrono::system_clock::time_point> ParseRfc3339(const std::string& s);

// UTC, whole seconds: "2024-05-01T10:00:00Z" (metav1.Time's own format).
std::string FormatRfc3339(std::chrono::system_clock::time_point t);

}  // namespace vc
