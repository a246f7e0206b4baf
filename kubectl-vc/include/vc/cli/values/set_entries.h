// SPDX-License-Identifier: Apache-2.0
// --set, in the subset of helm's syntax that values need:
//   a.b.c=v             dotted path; missing maps are created (a scalar in the way is replaced)
//   a.b[0].c=v, a[1]=v  list index; the list grows with nulls up to it
//   a=1,b=2             several assignments in one entry
//   \,  \.  \=  \\      a literal comma, dot (keys such as requests\.cpu), equals, backslash
// Values are typed as helm types them: true/false are booleans, null deletes the key, an
// integer without a leading zero is an integer, anything else (1.5, 0755, "") is a string.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "vc/status.h"

namespace vc::cli::values {

struct SetAssignment {
  std::string text;  // "a.b=c", as the user wrote this assignment (for error messages)
  // JSON pointer tokens, unescaped; an index is held as its decimal string and flagged.
  struct Segment {
    std::string key;
    bool is_index = false;
    size_t index = 0;
  };
  std::vector<Segment> path;
  nlohmann::json value;  // null: delete
};

// Splits one --set entry into its assignments. Errors are InvalidArgument("--set ENTRY: ...").
StatusOr<std::vector<SetAssignment>> ParseSetEntry(const std::string& entry);

// Applies one assignment to `values`. Returns the JSON pointers of every node it created or
// replaced (the leaf last), so callers can record where they came from.
StatusOr<std::vector<std::string>> ApplySetAssignment(const SetAssignment& assignment,
                                                      nlohmann::json& values);

}  // namespace vc::cli::values
