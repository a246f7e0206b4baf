// SPDX-License-Identifier: Apache-2.0
#include "values/schema_keywords.h"

#include <cmath>

namespace vc::cli::values::internal {

const nlohmann::json* RefTarget(const nlohmann::json& root, const nlohmann::json& schema) {
  auto ref = schema.find("$ref");
  if (ref == schema.end() || !ref->is_string()) return nullptr;
  constexpr std::string_view kPrefix = "#/$defs/";
  const std::string& name = ref->get_ref<const std::string&>();
  if (name.rfind(kPrefix, 0) != 0) return nullptr;
  auto defs = root.find("$defs");
  if (defs == root.end()) return nullptr;
  auto target = defs->find(name.substr(kPrefix.size()));
  return target == defs->end() ? nullptr : &*target;
}

const nlohmann::json* Keyword(const nlohmann::json& root, const nlohmann::json& schema,
                              std::string_view key) {
  if (!schema.is_object()) return nullptr;
  if (auto it = schema.find(key); it != schema.end()) return &*it;
  if (const nlohmann::json* target = RefTarget(root, schema)) return Keyword(root, *target, key);
  return nullptr;
}

std::string TypeWord(std::string_view type) {
  if (type == "object") return "map";
  if (type == "array") return "list";
  return std::string(type);
}

bool HasType(const nlohmann::json& value, std::string_view type) {
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  if (type == "string") return value.is_string();
  if (type == "boolean") return value.is_boolean();
  if (type == "null") return value.is_null();
  if (type == "number") return value.is_number();
  if (type == "integer") {
    if (value.is_number_integer()) return true;
    // YAML "1e3" is a float with an integral value; JSON Schema counts it as an integer.
    return value.is_number_float() && std::trunc(value.get<double>()) == value.get<double>();
  }
  return false;
}

}  // namespace vc::cli::values::internal
