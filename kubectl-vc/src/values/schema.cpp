// SPDX-License-Identifier: Apache-2.0
#include "vc/cli/values/schema.h"

#include <cstdio>
#include <cstdlib>

#include "values/embedded_files.h"
#include "values/schema_keywords.h"

namespace vc::cli::values {

const nlohmann::json& ValuesSchema() {
  static const nlohmann::json schema = [] {
    auto text = internal::FindEmbeddedFile("values.schema.json");
    nlohmann::json parsed = text ? nlohmann::json::parse(text->begin(), text->end(), nullptr,
                                                         /*allow_exceptions=*/false)
                                 : nlohmann::json(nlohmann::json::value_t::discarded);
    if (parsed.is_discarded()) {
      // Built into the binary and covered by SchemaEmbedded tests: only a broken build gets
      // here, and no user input can fix it.
      std::fputs("kubectl-vc: the embedded values schema is not valid JSON (build defect)\n",
                 stderr);
      std::abort();
    }
    return parsed;
  }();
  return schema;
}

void FillDefaults(const nlohmann::json& schema, nlohmann::json& value) {
  // The recursion carries the root so $ref can be followed from any depth.
  struct Filler {
    const nlohmann::json& root;
    void Fill(const nlohmann::json& node, nlohmann::json& v, int depth) const {
      if (depth > 12) return;  // guards against a recursive $ref
      if (v.is_object()) {
        const nlohmann::json* props = internal::Keyword(root, node, "properties");
        if (!props) return;
        for (const auto& [key, sub] : props->items()) {
          auto it = v.find(key);
          if (it == v.end() || it->is_null()) {
            if (const nlohmann::json* def = internal::Keyword(root, sub, "default")) {
              v[key] = *def;
            } else if (internal::Keyword(root, sub, "properties")) {
              v[key] = nlohmann::json::object();  // a section: present even when empty
            } else {
              if (it != v.end()) v.erase(it);  // a null with no default means "unset"
              continue;
            }
          }
          Fill(sub, v[key], depth + 1);
        }
      } else if (v.is_array()) {
        if (const nlohmann::json* items = internal::Keyword(root, node, "items")) {
          for (nlohmann::json& item : v) Fill(*items, item, depth + 1);
        }
      }
    }
  };
  Filler{schema}.Fill(schema, value, 0);
}

}  // namespace vc::cli::values
