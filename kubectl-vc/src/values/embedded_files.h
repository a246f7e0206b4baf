// SPDX-License-Identifier: Apache-2.0
// The files compiled into the binary by embed_values.cmake (the schema and the profiles), so
// kubectl-vc needs nothing next to it at run time.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace vc::cli::values::internal {

struct EmbeddedFile {
  std::string_view name;  // relative to src/values/, e.g. "profiles/dev.yaml"
  std::string_view text;
};

const std::vector<EmbeddedFile>& EmbeddedFiles();

inline std::optional<std::string_view> FindEmbeddedFile(std::string_view name) {
  for (const EmbeddedFile& file : EmbeddedFiles()) {
    if (file.name == name) return file.text;
  }
  return std::nullopt;
}

}  // namespace vc::cli::values::internal
