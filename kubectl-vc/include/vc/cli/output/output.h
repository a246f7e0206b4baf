// SPDX-License-Identifier: Apache-2.0
// output/: what `-o` prints and how progress looks. Data goes to the stream passed in (stdout),
// progress to another (stderr); nothing here reads the cluster.
#pragma once

#include <chrono>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "vc/status.h"

namespace vc::cli::output {

enum class Format { kTable, kJson, kYaml, kName };

// "table|json|yaml|name" (`wide` is a table); anything else is an error naming the choices.
StatusOr<Format> ParseFormat(const std::string& text);

// Columns padded like kubectl's (3 spaces between, header in capitals as given).
void PrintTable(std::ostream& out, const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows);

// kubectl's AGE: 45s, 5m, 3h20m, 2d4h, 400d (rounded down, as `kubectl get` shows it).
std::string HumanDuration(std::chrono::seconds age);
// AGE of an RFC 3339 timestamp ("2026-11-24T05:00:00Z") relative to `now`; "<unknown>" if
// unparsable.
std::string Age(const std::string& rfc3339, std::chrono::system_clock::time_point now);
// Seconds since the epoch of an RFC 3339 timestamp; nullopt when unparsable.
std::optional<std::chrono::system_clock::time_point> ParseTime(const std::string& rfc3339);

// A list of objects as `kubectl get -o json|yaml` prints one: a v1 List with items.
void PrintList(std::ostream& out, Format format, const std::vector<nlohmann::json>& items);
void PrintObject(std::ostream& out, Format format, const nlohmann::json& object);
// Objects to apply (`create --dry-run`): yaml is a stream of documents, each after `---`, as
// `kubectl apply -f` and GitOps tools read; json a v1 List; name `kind/name` lines.
void PrintManifests(std::ostream& out, Format format, const std::vector<nlohmann::json>& items);

// Step-by-step progress on stderr: `Begin("Applying host objects")` prints a line, `Done()`
// ends it with ✓ and an optional detail, `Fail()` with ✗; `Note()` indents an extra line (a
// problem seen while waiting, a hint). One object per command; not thread-safe.
class Progress {
 public:
  explicit Progress(std::ostream& err) : err_(err) {}
  void Begin(const std::string& step);
  void Done(const std::string& detail = "");
  void Fail(const std::string& detail = "");
  void Note(const std::string& line);
  void Info(const std::string& line);  // a line of its own, not part of a step

 private:
  std::ostream& err_;
  std::string step_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace vc::cli::output
