// SPDX-License-Identifier: Apache-2.0
#include "vc/cli/values/merge.h"

#include <string>

#include "values/layering.h"

namespace vc::cli::values {
namespace {

// `origins` and `doc` are null for the plain MergeValues: one walk serves both.
void MergeAt(nlohmann::json& base, const nlohmann::json& overlay, const std::string& pointer,
             const yaml::Document* doc, internal::ValueOrigins* origins) {
  for (const auto& [key, value] : overlay.items()) {
    const std::string child = pointer + "/" + yaml::EscapePointerToken(key);
    if (value.is_null()) {
      base.erase(key);
      if (origins) origins->Erase(child);
      continue;
    }
    auto it = base.find(key);
    if (value.is_object() && it != base.end() && it->is_object()) {
      if (origins) origins->Touch(child, *doc);
      MergeAt(*it, value, child, doc, origins);
      continue;
    }
    base[key] = value;
    if (origins) origins->ReplaceFrom(child, *doc);
  }
}

}  // namespace

nlohmann::json MergeValues(nlohmann::json base, const nlohmann::json& overlay) {
  if (!overlay.is_object() || !base.is_object()) {
    return overlay.is_null() ? base : overlay;
  }
  MergeAt(base, overlay, "", nullptr, nullptr);
  return base;
}

namespace internal {

void MergeDocumentInto(nlohmann::json& base, const yaml::Document& doc, ValueOrigins& origins) {
  // Resolve validated the document first, so a non-null value is a map.
  if (!doc.value.is_object() || !base.is_object()) return;
  MergeAt(base, doc.value, "", &doc, &origins);
}

}  // namespace internal
}  // namespace vc::cli::values
