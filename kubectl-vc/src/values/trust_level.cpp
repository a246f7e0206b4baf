// SPDX-License-Identifier: Apache-2.0
#include "vc/cli/values/trust_level.h"

#include <algorithm>

namespace vc::cli::values {

std::string_view TrustLevelName(TrustLevel level) {
  switch (level) {
    case TrustLevel::kHigh:
      return "high";
    case TrustLevel::kPartial:
      return "partial";
    case TrustLevel::kZero:
      return "zero";
  }
  return "high";
}

std::optional<TrustLevel> ParseTrustLevel(std::string_view name) {
  for (TrustLevel level : {TrustLevel::kHigh, TrustLevel::kPartial, TrustLevel::kZero}) {
    if (TrustLevelName(level) == name) return level;
  }
  return std::nullopt;
}

TrustLevel TrustLevelOf(const nlohmann::json& effective) {
  auto isolation = effective.find("isolation");
  if (isolation == effective.end() || !isolation->is_object()) return TrustLevel::kHigh;
  auto level = isolation->find("trustLevel");
  if (level == isolation->end() || !level->is_string()) return TrustLevel::kHigh;
  return ParseTrustLevel(level->get<std::string>()).value_or(TrustLevel::kHigh);
}

bool ServiceTypeAllowed(const nlohmann::json& effective, std::string_view type) {
  auto isolation = effective.find("isolation");
  if (isolation == effective.end() || !isolation->is_object()) return true;
  auto types = isolation->find("serviceTypes");
  if (types == isolation->end() || !types->is_array()) return true;
  return std::any_of(types->begin(), types->end(), [&](const nlohmann::json& t) {
    return t.is_string() && t.get<std::string>() == type;
  });
}

}  // namespace vc::cli::values
