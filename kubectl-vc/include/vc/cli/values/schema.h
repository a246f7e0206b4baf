// SPDX-License-Identifier: Apache-2.0
// The values schema (src/values/values.schema.json, compiled in) and what is done with it:
// validation with file:line and "did you mean", defaults, and the markdown reference that
// docs/values.md embeds.
//
// The schema language is a subset of JSON Schema draft 2020-12, implemented here rather than
// pulled in as a library so that errors read the way our users need them: type (one name or a
// list), properties, additionalProperties (false or a schema), required, enum, items, default,
// description, title (names the expected form in pattern errors), pattern (POSIX extended,
// which our patterns keep to: the part it shares with JSON Schema's ECMAScript),
// minimum, maximum, oneOf, and $ref to "#/$defs/NAME". Other keywords are ignored.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "vc/yaml.h"

namespace vc::cli::values {

// The embedded schema. A unit test (SchemaEmbedded.*) proves it parses; a broken one is a build
// defect and aborts at first use rather than being reported to users as their error.
const nlohmann::json& ValuesSchema();

// Where a JSON pointer of the value came from, as errors print it ("f.yaml:3:5", "--set a=b").
using Locator = std::function<std::string(std::string_view pointer)>;

// Checks `value` against `schema` (ValuesSchema() or a test's own) and returns one line per
// problem: "WHERE: unknown key a.b (did you mean a.c?)", "WHERE: a.b: expected boolean, got
// string \"yes\"". Empty when valid.
std::vector<std::string> ValidateValues(const nlohmann::json& schema, const nlohmann::json& value,
                                        const Locator& where);
// The same for a parsed file, located through its positions.
std::vector<std::string> ValidateDocument(const yaml::Document& doc);

// Adds every default the schema declares that `value` lacks: objects of the schema appear
// (with their defaulted members) even when the user wrote none, so readers can index by key
// path without checking; list items get their items' defaults. `value` must already be valid.
void FillDefaults(const nlohmann::json& schema, nlohmann::json& value);

// The markdown reference of every key: one table per top-level section, with type, default
// and description. docs/values.md holds it between the two markers below (a test keeps it
// current: VC_UPDATE_DOCS=1 rewrites it).
std::string RenderReference(const nlohmann::json& schema);
inline constexpr std::string_view kReferenceBegin = "<!-- BEGIN GENERATED REFERENCE -->";
inline constexpr std::string_view kReferenceEnd = "<!-- END GENERATED REFERENCE -->";

}  // namespace vc::cli::values
