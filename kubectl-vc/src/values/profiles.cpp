// SPDX-License-Identifier: Apache-2.0
#include "vc/cli/values/profiles.h"

#include <algorithm>
#include <string>

#include "values/embedded_files.h"
#include "values/suggest.h"

namespace vc::cli::values {

std::vector<std::string_view> ProfileNames() { return {"dev", "prod", "partner", "zero-trust"}; }

StatusOr<yaml::Document> LoadProfile(std::string_view name) {
  std::vector<std::string> known;
  for (std::string_view n : ProfileNames()) known.emplace_back(n);
  if (std::find(known.begin(), known.end(), name) == known.end()) {
    std::string message = "unknown profile \"" + std::string(name) + "\"";
    if (auto best = internal::ClosestMatch(name, known)) {
      message += " (did you mean " + *best + "?)";
    }
    std::string list;
    for (const std::string& n : known) list += (list.empty() ? "" : ", ") + n;
    return InvalidArgument(message + "; --profile takes one of " + list);
  }
  auto text = internal::FindEmbeddedFile("profiles/" + std::string(name) + ".yaml");
  if (!text) return Internal("load profile " + std::string(name) + ": not embedded (build defect)");
  return yaml::Parse(*text, "<profile " + std::string(name) + ">");
}

}  // namespace vc::cli::values
