// SPDX-License-Identifier: Apache-2.0
// The host QPS limit: a burst goes through at once, then requests are spaced 1/qps apart.
#include "vc/syncer/rate_limited_transport.h"

#include <gtest/gtest.h>

#include "support/fake_clock.h"

namespace vc::syncer {
namespace {

using std::chrono::milliseconds;

TEST(SyncerRateLimitTest, BurstThenSpacedByQps) {
  auto clock = std::make_shared<FakeClock>();
  RateLimitedTransport t(nullptr, /*qps=*/10, /*burst=*/3, clock);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(t.Reserve(), std::chrono::nanoseconds::zero()) << i;
  EXPECT_EQ(std::chrono::duration_cast<milliseconds>(t.Reserve()), milliseconds(100));
  EXPECT_EQ(std::chrono::duration_cast<milliseconds>(t.Reserve()), milliseconds(200));
  clock->Advance(milliseconds(1000));  // refills, capped at the burst
  for (int i = 0; i < 3; ++i) EXPECT_EQ(t.Reserve(), std::chrono::nanoseconds::zero()) << i;
  EXPECT_GT(t.Reserve(), std::chrono::nanoseconds::zero());
}

TEST(SyncerRateLimitTest, ZeroQpsMeansNoLimit) {
  RateLimitedTransport t(nullptr, 0, 0);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(t.Reserve(), std::chrono::nanoseconds::zero());
}

}  // namespace
}  // namespace vc::syncer
