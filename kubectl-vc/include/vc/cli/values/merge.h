// SPDX-License-Identifier: Apache-2.0
// How one values document lies over another, as helm merges -f files: maps deep-merge, lists
// and scalars replace wholesale (a list is one setting, not a set to extend), and null deletes
// the key so that what lies underneath — ultimately the schema default — shows again.
#pragma once

#include <nlohmann/json.hpp>

namespace vc::cli::values {

// `overlay` over `base`; returns the result.
nlohmann::json MergeValues(nlohmann::json base, const nlohmann::json& overlay);

}  // namespace vc::cli::values
