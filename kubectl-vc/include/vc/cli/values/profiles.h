// SPDX-License-Identifier: Apache-2.0
// Built-in --profile values (src/values/profiles/*.yaml, compiled in): dev, prod and partner
// reproduce the seed's "Flexible Resource Syncing" table, zero-trust its zero-trust box.
// docs/values.md describes each.
#pragma once

#include <string_view>
#include <vector>

#include "vc/status.h"
#include "vc/yaml.h"

namespace vc::cli::values {

std::vector<std::string_view> ProfileNames();

// The profile's document; its source is "<profile NAME>", so errors point into it. An unknown
// name is InvalidArgument listing the known ones (and the closest).
StatusOr<yaml::Document> LoadProfile(std::string_view name);

}  // namespace vc::cli::values
