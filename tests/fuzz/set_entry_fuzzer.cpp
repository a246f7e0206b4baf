// SPDX-License-Identifier: Apache-2.0
// `--set` entries: each line of the input is one entry (at most four), resolved as
// `kubectl vc create --set ...` does: ParseSetEntry, ApplySetAssignment over the schema
// defaults, validation, defaults, contradictions. Invariants: parsed assignments have a path
// and render as JSON; every error is UTF-8 text.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.h"
#include "vc/cli/values/resolve.h"
#include "vc/cli/values/set_entries.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vc::fuzz::QuietLogs();
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> entries;
  for (size_t start = 0; start <= text.size() && entries.size() < 4;) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    entries.push_back(text.substr(start, end - start));
    start = end + 1;
  }

  for (const std::string& entry : entries) {
    auto parsed = vc::cli::values::ParseSetEntry(entry);
    vc::fuzz::CheckStatus(parsed.status(), "ParseSetEntry error");
    if (!parsed.ok()) continue;
    nlohmann::json values = nlohmann::json::object();
    for (const auto& assignment : *parsed) {
      vc::fuzz::CheckUtf8(assignment.text, "assignment text");
      (void)assignment.value.dump();
      auto touched = vc::cli::values::ApplySetAssignment(assignment, values);
      vc::fuzz::CheckStatus(touched.status(), "ApplySetAssignment error");
    }
    (void)values.dump();
  }

  vc::cli::values::ResolveInput input;
  input.set_entries = entries;
  auto resolved = vc::cli::values::Resolve(input);
  vc::fuzz::CheckStatus(resolved.status(), "values::Resolve error");
  if (resolved.ok()) (void)resolved->values.dump();
  return 0;
}
