// SPDX-License-Identifier: Apache-2.0
#include "vc/duration.h"

#include <algorithm>
#include <regex>

namespace vc {

StatusOr<std::chrono::milliseconds> ParseDuration(const std::string& what,
                                                  const std::string& text) {
  const auto invalid = [&] {
    return InvalidArgument("invalid " + what + " \"" + text +
                           "\": use a number of seconds or a duration such as 30s, 2m, 1h30m");
  };
  // A year in milliseconds fits many times over; more is a typo, and would overflow.
  constexpr double kMaxMs = 100.0 * 365 * 24 * 3600e3;
  if (text.empty() || text.size() > 32) return invalid();
  if (std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); })) {
    const double seconds = std::stod(text);
    if (seconds * 1e3 > kMaxMs) return invalid();
    return std::chrono::milliseconds(static_cast<long long>(seconds) * 1000);
  }
  static const std::regex part(R"((\d+(?:\.\d+)?)(ms|s|m|h))");
  double total_ms = 0;
  size_t pos = 0;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), part); it != std::sregex_iterator();
       ++it) {
    if (static_cast<size_t>(it->position()) != pos) return invalid();
    const double n = std::stod((*it)[1]);
    const std::string unit = (*it)[2];
    total_ms += unit == "ms" ? n : unit == "s" ? n * 1e3 : unit == "m" ? n * 60e3 : n * 3600e3;
    pos += it->length();
  }
  if (pos != text.size() || total_ms > kMaxMs) return invalid();
  return std::chrono::milliseconds(static_cast<long long>(total_ms));
}

}  // namespace vc
