// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "vc/cli/lifecycle/lifecycle.h"

namespace vc::cli::lifecycle {
namespace {

using nlohmann::json;

const json kSts = {{"metadata", {{"name", "dev"}}}};

json Pod(json status) { return {{"metadata", {{"name", "dev-0"}}}, {"status", status}}; }

TEST(StatusOf, RunningWhenReady) {
  std::vector<std::string> problems;
  EXPECT_EQ(
      StatusOf(kSts, Pod({{"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}), &problems),
      "Running");
  EXPECT_TRUE(problems.empty());
}

TEST(StatusOf, PausedFromTheAnnotation) {
  json sts = kSts;
  sts["metadata"]["annotations"][kPausedReplicasAnnotation] = "1";
  EXPECT_EQ(StatusOf(sts, json(), nullptr), "Paused");
}

TEST(StatusOf, DeletingWinsOverEverything) {
  json sts = kSts;
  sts["metadata"]["deletionTimestamp"] = "2026-11-24T05:00:00Z";
  EXPECT_EQ(StatusOf(sts, json(), nullptr), "Deleting");
}

TEST(StatusOf, CrashLoopIsFailedWithTheReason) {
  std::vector<std::string> problems;
  json pod = Pod(
      {{"containerStatuses",
        {{{"name", "kube-apiserver"},
          {"state", {{"waiting", {{"reason", "CrashLoopBackOff"}, {"message", "back-off"}}}}}}}}});
  EXPECT_EQ(StatusOf(kSts, pod, &problems), "Failed");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0], "container kube-apiserver: CrashLoopBackOff: back-off");
}

TEST(StatusOf, ImagePullInAnInitContainerIsFailed) {
  json pod =
      Pod({{"initContainerStatuses",
            {{{"name", "init"}, {"state", {{"waiting", {{"reason", "ImagePullBackOff"}}}}}}}}});
  EXPECT_EQ(StatusOf(kSts, pod, nullptr), "Failed");
}

TEST(StatusOf, UnschedulableIsPendingWithWhy) {
  std::vector<std::string> problems;
  json pod = Pod({{"conditions",
                   {{{"type", "PodScheduled"},
                     {"status", "False"},
                     {"reason", "Unschedulable"},
                     {"message", "0/2 nodes are available"}}}}});
  EXPECT_EQ(StatusOf(kSts, pod, &problems), "Pending");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0], "not scheduled: Unschedulable: 0/2 nodes are available");
}

TEST(StatusOf, NoPodYetIsPending) {
  std::vector<std::string> problems;
  EXPECT_EQ(StatusOf(kSts, json(), &problems), "Pending");
  EXPECT_FALSE(problems.empty());
}

}  // namespace
}  // namespace vc::cli::lifecycle
