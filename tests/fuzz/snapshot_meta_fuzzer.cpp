// SPDX-License-Identifier: Apache-2.0
// A snapshot's meta.json as the CLI shows it: `snapshot inspect` (the table, -o json, -o yaml)
// and `create --restore` (cluster, date, values) read it through ReadSnapshotMeta. meta.json
// comes from an archive, a registry's config blob or a bucket, so anything can be in it.
// Invariants: no exception; -o yaml output parses back to the same document.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.h"
#include "vc/cli/snapshot/snapshot_meta.h"
#include "vc/yaml.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vc::fuzz::QuietLogs();
  const nlohmann::json meta =
      nlohmann::json::parse(data, data + size, /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (meta.is_discarded()) return 0;
  auto summary = vc::cli::snapshot::ReadSnapshotMeta(meta);
  vc::fuzz::CheckStatus(summary.status(), "ReadSnapshotMeta error");
  if (summary.ok()) {
    const std::string table = vc::cli::snapshot::RenderSnapshotTable(*summary, "oci://r/x:1");
    vc::fuzz::CheckUtf8(table, "inspect table");
    (void)summary->values.dump();
  }
  (void)meta.dump(2);
  const std::string yaml = vc::yaml::Dump(meta);
  auto again = vc::yaml::Parse(yaml, "inspect.yaml");
  if (!again.ok())
    vc::fuzz::Fail("inspect -o yaml output does not parse", again.status().message());
  vc::fuzz::Check(again->value == meta, "inspect -o yaml round trip", yaml);
  return 0;
}
