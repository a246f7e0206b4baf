// SPDX-License-Identifier: Apache-2.0
// Merging that also records where each value came from (values/origins.h), for Resolve.
#pragma once

#include <nlohmann/json.hpp>

#include "values/origins.h"
#include "vc/yaml.h"

namespace vc::cli::values::internal {

// doc.value over `base` with MergeValues' rules; `origins` learns the document's positions for
// everything it set and forgets what it replaced or deleted.
void MergeDocumentInto(nlohmann::json& base, const yaml::Document& doc, ValueOrigins& origins);

}  // namespace vc::cli::values::internal
