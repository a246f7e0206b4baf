// SPDX-License-Identifier: Apache-2.0
// "did you mean": the candidate closest to a misspelt word, by edit distance.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vc::cli::values::internal {

// Levenshtein distance, case-insensitive: `configmaps` for `configMaps` is the commonest slip
// and must count as a perfect match.
size_t EditDistance(std::string_view a, std::string_view b);

// The closest candidate when it is close enough to be a plausible typo (at most a third of the
// word's length, at least 1, at most 3 edits); ties go to the first.
std::optional<std::string> ClosestMatch(std::string_view word,
                                        const std::vector<std::string>& candidates);

}  // namespace vc::cli::values::internal
