// SPDX-License-Identifier: Apache-2.0
#include "yaml_scalar.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>

namespace vc::yaml::internal {
namespace {

constexpr std::string_view kTagPrefix = "tag:yaml.org,2002:";

std::optional<nlohmann::json> LookupWord(std::string_view s) {
  // go-yaml v2's table. YAML 1.1 booleans are in it, which is why `on:` is true in Kubernetes.
  static constexpr std::string_view kTrue[] = {"y",    "Y",    "yes", "Yes", "YES", "true",
                                               "True", "TRUE", "on",  "On",  "ON"};
  static constexpr std::string_view kFalse[] = {"n",     "N",     "no",  "No",  "NO", "false",
                                                "False", "FALSE", "off", "Off", "OFF"};
  static constexpr std::string_view kNull[] = {"", "~", "null", "Null", "NULL"};
  for (auto w : kTrue) {
    if (s == w) return nlohmann::json(true);
  }
  for (auto w : kFalse) {
    if (s == w) return nlohmann::json(false);
  }
  for (auto w : kNull) {
    if (s == w) return nlohmann::json(nullptr);
  }
  const double inf = std::numeric_limits<double>::infinity();
  if (s == ".nan" || s == ".NaN" || s == ".NAN") {
    return nlohmann::json(std::numeric_limits<double>::quiet_NaN());
  }
  for (std::string_view w : {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"}) {
    if (s == w) return nlohmann::json(inf);
  }
  for (std::string_view w : {"-.inf", "-.Inf", "-.INF"}) {
    if (s == w) return nlohmann::json(-inf);
  }
  return std::nullopt;
}

int DigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return 99;
}

// Go's strconv.ParseUint(s, 0, 64) without sign: 0x/0o/0b prefixes, leading 0 is octal.
std::optional<uint64_t> ParseUnsignedBase0(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int base = 10;
  if (s.size() >= 2 && s[0] == '0') {
    char p = s[1];
    if (p == 'x' || p == 'X') {
      base = 16;
      s.remove_prefix(2);
    } else if (p == 'o' || p == 'O') {
      base = 8;
      s.remove_prefix(2);
    } else if (p == 'b' || p == 'B') {
      base = 2;
      s.remove_prefix(2);
    } else {
      base = 8;
      s.remove_prefix(1);
    }
    if (s.empty()) return std::nullopt;
  }
  uint64_t v = 0;
  for (char c : s) {
    int d = DigitValue(c);
    if (d >= base) return std::nullopt;
    if (v > (std::numeric_limits<uint64_t>::max() - static_cast<uint64_t>(d)) / base) {
      return std::nullopt;  // out of range
    }
    v = v * base + static_cast<uint64_t>(d);
  }
  return v;
}

// Go's strconv.ParseInt(s, 0, 64), then ParseUint for values past int64 (as go-yaml does).
std::optional<nlohmann::json> ParseGoInteger(std::string_view s) {
  bool negative = false;
  std::string_view digits = s;
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  auto u = ParseUnsignedBase0(digits);
  if (!u) return std::nullopt;
  constexpr uint64_t kMaxInt = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (negative) {
    if (*u > kMaxInt + 1) return std::nullopt;
    if (*u == kMaxInt + 1) return nlohmann::json(std::numeric_limits<int64_t>::min());
    return nlohmann::json(-static_cast<int64_t>(*u));
  }
  if (*u <= kMaxInt) return nlohmann::json(static_cast<int64_t>(*u));
  if (s[0] == '+') return std::nullopt;  // ParseUint takes no sign
  return nlohmann::json(*u);
}

// go-yaml's yamlStyleFloat: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
bool IsYamlStyleFloat(std::string_view s) {
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i - start;
  };
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  } else {
    if (digits() == 0) return false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      digits();
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == s.size();
}

std::optional<nlohmann::json> ParseFloatText(std::string_view s) {
  if (!IsYamlStyleFloat(s)) return std::nullopt;
  std::string copy(s);
  return nlohmann::json(std::strtod(copy.c_str(), nullptr));
}

std::string WithoutUnderscores(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c != '_') out.push_back(c);
  }
  return out;
}

}  // namespace

std::optional<nlohmann::json> ResolvePlain(std::string_view text) {
  if (text.empty()) return nlohmann::json(nullptr);
  char c = text[0];
  bool sign_or_digit = c == '+' || c == '-' || (c >= '0' && c <= '9');
  bool in_table = std::string_view("yYnNtTfFoO~").find(c) != std::string_view::npos;
  if (!sign_or_digit && !in_table && c != '.') return std::nullopt;  // go-yaml's quick hint
  if (auto word = LookupWord(text)) return word;
  if (c == '.') return ParseFloatText(text);
  if (!sign_or_digit) return std::nullopt;
  if (LooksLikeTimestamp(text)) return std::nullopt;  // stays a string, see the header
  std::string plain = WithoutUnderscores(text);
  if (auto i = ParseGoInteger(plain)) return i;
  return ParseFloatText(plain);
}

std::optional<nlohmann::json> ResolveTagged(std::string_view tag, std::string_view text) {
  if (tag.substr(0, kTagPrefix.size()) != kTagPrefix) return nlohmann::json(std::string(text));
  std::string_view kind = tag.substr(kTagPrefix.size());
  if (kind == "int") {
    return ParseGoInteger(WithoutUnderscores(text));
  }
  if (kind == "float") {
    auto v = ResolvePlain(text);
    if (v && v->is_number()) return nlohmann::json(v->get<double>());
    return std::nullopt;
  }
  if (kind == "bool") {
    auto v = LookupWord(text);
    if (v && v->is_boolean()) return v;
    return std::nullopt;
  }
  if (kind == "null") {
    auto v = LookupWord(text);
    if (v && v->is_null()) return v;
    return std::nullopt;
  }
  // !!str, !!binary (kept as its base64 text), !!timestamp and anything else: the text.
  return nlohmann::json(std::string(text));
}

bool LooksLikeTimestamp(std::string_view text) {
  if (text.size() < 6) return false;
  for (int i = 0; i < 4; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  return text[4] == '-' && text[5] >= '0' && text[5] <= '9';
}

}  // namespace vc::yaml::internal
