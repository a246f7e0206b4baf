// SPDX-License-Identifier: Apache-2.0
// The markdown reference of the values, generated from the schema so the docs cannot drift
// from what is validated (docs/values.md embeds it; a unit test compares).
#include <algorithm>
#include <string>

#include "values/schema_keywords.h"
#include "vc/cli/values/schema.h"

namespace vc::cli::values {
namespace {

using internal::Keyword;
using nlohmann::json;

std::string Cell(std::string text) {
  // A table cell must stay one line and must not end the cell early.
  std::string out;
  for (char c : text) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n')
      out += ' ';
    else
      out += c;
  }
  return out;
}

std::string TypeText(const json& root, const json& schema) {
  if (const json* one_of = Keyword(root, schema, "oneOf")) {
    if (!Keyword(root, schema, "type")) {
      std::string out;
      for (const json& branch : *one_of) {
        out += (out.empty() ? "" : " or ") + TypeText(root, branch);
      }
      return out;
    }
  }
  if (const json* allowed = Keyword(root, schema, "enum")) {
    if (allowed->size() == 1) return (*allowed)[0].dump();  // "boolean or \"auto\""
    std::string out;
    for (const json& a : *allowed) out += (out.empty() ? "" : ", ") + a.dump();
    return "one of " + out;
  }
  const json* type = Keyword(root, schema, "type");
  if (!type || !type->is_string()) return "any";
  const std::string t = type->get<std::string>();
  if (t == "array") {
    const json* items = Keyword(root, schema, "items");
    return items ? "list of " + TypeText(root, *items) : "list";
  }
  if (t == "object" && !Keyword(root, schema, "properties")) {
    const json* additional = Keyword(root, schema, "additionalProperties");
    if (additional && additional->is_object()) return "map of " + TypeText(root, *additional);
  }
  return internal::TypeWord(t);
}

class ReferenceWriter {
 public:
  explicit ReferenceWriter(const json& root) : root_(root) {}

  std::string Render() {
    const json* props = Keyword(root_, root_, "properties");
    if (!props) return out_;
    for (const auto& [section, schema] : props->items()) {
      out_ += "### `" + section + "`\n\n";
      if (const json* d = Keyword(root_, schema, "description")) {
        out_ += d->get<std::string>() + "\n\n";
      }
      out_ += "| Key | Type | Default | Description |\n|---|---|---|---|\n";
      Rows(schema, section, 0);
      out_ += "\n";
    }
    return out_;
  }

 private:
  void Rows(const json& schema, const std::string& path, int depth) {
    if (depth > 12) return;  // guards against a recursive $ref
    if (const json* props = Keyword(root_, schema, "properties")) {
      const json* required = Keyword(root_, schema, "required");
      for (const auto& [key, sub] : props->items()) {
        bool is_required =
            required && std::find(required->begin(), required->end(), key) != required->end();
        Row(sub, path + "." + key, is_required);
        Rows(sub, path + "." + key, depth + 1);
      }
    }
    if (const json* items = Keyword(root_, schema, "items")) Rows(*items, path + "[]", depth + 1);
  }

  void Row(const json& schema, const std::string& path, bool required) {
    const json* def = Keyword(root_, schema, "default");
    const json* description = Keyword(root_, schema, "description");
    std::string text = description ? description->get<std::string>() : "";
    if (required) text = "Required. " + text;
    out_ += "| `" + path + "` | " + Cell(TypeText(root_, schema)) + " | " +
            (def ? "`" + Cell(def->dump()) + "`" : "") + " | " + Cell(text) + " |\n";
  }

  const json& root_;
  std::string out_;
};

}  // namespace

std::string RenderReference(const nlohmann::json& schema) {
  return ReferenceWriter(schema).Render();
}

}  // namespace vc::cli::values
