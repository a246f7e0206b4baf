// SPDX-License-Identifier: Apache-2.0
#include "vc/rfc3339.h"

#include <ctime>
#include <string_view>

namespace vc {

using std::chrono::system_clock;

namespace {

// `count` decimal digits at s[*i] (no sign, no spaces), advancing *i.
bool Digits(const std::string& s, size_t* i, size_t count, int* out) {
  if (*i + count > s.size()) return false;
  int v = 0;
  for (size_t k = 0; k < count; ++k) {
    const char c = s[*i + k];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *i += count;
  *out = v;
  return true;
}

bool Expect(const std::string& s, size_t* i, const char* chars) {
  if (*i >= s.size() || std::string_view(chars).find(s[*i]) == std::string_view::npos) {
    return false;
  }
  ++*i;
  return true;
}

}  // namespace

std::optional<system_clock::time_point> ParseRfc3339(const std::string& s) {
  // Field by field with their ranges: sscanf's %d took signs and spaces, and a year such as
  // 0001 (Go's zero time) or 9999 lies outside what system_clock's nanoseconds can hold.
  std::tm tm{};
  size_t i = 0;
  if (!Digits(s, &i, 4, &tm.tm_year) || !Expect(s, &i, "-") || !Digits(s, &i, 2, &tm.tm_mon) ||
      !Expect(s, &i, "-") || !Digits(s, &i, 2, &tm.tm_mday) || !Expect(s, &i, "Tt") ||
      !Digits(s, &i, 2, &tm.tm_hour) || !Expect(s, &i, ":") || !Digits(s, &i, 2, &tm.tm_min) ||
      !Expect(s, &i, ":") || !Digits(s, &i, 2, &tm.tm_sec)) {
    return std::nullopt;
  }
  if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
      tm.tm_min > 59 || tm.tm_sec > 60) {
    return std::nullopt;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;  // sub-second: irrelevant here
  }
  long offset = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    const bool plus = s[i++] == '+';
    int hh = 0;
    int mm = 0;
    if (!Digits(s, &i, 2, &hh) || !Expect(s, &i, ":") || !Digits(s, &i, 2, &mm) || hh > 23 ||
        mm > 59) {
      return std::nullopt;
    }
    offset = (plus ? 1 : -1) * (hh * 3600L + mm * 60L);
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  const time_t t = timegm(&tm) - offset;
  // Clamped to 1900..2200: system_clock's nanoseconds end in 1677 and 2262, and callers add
  // and subtract lifetimes. For an expiry or an issue date that is what such a year means.
  constexpr time_t kEarliest = -2208988800;  // 1900-01-01T00:00:00Z
  constexpr time_t kLatest = 7258118400;     // 2200-01-01T00:00:00Z
  if (t < kEarliest) return system_clock::from_time_t(kEarliest);
  if (t > kLatest) return system_clock::from_time_t(kLatest);
  return system_clock::from_time_t(t);
}

std::string FormatRfc3339(system_clock::time_point t) {
  const time_t secs = system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace vc
