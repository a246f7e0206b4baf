// SPDX-License-Identifier: Apache-2.0
// JSON -> YAML text. Written by hand rather than with YAML::Emitter because what must be quoted
// depends on how *Kubernetes* types a plain scalar (yaml_scalar.h): "yes", "on" and "0o17" are
// strings to yaml-cpp's emitter but booleans and integers to kubectl.
#include <cmath>
#include <string>

#include "vc/yaml.h"
#include "yaml_scalar.h"

namespace vc::yaml {
namespace {

using nlohmann::json;

bool IsControl(unsigned char c) { return c < 0x20 || c == 0x7f; }

// Unicode line/paragraph separators, NEL and BOM: YAML readers treat them specially.
bool HasUnicodeSpecial(std::string_view s) {
  return s.find("\xC2\x85") != std::string_view::npos ||
         s.find("\xE2\x80\xA8") != std::string_view::npos ||
         s.find("\xE2\x80\xA9") != std::string_view::npos ||
         s.find("\xEF\xBB\xBF") != std::string_view::npos;
}

bool CanBePlain(std::string_view s) {
  if (s.empty()) return false;
  if (internal::ResolvePlain(s) || internal::LooksLikeTimestamp(s)) return false;
  if (s == "<<" || s == "=") return false;  // merge key / YAML 1.1 value key
  if (s.substr(0, 3) == "---" || s.substr(0, 3) == "...") return false;
  char first = s.front();
  if (std::string_view(",[]{}#&*!|>'\"%@` \t").find(first) != std::string_view::npos) {
    return false;
  }
  // "-x", "?x", ":x" are plain scalars; "- x", "? x", ": x" and a lone indicator are not.
  if (first == '-' || first == '?' || first == ':') {
    if (s.size() == 1 || s[1] == ' ') return false;
  }
  if (s.back() == ' ' || s.back() == ':') return false;
  if (s.find(": ") != std::string_view::npos || s.find(" #") != std::string_view::npos) {
    return false;
  }
  for (unsigned char c : s) {
    if (IsControl(c)) return false;  // includes \t and \n
  }
  return !HasUnicodeSpecial(s);
}

// A literal block keeps text exactly; it cannot carry control characters, and trailing spaces on
// a line are too easily lost by editors and other tools, so those go double-quoted instead.
bool CanBeLiteral(std::string_view s) {
  if (s.find('\n') == std::string_view::npos) return false;
  if (s.find_first_not_of(" \t\n") == std::string_view::npos) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\n' || c == '\t') continue;
    if (IsControl(c)) return false;
  }
  for (size_t i = 0; i < s.size(); ++i) {
    bool line_end = i + 1 == s.size() || s[i + 1] == '\n';
    if ((s[i] == ' ' || s[i] == '\t') && line_end) return false;
  }
  if (s.front() == '\t') return false;
  return !HasUnicodeSpecial(s);
}

std::string DoubleQuoted(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\0':
        out += "\\0";
        break;
      default:
        if (IsControl(c)) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x85) {
          // Not \N: yaml-cpp reads that back as the lone byte 0x85, which is not UTF-8.
          out += "\\u0085";
          ++i;
        } else if (c == 0xE2 && s.substr(i, 3) == "\xE2\x80\xA8") {
          out += "\\L";
          i += 2;
        } else if (c == 0xE2 && s.substr(i, 3) == "\xE2\x80\xA9") {
          out += "\\P";
          i += 2;
        } else if (c == 0xEF && s.substr(i, 3) == "\xEF\xBB\xBF") {
          out += "\\uFEFF";
          i += 2;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  return out;
}

std::string Spaces(int n) { return std::string(static_cast<size_t>(n), ' '); }

// Literal block: header ("|", "|-", "|+", with "2" when the text starts with a space) and the
// lines at `indent`.
std::string Literal(std::string_view s, int indent) {
  size_t trailing = 0;
  while (trailing < s.size() && s[s.size() - 1 - trailing] == '\n') ++trailing;
  std::string header = "|";
  size_t first_text = s.find_first_not_of('\n');
  if (s[first_text] == ' ') header += "2";
  if (trailing == 0) header += "-";
  if (trailing > 1) header += "+";
  std::string out = header + "\n";
  std::string_view body = s.substr(0, s.size() - trailing);
  size_t start = 0;
  for (;;) {
    size_t end = body.find('\n', start);
    std::string_view line = body.substr(start, end == std::string_view::npos ? end : end - start);
    if (!line.empty()) out += Spaces(indent) + std::string(line);
    out += "\n";
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  for (size_t i = 1; i < trailing; ++i) out += "\n";
  return out;
}

// YAML limits an implicit key (`key: value`) to 1024 characters, yaml-cpp counting from the
// key's start to its ':'; a longer key is written explicitly (`? "key"` then `: value`).
constexpr size_t kMaxImplicitKey = 1000;

// The key and its ':' (without what follows the colon), at column `indent`.
std::string Key(const std::string& key, int indent) {
  std::string text = CanBePlain(key) ? key : DoubleQuoted(key);
  if (text.size() <= kMaxImplicitKey) return text + ":";
  return "? " + DoubleQuoted(key) + "\n" + Spaces(indent) + ":";
}

// A scalar (or empty collection) and its line end. `indent` is where block text goes.
std::string Scalar(const json& v, int indent) {
  switch (v.type()) {
    case json::value_t::null:
      return "null\n";
    case json::value_t::boolean:
      return v.get<bool>() ? "true\n" : "false\n";
    case json::value_t::number_float: {
      double d = v.get<double>();
      if (std::isnan(d)) return ".nan\n";
      if (std::isinf(d)) return d > 0 ? ".inf\n" : "-.inf\n";
      return v.dump() + "\n";
    }
    case json::value_t::string: {
      const auto& s = v.get_ref<const std::string&>();
      if (CanBePlain(s)) return s + "\n";
      if (CanBeLiteral(s)) return Literal(s, indent);
      return DoubleQuoted(s) + "\n";
    }
    case json::value_t::object:
      return "{}\n";
    case json::value_t::array:
      return "[]\n";
    case json::value_t::binary:
      return DoubleQuoted("<binary>") + "\n";
    default:
      return v.dump() + "\n";  // integers
  }
}

bool IsBlockCollection(const json& v) { return (v.is_object() || v.is_array()) && !v.empty(); }

// Writes a non-empty collection whose first line starts at the current position, which is
// column `indent`; later lines are indented by `indent`.
void Block(const json& v, int indent, std::string* out) {
  bool first = true;
  if (v.is_object()) {
    for (const auto& [key, value] : v.items()) {
      if (!first) *out += Spaces(indent);
      first = false;
      *out += Key(key, indent);
      if (value.is_object() && !value.empty()) {
        *out += "\n" + Spaces(indent + 2);
        Block(value, indent + 2, out);
      } else if (value.is_array() && !value.empty()) {
        *out += "\n" + Spaces(indent);  // kubectl's layout: "- " level with the key
        Block(value, indent, out);
      } else {
        *out += " " + Scalar(value, indent + 2);
      }
    }
    return;
  }
  for (const auto& item : v) {
    if (!first) *out += Spaces(indent);
    first = false;
    *out += "- ";
    if (IsBlockCollection(item)) {
      Block(item, indent + 2, out);
    } else {
      *out += Scalar(item, indent + 2);
    }
  }
}

}  // namespace

std::string Dump(const nlohmann::json& value) {
  if (!IsBlockCollection(value)) return Scalar(value, 2);
  std::string out;
  Block(value, 0, &out);
  return out;
}

std::string DumpAll(const std::vector<nlohmann::json>& values) {
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += "---\n";
    out += Dump(values[i]);
  }
  return out;
}

}  // namespace vc::yaml
