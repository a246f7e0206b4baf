// SPDX-License-Identifier: Apache-2.0
// Validation against our JSON Schema subset (see schema.h), written for the messages: every
// problem is collected, each names where it was written and the key path, and misspellings get
// the closest valid key or value.
#include <regex.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "values/schema_keywords.h"
#include "values/suggest.h"
#include "vc/cli/values/schema.h"
#include "vc/utf8.h"

namespace vc::cli::values {
namespace {

using internal::HasType;
using internal::TypeWord;
using nlohmann::json;

std::string Describe(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return std::string("boolean ") + value.dump();
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "integer " + value.dump();
    case json::value_t::number_float:
      return "number " + value.dump();
    case json::value_t::object:
      return "map";
    case json::value_t::array:
      return "list";
    default:
      break;
  }
  std::string text = value.get<std::string>();
  // Shortened on a character boundary: half a character would make the message (and the JSON
  // of -o json errors) invalid UTF-8.
  if (text.size() > 40) text = std::string(utf8::Truncate(text, 37)) + "...";
  return "string " + json(text).dump();
}

// POSIX extended regular expressions rather than std::regex: JSON Schema specifies ECMAScript,
// but our patterns keep to the subset both share, and libstdc++'s <regex> trips GCC 12's
// -Wmaybe-uninitialized under the sanitizer build (a false positive that -Werror makes fatal).
// Each pattern is compiled once per thread: a map of a thousand quantities would otherwise
// compile the same expression a thousand times.
class CompiledPatterns {
 public:
  ~CompiledPatterns() {
    for (auto& [pattern, re] : compiled_) {
      if (re) regfree(&*re);
    }
  }
  // nullptr when the pattern does not compile (then nothing matches).
  const regex_t* Get(const std::string& pattern) {
    auto [it, inserted] = compiled_.try_emplace(pattern);
    if (inserted) {
      it->second.emplace();
      if (regcomp(&*it->second, pattern.c_str(), REG_EXTENDED | REG_NOSUB) != 0) {
        it->second.reset();
      }
    }
    return it->second ? &*it->second : nullptr;
  }

 private:
  std::map<std::string, std::optional<regex_t>> compiled_;
};

bool PatternMatches(const std::string& pattern, const std::string& text) {
  // regexec reads a C string: the part after a NUL ("ok\0; rm -rf") would go unchecked.
  if (text.find('\0') != std::string::npos) return false;
  thread_local CompiledPatterns patterns;
  const regex_t* re = patterns.Get(pattern);
  return re != nullptr && regexec(re, text.c_str(), 0, nullptr, 0) == 0;
}

std::string Member(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

// Every property path of the schema ("sync.toHost.pods", "isolation.sharedServices[].name"),
// for suggesting a key that exists, just not where the user put it.
void CollectPaths(const json& root, const json& schema, const std::string& path, int depth,
                  std::vector<std::pair<std::string, std::string>>& out) {
  if (depth > 12) return;  // guards against a recursive $ref; ours nest 6 deep
  if (const json* props = internal::Keyword(root, schema, "properties")) {
    for (const auto& [key, sub] : props->items()) {
      out.emplace_back(key, Member(path, key));
      CollectPaths(root, sub, Member(path, key), depth + 1, out);
    }
  }
  if (const json* items = internal::Keyword(root, schema, "items")) {
    CollectPaths(root, *items, path + "[]", depth + 1, out);
  }
}

class Validator {
 public:
  // Each error with the pointer it is about, so a caller can order them by position.
  using Errors = std::vector<std::pair<std::string, std::string>>;

  Validator(const json& root, const Locator& where, Errors& errors)
      : root_(root), where_(where), errors_(errors) {}

  void Check(const json& schema, const json& value, const std::string& pointer,
             const std::string& path) {
    if (const json* one_of = Keyword(schema, "oneOf")) CheckOneOf(*one_of, value, pointer, path);
    if (const json* type = Keyword(schema, "type"); type && !TypeMatches(*type, value)) {
      return Error(pointer,
                   Prefix(path) + "expected " + TypeList(*type) + ", got " + Describe(value));
    }
    if (const json* allowed = Keyword(schema, "enum")) {
      if (std::find(allowed->begin(), allowed->end(), value) == allowed->end()) {
        return Error(pointer, Prefix(path) + EnumMessage(*allowed, value));
      }
    }
    if (value.is_string()) CheckString(schema, value.get<std::string>(), pointer, path);
    if (value.is_number()) CheckNumber(schema, value, pointer, path);
    if (value.is_object()) CheckObject(schema, value, pointer, path);
    if (value.is_array()) {
      if (const json* items = Keyword(schema, "items")) {
        for (size_t i = 0; i < value.size(); ++i) {
          Check(*items, value[i], pointer + "/" + std::to_string(i),
                path + "[" + std::to_string(i) + "]");
        }
      }
    }
  }

 private:
  const json* Keyword(const json& schema, std::string_view key) const {
    return internal::Keyword(root_, schema, key);
  }
  void Error(const std::string& pointer, const std::string& message) {
    errors_.emplace_back(pointer, where_(pointer) + ": " + message);
  }
  static std::string Prefix(const std::string& path) {
    return (path.empty() ? std::string("values") : path) + ": ";
  }
  static bool TypeMatches(const json& type, const json& value) {
    if (type.is_string()) return HasType(value, type.get<std::string>());
    for (const json& t : type) {
      if (t.is_string() && HasType(value, t.get<std::string>())) return true;
    }
    return false;
  }
  static std::string TypeList(const json& type) {
    if (type.is_string()) return TypeWord(type.get<std::string>());
    std::string out;
    for (const json& t : type) out += (out.empty() ? "" : " or ") + TypeWord(t.get<std::string>());
    return out;
  }
  static std::string EnumMessage(const json& allowed, const json& value) {
    std::string list;
    std::vector<std::string> words;
    for (const json& a : allowed) {
      list += (list.empty() ? "" : ", ") + a.dump();
      if (a.is_string()) words.push_back(a.get<std::string>());
    }
    std::string message = value.dump() + " is not one of " + list;
    if (value.is_string()) {
      if (auto best = internal::ClosestMatch(value.get<std::string>(), words)) {
        message += " (did you mean " + *best + "?)";
      }
    }
    return message;
  }

  void CheckString(const json& schema, const std::string& text, const std::string& pointer,
                   const std::string& path) {
    const json* pattern = Keyword(schema, "pattern");
    if (!pattern) return;
    if (PatternMatches(pattern->get<std::string>(), text)) return;
    const json* title = Keyword(schema, "title");
    Error(pointer,
          Prefix(path) + json(text).dump() + " is not " +
              (title ? title->get<std::string>() : "of the form " + pattern->get<std::string>()));
  }

  void CheckNumber(const json& schema, const json& value, const std::string& pointer,
                   const std::string& path) {
    const double number = value.get<double>();
    if (const json* min = Keyword(schema, "minimum"); min && number < min->get<double>()) {
      Error(pointer, Prefix(path) + "must be at least " + min->dump() + ", got " + value.dump());
    }
    if (const json* max = Keyword(schema, "maximum"); max && number > max->get<double>()) {
      Error(pointer, Prefix(path) + "must be at most " + max->dump() + ", got " + value.dump());
    }
  }

  void CheckObject(const json& schema, const json& value, const std::string& pointer,
                   const std::string& path) {
    if (const json* required = Keyword(schema, "required")) {
      for (const json& key : *required) {
        if (!value.contains(key.get<std::string>())) {
          Error(pointer, Prefix(path) + "missing required key " + key.get<std::string>());
        }
      }
    }
    const json* props = Keyword(schema, "properties");
    const json* additional = Keyword(schema, "additionalProperties");
    for (const auto& [key, member] : value.items()) {
      std::string child_pointer = pointer + "/" + yaml::EscapePointerToken(key);
      std::string child_path = Member(path, key);
      if (props && props->contains(key)) {
        // null is how a file or --set says "back to the default" (as in helm).
        if (!member.is_null()) Check((*props)[key], member, child_pointer, child_path);
      } else if (additional && additional->is_object()) {
        Check(*additional, member, child_pointer, child_path);
      } else if (additional && additional->is_boolean() && !additional->get<bool>()) {
        Error(child_pointer, UnknownKey(props, key, path));
      }
    }
  }

  std::string UnknownKey(const json* props, const std::string& key, const std::string& path) {
    std::string message = "unknown key " + Member(path, key);
    std::vector<std::string> names;
    if (props) {
      for (const auto& [name, unused] : props->items()) names.push_back(name);
    }
    if (auto best = internal::ClosestMatch(key, names)) {
      return message + " (did you mean " + Member(path, *best) + "?)";
    }
    // The key may exist elsewhere: `sync.toHost.nodes` is sync.fromHost.nodes.
    if (all_paths_.empty()) CollectPaths(root_, root_, "", 0, all_paths_);
    for (const auto& [name, full] : all_paths_) {
      if (SameIgnoringCase(name, key) && full.find("[]") == std::string::npos) {
        return message + " (did you mean " + full + "?)";
      }
    }
    if (names.empty()) return message;
    std::string valid;
    for (const std::string& name : names) valid += (valid.empty() ? "" : ", ") + name;
    return message + " (valid keys: " + valid + ")";
  }

  // oneOf in our schema is either "one of these types" (a quantity is a number or a string) or
  // "exactly one of these key sets" (a shared service names a service or a cidr). The messages
  // differ, so the kind is read off the branches.
  void CheckOneOf(const json& branches, const json& value, const std::string& pointer,
                  const std::string& path) {
    std::vector<Errors> branch_errors;
    size_t matches = 0;
    for (const json& branch : branches) {
      Errors errors;
      Validator(root_, where_, errors).Check(branch, value, pointer, path);
      matches += errors.empty() ? 1 : 0;
      branch_errors.push_back(std::move(errors));
    }
    if (matches == 1) return;
    bool typed = std::all_of(branches.begin(), branches.end(),
                             [&](const json& b) { return Keyword(b, "type") != nullptr; });
    if (!typed) {
      std::string sets;
      for (const json& branch : branches) {
        std::string keys;
        if (const json* required = Keyword(branch, "required")) {
          for (const json& k : *required) {
            keys += (keys.empty() ? "" : " and ") + k.get<std::string>();
          }
        }
        sets += (sets.empty() ? "" : ", or ") + keys;
      }
      return Error(pointer, Prefix(path) + "set exactly one of: " + sets);
    }
    // Exactly one branch of the value's type: its own complaint is the most precise one
    // ("8 GB" is not a quantity), unless it is an enum, where the alternatives read better.
    std::vector<size_t> same_type;
    std::string expected;
    for (size_t i = 0; i < branches.size(); ++i) {
      const json& branch = branches[i];
      if (TypeMatches(*Keyword(branch, "type"), value)) same_type.push_back(i);
      const json* allowed = Keyword(branch, "enum");
      std::string word = allowed ? (*allowed)[0].dump() : TypeList(*Keyword(branch, "type"));
      expected += (expected.empty() ? "" : " or ") + word;
    }
    if (same_type.size() == 1 && !Keyword(branches[same_type[0]], "enum")) {
      for (auto& e : branch_errors[same_type[0]]) errors_.push_back(std::move(e));
      return;
    }
    Error(pointer, Prefix(path) + "expected " + expected + ", got " + Describe(value));
  }

  static bool SameIgnoringCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
             return std::tolower(x) == std::tolower(y);
           });
  }

  const json& root_;
  const Locator& where_;
  Errors& errors_;
  std::vector<std::pair<std::string, std::string>> all_paths_;  // CollectPaths, when needed
};

Validator::Errors Collect(const json& schema, const json& value, const Locator& where) {
  Validator::Errors errors;
  // An empty file is no values at all, which is valid.
  if (!value.is_null()) Validator(schema, where, errors).Check(schema, value, "", "");
  return errors;
}

}  // namespace

std::vector<std::string> ValidateValues(const nlohmann::json& schema, const nlohmann::json& value,
                                        const Locator& where) {
  std::vector<std::string> out;
  for (auto& [pointer, message] : Collect(schema, value, where)) out.push_back(std::move(message));
  return out;
}

std::vector<std::string> ValidateDocument(const yaml::Document& doc) {
  Locator where = [&doc](std::string_view pointer) { return doc.Where(pointer); };
  auto errors = Collect(ValuesSchema(), doc.value, where);
  // Maps are walked in key order; a user reads a file top to bottom.
  std::stable_sort(errors.begin(), errors.end(), [&doc](const auto& a, const auto& b) {
    yaml::Position pa = doc.PositionOf(a.first), pb = doc.PositionOf(b.first);
    return std::tie(pa.line, pa.column) < std::tie(pb.line, pb.column);
  });
  std::vector<std::string> out;
  for (auto& [pointer, message] : errors) out.push_back(std::move(message));
  return out;
}

}  // namespace vc::cli::values
