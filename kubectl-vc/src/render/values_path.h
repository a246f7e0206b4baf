// SPDX-License-Identifier: Apache-2.0
// Reading effective values by key path. The values were validated and defaulted before they
// reach render/, so a missing key only means "not set", never an error.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace vc::cli::render {

// `path` is a JSON pointer: "/sync/toHost/pods/enabled".
inline const nlohmann::json& At(const nlohmann::json& values, const char* path) {
  static const nlohmann::json kNull;
  nlohmann::json::json_pointer p(path);
  return values.contains(p) ? values.at(p) : kNull;
}

inline bool Enabled(const nlohmann::json& values, const char* path, bool fallback = false) {
  const auto& v = At(values, path);
  return v.is_boolean() ? v.get<bool>() : fallback;
}

inline std::string String(const nlohmann::json& values, const char* path,
                          const std::string& fallback = "") {
  const auto& v = At(values, path);
  return v.is_string() ? v.get<std::string>() : fallback;
}

}  // namespace vc::cli::render
