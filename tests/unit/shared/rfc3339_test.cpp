// SPDX-License-Identifier: Apache-2.0
// RFC 3339 timestamps as the Kubernetes API writes them, and what is not one.
#include "vc/rfc3339.h"

#include <gtest/gtest.h>

namespace vc {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

TEST(SharedRfc3339Test, ParsesUtcOffsetsAndFractions) {
  const auto utc = ParseRfc3339("2024-05-01T10:00:00Z");
  ASSERT_TRUE(utc.has_value());
  EXPECT_EQ(system_clock::to_time_t(*utc), 1714557600);
  EXPECT_EQ(ParseRfc3339("2024-05-01T12:00:00+02:00"), utc);
  EXPECT_EQ(ParseRfc3339("2024-05-01T09:30:00-00:30"), utc);
  EXPECT_EQ(ParseRfc3339("2024-05-01T10:00:00.999999Z"), utc) << "sub-seconds are dropped";
  EXPECT_EQ(ParseRfc3339("2024-05-01t10:00:00z"), utc);
}

TEST(SharedRfc3339Test, RefusesWhatIsNotOne) {
  for (const char* s : {"", "2024-05-01", "2024-05-01T10:00:00", "2024-05-01 10:00:00Z",
                        "2024-05-01T10:00:00Zjunk", "2024-05-01T10:00:00+0200", "soon"}) {
    EXPECT_FALSE(ParseRfc3339(s).has_value()) << s;
  }
}

TEST(SharedRfc3339Test, YearsBeyondTheClockAreClamped) {
  // Found by tests/fuzz/kubeconfig_fuzzer.cpp (an exec plugin's expirationTimestamp): years
  // outside what system_clock's nanoseconds hold overflowed (UBSan: signed integer overflow).
  const auto earliest = ParseRfc3339("1900-01-01T00:00:00Z");
  const auto latest = ParseRfc3339("2200-01-01T00:00:00Z");
  ASSERT_TRUE(earliest && latest);
  EXPECT_EQ(ParseRfc3339("1015-01-02T03:04:05Z"), earliest);
  EXPECT_EQ(ParseRfc3339("0001-01-01T00:00:00Z"), earliest);
  EXPECT_EQ(ParseRfc3339("9999-12-31T23:59:59Z"), latest);
  EXPECT_EQ(FormatRfc3339(*latest), "2200-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(*earliest), "1900-01-01T00:00:00Z");
}

TEST(SharedRfc3339Test, RefusesSignsSpacesAndFieldsOutOfRange) {
  // sscanf's %d took "-999" as a year and " 1" as a month.
  for (const char* s :
       {"-999-01-01T00:00:00Z", "2024- 1-01T00:00:00Z", "2024-13-01T00:00:00Z",
        "2024-01-00T00:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01T00:60:00Z",
        "2024-01-01T00:00:00+24:00", "2024-01-01T00:00:00+-1:00", "+024-01-01T00:00:00Z"}) {
    EXPECT_FALSE(ParseRfc3339(s).has_value()) << s;
  }
}

TEST(SharedRfc3339Test, FormatsUtcWholeSecondsAndRoundTrips) {
  const auto t = system_clock::from_time_t(1714557600) + std::chrono::milliseconds(700);
  EXPECT_EQ(FormatRfc3339(t), "2024-05-01T10:00:00Z");
  EXPECT_EQ(ParseRfc3339(FormatRfc3339(t)), system_clock::from_time_t(1714557600));
  EXPECT_EQ(FormatRfc3339(system_clock::from_time_t(0) + seconds(59)), "1970-01-01T00:00:59Z");
}

}  // namespace
}  // namespace vc
