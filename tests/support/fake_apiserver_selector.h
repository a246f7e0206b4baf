// SPDX-License-Identifier: Apache-2.0
// Label and field selectors as the fake API server (fake_apiserver.h) evaluates them, with
// apimachinery's meaning: "k!=v" and "k notin (..)" also match objects without the label.
// Pure.
#pragma once

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace vc::testing::selector {

inline std::string Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return std::string(s);
}

// Splits at commas outside parentheses ("a in (x,y),b" -> "a in (x,y)", "b").
inline std::vector<std::string> Terms(std::string_view selector) {
  std::vector<std::string> out;
  int depth = 0;
  std::string term;
  for (char c : selector) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      if (!Trim(term).empty()) out.push_back(Trim(term));
      term.clear();
    } else {
      term.push_back(c);
    }
  }
  if (!Trim(term).empty()) out.push_back(Trim(term));
  return out;
}

// "(a, b)" -> {"a", "b"}.
inline std::vector<std::string> SetValues(std::string_view text) {
  const std::string inner = Trim(text);
  std::vector<std::string> out;
  if (inner.size() < 2 || inner.front() != '(' || inner.back() != ')') return out;
  for (const auto& v : Terms(std::string_view(inner).substr(1, inner.size() - 2))) {
    out.push_back(v);
  }
  return out;
}

inline bool Contains(const std::vector<std::string>& values, const std::string& v) {
  for (const auto& x : values) {
    if (x == v) return true;
  }
  return false;
}

// One term against the object's labels.
inline bool MatchesLabelTerm(const nlohmann::json& labels, const std::string& term) {
  auto value_of = [&](const std::string& key) -> const nlohmann::json* {
    auto it = labels.find(key);
    return it != labels.end() && it->is_string() ? &*it : nullptr;
  };
  if (term.front() == '!') return value_of(Trim(term.substr(1))) == nullptr;
  for (const char* op : {" notin ", " in "}) {
    if (auto at = term.find(op); at != std::string::npos) {
      const nlohmann::json* v = value_of(Trim(term.substr(0, at)));
      const bool in = v != nullptr &&
                      Contains(SetValues(term.substr(at + std::strlen(op))), v->get<std::string>());
      return op[1] == 'n' ? !in : in;
    }
  }
  if (auto at = term.find("!="); at != std::string::npos) {
    const nlohmann::json* v = value_of(Trim(term.substr(0, at)));
    return v == nullptr || *v != Trim(term.substr(at + 2));
  }
  if (auto at = term.find('='); at != std::string::npos) {
    const size_t skip = term.compare(at, 2, "==") == 0 ? 2 : 1;
    const nlohmann::json* v = value_of(Trim(term.substr(0, at)));
    return v != nullptr && *v == Trim(term.substr(at + skip));
  }
  return value_of(term) != nullptr;
}

inline bool MatchesLabels(const nlohmann::json& object, std::string_view selector) {
  static const nlohmann::json kNone = nlohmann::json::object();
  const nlohmann::json* labels = &kNone;
  if (auto p = "/metadata/labels"_json_pointer; object.contains(p) && object[p].is_object()) {
    labels = &object[p];
  }
  for (const auto& term : Terms(selector)) {
    if (!MatchesLabelTerm(*labels, term)) return false;
  }
  return true;
}

// The value at a dotted path ("metadata.name", "spec.nodeName") as a field selector compares
// it: strings as they are, other scalars as JSON text, absent as "".
inline std::string FieldValue(const nlohmann::json& object, const std::string& path) {
  const nlohmann::json* at = &object;
  size_t start = 0;
  while (start <= path.size()) {
    const size_t dot = std::min(path.find('.', start), path.size());
    const std::string key = path.substr(start, dot - start);
    if (!at->is_object() || !at->contains(key)) return "";
    at = &(*at)[key];
    start = dot + 1;
  }
  if (at->is_string()) return at->get<std::string>();
  return at->is_null() || at->is_structured() ? "" : at->dump();
}

inline bool MatchesFields(const nlohmann::json& object, std::string_view selector) {
  for (const auto& term : Terms(selector)) {
    const bool negated = term.find("!=") != std::string::npos;
    const size_t at = negated ? term.find("!=") : term.find('=');
    if (at == std::string::npos) return false;
    const size_t skip = negated || term.compare(at, 2, "==") == 0 ? 2 : 1;
    const bool equal = FieldValue(object, Trim(term.substr(0, at))) == Trim(term.substr(at + skip));
    if (equal == negated) return false;
  }
  return true;
}

}  // namespace vc::testing::selector
