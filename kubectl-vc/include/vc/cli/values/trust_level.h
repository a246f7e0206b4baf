// SPDX-License-Identifier: Apache-2.0
// The typed view of the few effective-values fields other modules branch on, so they do not
// each spell out key paths and string values.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

namespace vc::cli::values {

// isolation.trustLevel (seed: "Flexible Multi-Tenancy Models").
enum class TrustLevel { kHigh, kPartial, kZero };

std::string_view TrustLevelName(TrustLevel level);  // "high", "partial", "zero"
std::optional<TrustLevel> ParseTrustLevel(std::string_view name);

// Of effective values (Resolve's result); kHigh, the default, when absent.
TrustLevel TrustLevelOf(const nlohmann::json& effective);
// isolation.serviceTypes holds `type` (ClusterIP, NodePort, ...); true when the list is absent.
bool ServiceTypeAllowed(const nlohmann::json& effective, std::string_view type);

}  // namespace vc::cli::values
