// SPDX-License-Identifier: Apache-2.0
// Resolve: from what the user typed (--profile, -f files, --set entries) to the effective values
// every other module reads — one nlohmann::json, validated, defaults filled, "auto" decided:
//
//   ResolveInput in;
//   in.profile = "dev";
//   in.sources = {ValuesSource::File("dev-values.yaml")};
//   in.set_entries = {"isolation.trustLevel=partial"};
//   ASSIGN_OR_RETURN(ResolvedValues resolved, Resolve(in));
//
// Order (lowest first): schema defaults, the profile, each source in order, each --set entry in
// order. Maps deep-merge; lists and scalars replace; null removes a key (its default returns),
// as helm does. Every problem found is reported, not just the first: the Status message holds one
// `WHERE: ...` line per error (WHERE is file:line:column, `--set ENTRY` or `<profile P>:line`)
// and details() holds {"errors": [...], "warnings": [...]}.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "vc/status.h"

namespace vc::cli::values {

// One values document: a file read from disk, or text already in memory (stdin, tests).
struct ValuesSource {
  std::string name;                 // path, or the name errors use for `text`
  std::optional<std::string> text;  // when set, parsed instead of reading `name`

  static ValuesSource File(std::string path) { return {std::move(path), std::nullopt}; }
  static ValuesSource Text(std::string name, std::string text) {
    return {std::move(name), std::move(text)};
  }
};

struct ResolveInput {
  std::string profile;                   // empty: none; else one of ProfileNames()
  std::vector<ValuesSource> sources;     // -f/--values, in order
  std::vector<std::string> set_entries;  // --set, in order; each may hold a,b,c assignments
};

struct ResolvedValues {
  nlohmann::json values;              // the effective values
  std::vector<std::string> warnings;  // `WHERE: ...` lines worth showing on stderr
};

StatusOr<ResolvedValues> Resolve(const ResolveInput& input);

}  // namespace vc::cli::values
