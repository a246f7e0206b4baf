// SPDX-License-Identifier: Apache-2.0
// The one exponential backoff, and when the client retries.
#include "vc/kube/retry_policy.h"

#include <gtest/gtest.h>

namespace vc::kube {
namespace {

using std::chrono::milliseconds;

TEST(ExponentialBackoffTest, DoublesFromTheFirstFailureUpToTheMost) {
  EXPECT_EQ(ExponentialBackoff(milliseconds(250), milliseconds(5000), 1), milliseconds(250));
  EXPECT_EQ(ExponentialBackoff(milliseconds(250), milliseconds(5000), 2), milliseconds(500));
  EXPECT_EQ(ExponentialBackoff(milliseconds(250), milliseconds(5000), 5), milliseconds(4000));
  EXPECT_EQ(ExponentialBackoff(milliseconds(250), milliseconds(5000), 6), milliseconds(5000));
  EXPECT_EQ(ExponentialBackoff(milliseconds(250), milliseconds(5000), 1000000), milliseconds(5000))
      << "no overflow however long it fails";
  EXPECT_EQ(ExponentialBackoff(milliseconds(250), milliseconds(5000), 0), milliseconds(250));
}

TEST(RetryDelayTest, BacksOffOnlyWhatMayBeRetried) {
  const RetryPolicy policy;
  const Status refused =
      Status(Code::kUnavailable, "connection refused").WithDetails({{"sent", false}});
  EXPECT_EQ(RetryDelay(policy, 1, refused, false, 0.0), milliseconds(125));
  EXPECT_EQ(RetryDelay(policy, 3, refused, false, 0.0), milliseconds(500)) << "1000 ms, halved";
  EXPECT_EQ(RetryDelay(policy, policy.max_attempts, refused, true, 0.0), std::nullopt);
}

}  // namespace
}  // namespace vc::kube
