// SPDX-License-Identifier: Apache-2.0
// YAML <-> JSON, the way Kubernetes reads YAML, with a source position for every value so that
// later validation can point at the line a user has to fix:
//
//   ASSIGN_OR_RETURN(vc::yaml::Document doc, vc::yaml::ParseFile("dev-values.yaml"));
//   ...
//   return doc.ErrorAt("/sync/toHost/pod", "unknown key sync.toHost.pod (did you mean ...?)");
//   // -> dev-values.yaml:12:5: unknown key sync.toHost.pod (did you mean ...?)
//
// Scalars are typed as Kubernetes types them (sigs.k8s.io/yaml, i.e. go-yaml v2, YAML 1.1
// flavoured), not as the YAML 1.2 core schema would: kubectl and the API server read our users'
// files that way, and a values file must mean the same to us as to them.
//   - plain y|Y|yes|Yes|YES|on|On|ON|true|True|TRUE are true; n|N|no|No|NO|off|Off|OFF|false|...
//     are false. Quote them ("yes") to keep a string.
//   - plain ""|~|null|Null|NULL are null.
//   - integers: decimal, 0x hex, 0o and leading-0 octal, 0b binary, '_' separators, +/- sign;
//     beyond int64 an unsigned 64-bit integer, beyond that a float.
//   - floats: 1.5, .5, 1e3, 1.5E-3; .inf/.nan are rejected (JSON cannot hold them).
//   - timestamps stay strings (as sigs.k8s.io/yaml leaves them).
//   - quoted and block (| >) scalars are always strings; explicit tags !!str !!int !!float
//     !!bool !!null are honoured (an impossible one is an error); unknown tags are ignored.
//   - mapping keys become JSON member names: a key that types as bool/int/float/null is written
//     the way Kubernetes writes it ("on:" becomes "true", "0x10:" becomes "16").
//   - merge keys (<<: *anchor) and aliases are expanded.
// Errors are InvalidArgument with the message `SOURCE:LINE:COLUMN: cause`, 1-based.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "vc/status.h"

namespace vc::yaml {

// 1-based; {0, 0} means unknown.
struct Position {
  int line = 0;
  int column = 0;
  bool operator==(const Position&) const = default;
};

// One parsed YAML document: the value, and where each part of it was written.
struct Document {
  nlohmann::json value;
  // The name errors use: a path, "<stdin>", "--set".
  std::string source;
  // JSON pointer (RFC 6901, "" is the root) -> position. For an object member this is where its
  // key starts (what a user looks for); for an array item, where the item starts.
  std::map<std::string, Position> positions;

  // Position of `pointer`, or of its closest ancestor that has one (a defaulted or missing key
  // is reported where its parent is).
  Position PositionOf(std::string_view pointer) const;
  // "SOURCE:LINE:COLUMN" for `pointer` (via PositionOf); just SOURCE when nothing is known.
  std::string Where(std::string_view pointer) const;
  // InvalidArgument("SOURCE:LINE:COLUMN: " + cause).
  Status ErrorAt(std::string_view pointer, std::string_view cause) const;
};

// Exactly one document (an empty text gives a null value). More than one is an error.
StatusOr<Document> Parse(std::string_view text, std::string_view source);
// Every document of a `---` stream. Empty documents (nothing, comments, or an explicit null)
// are skipped, as kubectl apply skips them.
StatusOr<std::vector<Document>> ParseAll(std::string_view text, std::string_view source);
// The same from a file; the path is the source. A missing or unreadable file is an error that
// names it (NotFound when it does not exist).
StatusOr<Document> ParseFile(const std::string& path);
StatusOr<std::vector<Document>> ParseAllFile(const std::string& path);

// JSON -> YAML text for `-o yaml`: block style, keys in the json's order, sequences under a key
// not indented (kubectl's layout), strings quoted only when they must be (they would read back
// as another type, are empty, or hold special characters), multi-line strings as literal `|`
// blocks. Parse(Dump(x)).value == x for every x without NaN/Inf. Ends with a newline.
std::string Dump(const nlohmann::json& value);
// Documents separated by "---\n".
std::string DumpAll(const std::vector<nlohmann::json>& values);

// JSON pointer helpers, for callers building pointers to look up.
std::string EscapePointerToken(std::string_view token);  // "a/b" -> "a~1b"
// "/sync/toHost/pods" -> "sync.toHost.pods", the dotted form errors show to users.
std::string PointerToDotted(std::string_view pointer);

}  // namespace vc::yaml
