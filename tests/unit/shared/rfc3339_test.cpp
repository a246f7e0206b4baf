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

TEST(SharedRfc3339Test, FormatsUtcWholeSecondsAndRoundTrips) {
  const auto t = system_clock::from_time_t(1714557600) + std::chrono::milliseconds(700);
  EXPECT_EQ(FormatRfc3339(t), "2024-05-01T10:00:00Z");
  EXPECT_EQ(ParseRfc3339(FormatRfc3339(t)), system_clock::from_time_t(1714557600));
  EXPECT_EQ(FormatRfc3339(system_clock::from_time_t(0) + seconds(59)), "1970-01-01T00:00:59Z");
}

}  // namespace
}  // namespace vc
