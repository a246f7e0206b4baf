// SPDX-License-Identifier: Apache-2.0
// YAML text -> nlohmann::json with positions. yaml-cpp builds the node tree (it keeps duplicate
// keys and every node's mark); typing scalars is ours (yaml_scalar.cpp), because yaml-cpp
// leaves plain scalars untyped and Kubernetes' typing is not YAML 1.2's.
#include "vc/yaml.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <utility>

#include "vc/read_file.h"
#include "vc/utf8.h"
#include "yaml_scalar.h"

namespace vc::yaml {
namespace {

using nlohmann::json;
using Positions = std::map<std::string, Position>;

// Deep enough for any Kubernetes object; shallow enough that a self-referencing alias or a
// hostile file cannot exhaust the stack.
constexpr int kMaxDepth = 256;
// Aliases can make a small file expand exponentially ("billion laughs"). Without aliases a
// document has fewer nodes than bytes; expanding them may multiply that (go-yaml limits its
// alias ratio too), but never past kMaxNodes, which a fuzzer reaches in well under a second.
constexpr long kMaxNodes = 1'000'000;
long NodeBudget(size_t text_bytes) {
  return std::min<long>(kMaxNodes, 10'000 + 10 * static_cast<long>(text_bytes));
}

constexpr std::string_view kPlainTag = "?";
constexpr std::string_view kNonPlainTag = "!";  // quoted or block scalar

Position ToPosition(const YAML::Mark& mark) {
  if (mark.is_null() || mark.line < 0 || mark.column < 0) return {};
  return {mark.line + 1, mark.column + 1};
}

std::string At(std::string_view source, const YAML::Mark& mark) {
  Position p = ToPosition(mark);
  if (p.line == 0) return std::string(source);
  return std::string(source) + ":" + std::to_string(p.line) + ":" + std::to_string(p.column);
}

// yaml-cpp's messages quote the input byte by byte ("unknown escape character: " and the first
// byte of a multi-byte character): written as \xNN where that is not whole UTF-8.
Status YamlCppError(std::string_view source, const YAML::Exception& e) {
  return InvalidArgument(At(source, e.mark) + ": " + utf8::Escape(e.msg));
}

// What JSON member name a mapping key becomes: Kubernetes converts typed keys to their text.
std::string KeyText(const json& key) {
  if (key.is_string()) return key.get<std::string>();
  if (key.is_null()) return "null";
  if (key.is_number_float()) {
    std::string s = key.dump();  // shortest round-trip form, "1.0" for 1
    if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
    return s;
  }
  return key.dump();  // bool, integers
}

// yaml-cpp (0.7) writes the escapes \N and \_ of a double-quoted scalar as the single bytes
// 0x85 and 0xA0, which are not UTF-8 (nlohmann::json would throw on them later). The input was
// checked to be UTF-8, so such a byte where a character should start can only come from those
// escapes: it becomes the character it stands for (U+0085, U+00A0). False when something else
// is not UTF-8.
bool RepairEscapedBytes(std::string* text) {
  if (utf8::IsValid(*text)) return true;
  std::string out;
  std::string_view rest(*text);
  while (!rest.empty()) {
    const size_t bad = utf8::FirstInvalid(rest);
    if (bad == std::string_view::npos) {
      out += rest;
      break;
    }
    out += rest.substr(0, bad);
    const auto byte = static_cast<unsigned char>(rest[bad]);
    if (byte != 0x85 && byte != 0xA0) return false;
    out += '\xC2';
    out += static_cast<char>(byte);
    rest.remove_prefix(bad + 1);
  }
  *text = std::move(out);
  return true;
}

class Converter {
 public:
  Converter(std::string_view source, long max_nodes) : source_(source), max_nodes_(max_nodes) {}

  Status Convert(const YAML::Node& node, const std::string& pointer, int depth, json* out,
                 Positions* positions) {
    if (depth > kMaxDepth) {
      return Error(node.Mark(), "nesting deeper than " + std::to_string(kMaxDepth) +
                                    " levels (a recursive alias?)");
    }
    if (++nodes_ > max_nodes_) {
      return Error(node.Mark(), "document too large after expanding aliases (more than " +
                                    std::to_string(max_nodes_) +
                                    " values); use fewer aliases (*name) or merge keys (<<)");
    }
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        *out = nullptr;
        return Status::Ok();
      case YAML::NodeType::Scalar:
        return Scalar(node, out);
      case YAML::NodeType::Sequence: {
        *out = json::array();
        size_t i = 0;
        for (const auto& item : node) {
          std::string child = pointer + "/" + std::to_string(i++);
          Record(positions, child, item.Mark());
          json value;
          RETURN_IF_ERROR(Convert(item, child, depth + 1, &value, positions));
          out->push_back(std::move(value));
        }
        return Status::Ok();
      }
      case YAML::NodeType::Map:
        return Mapping(node, pointer, depth, out, positions);
    }
    return Error(node.Mark(), "unexpected node type");
  }

  Status Error(const YAML::Mark& mark, const std::string& cause) const {
    return InvalidArgument(At(source_, mark) + ": " + cause);
  }

 private:
  static void Record(Positions* positions, const std::string& pointer, const YAML::Mark& mark) {
    Position p = ToPosition(mark);
    if (p.line > 0) positions->emplace(pointer, p);
  }

  static bool IsMergeKey(const YAML::Node& key) {
    return key.IsScalar() && key.Tag() == kPlainTag && key.Scalar() == "<<";
  }

  Status Scalar(const YAML::Node& node, json* out) const {
    const std::string& tag = node.Tag();
    std::string text = node.Scalar();
    if (!RepairEscapedBytes(&text)) {
      return Error(node.Mark(), "the value is not valid UTF-8 (save the file as UTF-8)");
    }
    if (tag == kNonPlainTag) {
      *out = text;
      return Status::Ok();
    }
    if (tag == kPlainTag || tag.empty()) {
      auto resolved = internal::ResolvePlain(text);
      if (!resolved) {
        *out = text;
        return Status::Ok();
      }
      if (resolved->is_number_float() && !std::isfinite(resolved->get<double>())) {
        return Error(node.Mark(), "\"" + text +
                                      "\" is not a finite number; JSON cannot hold it"
                                      " (quote it for a string)");
      }
      *out = std::move(*resolved);
      return Status::Ok();
    }
    auto resolved = internal::ResolveTagged(tag, text);
    if (!resolved || (resolved->is_number_float() && !std::isfinite(resolved->get<double>()))) {
      std::string short_tag = tag;
      if (short_tag.rfind("tag:yaml.org,2002:", 0) == 0) short_tag = "!!" + short_tag.substr(18);
      return Error(node.Mark(), "cannot read \"" + text + "\" as " + short_tag);
    }
    *out = std::move(*resolved);
    return Status::Ok();
  }

  StatusOr<std::string> Key(const YAML::Node& key) const {
    if (key.IsNull()) return std::string("null");
    if (!key.IsScalar()) return Error(key.Mark(), "a mapping key must be a scalar");
    json value;
    RETURN_IF_ERROR(Scalar(key, &value));
    return KeyText(value);
  }

  Status Mapping(const YAML::Node& node, const std::string& pointer, int depth, json* out,
                 Positions* positions) {
    *out = json::object();
    std::map<std::string, int> first_line;
    std::vector<YAML::Node> merge_values;
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (IsMergeKey(it->first)) {
        merge_values.push_back(it->second);
        continue;
      }
      ASSIGN_OR_RETURN(std::string key, Key(it->first));
      int line = ToPosition(it->first.Mark()).line;
      auto [seen, inserted] = first_line.emplace(key, line);
      if (!inserted) {
        return Error(it->first.Mark(), "duplicate key \"" + key + "\" (already defined at line " +
                                           std::to_string(seen->second) + ")");
      }
      std::string child = pointer + "/" + EscapePointerToken(key);
      Record(positions, child, it->first.Mark());
      json value;
      RETURN_IF_ERROR(Convert(it->second, child, depth + 1, &value, positions));
      (*out)[key] = std::move(value);
    }
    // Merge keys (<<: *base or <<: [*a, *b]): explicit keys win, then earlier sources win.
    for (const YAML::Node& merge : merge_values) {
      std::vector<YAML::Node> sources;
      if (merge.IsSequence()) {
        for (const auto& s : merge) sources.push_back(s);
      } else {
        sources.push_back(merge);
      }
      for (const YAML::Node& src : sources) {
        if (!src.IsMap()) return Error(src.Mark(), "a merge key (<<) needs a mapping to merge");
        json merged;
        Positions merged_positions;
        RETURN_IF_ERROR(Convert(src, pointer, depth + 1, &merged, &merged_positions));
        for (auto& [key, value] : merged.items()) {
          if (out->contains(key)) continue;
          (*out)[key] = value;
          std::string child = pointer + "/" + EscapePointerToken(key);
          for (auto p = merged_positions.lower_bound(child);
               p != merged_positions.end() && p->first.compare(0, child.size(), child) == 0; ++p) {
            if (p->first.size() == child.size() || p->first[child.size()] == '/') {
              positions->emplace(p->first, p->second);
            }
          }
        }
      }
    }
    return Status::Ok();
  }

  std::string_view source_;
  long max_nodes_;
  long nodes_ = 0;
};

// Only where each document starts (see CheckDocumentsAdvance).
class DocumentStarts : public YAML::EventHandler {
 public:
  YAML::Mark start;
  void OnDocumentStart(const YAML::Mark& mark) override { start = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

// yaml-cpp's LoadAll (0.7) loops forever, adding a null document per turn, when a document
// starts with a token that begins no node, such as a stray ',' outside [ ] and { }: the parser
// reports the same document again without consuming anything. An events-only pass finds that
// first (a document starting where the previous one started) and says what is wrong.
Status CheckDocumentsAdvance(const std::string& text, std::string_view source) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentStarts events;
  int previous = -1;
  while (parser.HandleNextDocument(events)) {
    if (events.start.pos == previous) {
      const size_t at = static_cast<size_t>(std::max(previous, 0));
      const std::string what = at < text.size() ? "'" + utf8::Escape(std::string(1, text[at])) + "'"
                                                : std::string("character");
      return InvalidArgument(At(source, events.start) + ": unexpected " + what +
                             " where a value should start (a ',' separates items only inside "
                             "[ ] or { }; quote a value that starts with it)");
    }
    previous = events.start.pos;
  }
  return Status::Ok();
}

StatusOr<std::vector<Document>> Load(std::string_view text, std::string_view source,
                                     bool only_one) {
  // Kubernetes (go-yaml) reads only UTF-8 too; checking here gives the position.
  if (size_t bad = utf8::FirstInvalid(text); bad != std::string_view::npos) {
    utf8::TextPosition p = utf8::PositionOf(text, bad);
    return InvalidArgument(std::string(source) + ":" + std::to_string(p.line) + ":" +
                           std::to_string(p.column) + ": not valid UTF-8 (save the file as UTF-8)");
  }
  const std::string input(text);
  std::vector<YAML::Node> nodes;
  try {
    RETURN_IF_ERROR(CheckDocumentsAdvance(input, source));
    nodes = YAML::LoadAll(input);
  } catch (const YAML::Exception& e) {
    return YamlCppError(source, e);
  } catch (const std::exception& e) {
    return InvalidArgument(std::string(source) + ": " + utf8::Escape(e.what()));
  }
  std::vector<Document> docs;
  for (const YAML::Node& node : nodes) {
    if (node.IsNull()) continue;
    if (only_one && !docs.empty()) {
      return InvalidArgument(At(source, node.Mark()) +
                             ": expected one YAML document, found another (remove the '---')");
    }
    Document doc;
    doc.source = std::string(source);
    Converter converter(source, NodeBudget(text.size()));
    try {
      Position root = ToPosition(node.Mark());
      if (root.line > 0) doc.positions.emplace("", root);
      RETURN_IF_ERROR(converter.Convert(node, "", 0, &doc.value, &doc.positions));
    } catch (const YAML::Exception& e) {
      return YamlCppError(source, e);
    }
    docs.push_back(std::move(doc));
  }
  return docs;
}

}  // namespace

Position Document::PositionOf(std::string_view pointer) const {
  std::string p(pointer);
  for (;;) {
    if (auto it = positions.find(p); it != positions.end()) return it->second;
    if (p.empty()) return {};
    p.resize(p.rfind('/') == std::string::npos ? 0 : p.rfind('/'));
  }
}

std::string Document::Where(std::string_view pointer) const {
  Position p = PositionOf(pointer);
  if (p.line == 0) return source;
  return source + ":" + std::to_string(p.line) + ":" + std::to_string(p.column);
}

Status Document::ErrorAt(std::string_view pointer, std::string_view cause) const {
  return InvalidArgument(Where(pointer) + ": " + std::string(cause));
}

StatusOr<Document> Parse(std::string_view text, std::string_view source) {
  ASSIGN_OR_RETURN(std::vector<Document> docs, Load(text, source, /*only_one=*/true));
  if (docs.empty()) {
    Document empty;
    empty.source = std::string(source);
    return empty;
  }
  return std::move(docs.front());
}

StatusOr<std::vector<Document>> ParseAll(std::string_view text, std::string_view source) {
  return Load(text, source, /*only_one=*/false);
}

StatusOr<Document> ParseFile(const std::string& path) {
  auto data = ReadWholeFile(path);
  if (!data.ok()) return data.status().Annotate("read");
  return Parse(*data, path);
}

StatusOr<std::vector<Document>> ParseAllFile(const std::string& path) {
  auto data = ReadWholeFile(path);
  if (!data.ok()) return data.status().Annotate("read");
  return ParseAll(*data, path);
}

std::string EscapePointerToken(std::string_view token) {
  std::string out;
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string PointerToDotted(std::string_view pointer) {
  std::string out;
  for (size_t i = 0; i < pointer.size(); ++i) {
    char c = pointer[i];
    if (c == '/') {
      if (i != 0) out += '.';
    } else if (c == '~' && i + 1 < pointer.size()) {
      out += pointer[++i] == '1' ? '/' : '~';
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace vc::yaml
