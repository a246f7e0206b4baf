// SPDX-License-Identifier: Apache-2.0
// JSON text from outside (a snapshot's meta.json, a server's answer) -> nlohmann::json, with a
// message instead of an exception and a bound on nesting: nlohmann parses any depth without
// recursing, but dump(), copies and comparisons recurse, so a meta.json of 100000 '[' would
// overflow the stack of whoever prints it.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "vc/status.h"

namespace vc {

inline constexpr int kMaxJsonDepth = 64;

// InvalidArgument("WHAT is not JSON: ...") or ("WHAT nests deeper than 64 levels").
StatusOr<nlohmann::json> ParseJsonText(std::string_view text, std::string_view what,
                                       int max_depth = kMaxJsonDepth);

}  // namespace vc
