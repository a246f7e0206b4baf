// SPDX-License-Identifier: Apache-2.0
// Reading keywords of our JSON Schema subset: a node's own keywords win over those of its
// "$ref" target, which is how a property adds its own description and default to a shared
// definition such as #/$defs/quantity.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace vc::cli::values::internal {

// The definition `schema["$ref"]` names ("#/$defs/NAME"), or null when there is none.
const nlohmann::json* RefTarget(const nlohmann::json& root, const nlohmann::json& schema);

// `schema[key]`, else the $ref target's, else null.
const nlohmann::json* Keyword(const nlohmann::json& root, const nlohmann::json& schema,
                              std::string_view key);

// "map" and "list" rather than "object" and "array": our users write YAML.
std::string TypeWord(std::string_view json_schema_type);

// Whether `value` is an instance of JSON Schema type `type`.
bool HasType(const nlohmann::json& value, std::string_view type);

}  // namespace vc::cli::values::internal
