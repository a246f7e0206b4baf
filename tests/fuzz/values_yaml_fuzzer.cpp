// SPDX-License-Identifier: Apache-2.0
// A values file, as `kubectl vc create -f values.yaml` reads it: vc::yaml::ParseAll (the YAML
// reader every file goes through), then values::Resolve (schema validation with positions,
// defaults, contradictions). Invariants: what parses dumps as JSON and survives our YAML
// dumper unchanged (Parse(Dump(x)) == x, as yaml.h promises); every error is UTF-8 text.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.h"
#include "vc/cli/values/resolve.h"
#include "vc/yaml.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vc::fuzz::QuietLogs();
  const std::string text(reinterpret_cast<const char*>(data), size);

  auto docs = vc::yaml::ParseAll(text, "values.yaml");
  vc::fuzz::CheckStatus(docs.status(), "yaml::ParseAll error");
  if (docs.ok()) {
    for (const vc::yaml::Document& doc : *docs) {
      (void)doc.value.dump();
      const std::string dumped = vc::yaml::Dump(doc.value);
      auto again = vc::yaml::Parse(dumped, "dumped.yaml");
      if (!again.ok()) vc::fuzz::Fail("yaml::Dump output does not parse", again.status().message());
      vc::fuzz::Check(again->value == doc.value, "yaml::Parse(yaml::Dump(x)) != x", dumped);
    }
  }

  vc::cli::values::ResolveInput input;
  input.sources = {vc::cli::values::ValuesSource::Text("values.yaml", text)};
  auto resolved = vc::cli::values::Resolve(input);
  vc::fuzz::CheckStatus(resolved.status(), "values::Resolve error");
  if (resolved.ok()) {
    (void)resolved->values.dump();
    for (const std::string& w : resolved->warnings) vc::fuzz::CheckUtf8(w, "values warning");
  }
  return 0;
}
