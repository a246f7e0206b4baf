// SPDX-License-Identifier: Apache-2.0
// Settings that are each valid but wrong together, checked on the merged values (after
// defaults and "auto" are decided). Each finding says why it is wrong and what to change, and
// points at where the setting to change was written.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "vc/cli/values/schema.h"

namespace vc::cli::values {

struct Findings {
  std::vector<std::string> errors;    // create refuses
  std::vector<std::string> warnings;  // create proceeds and prints them
};

// `effective` must be valid and have defaults filled. `where` may be null (then "values").
Findings FindContradictions(const nlohmann::json& effective, const Locator& where);

}  // namespace vc::cli::values
