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

json PodWithReport(const std::string& report) {
  return {
      {"metadata", {{"name", "dev-0"}, {"annotations", {{"kubectl-vc.dev/sync-health", report}}}}}};
}

TEST(SyncHealthOf, ReadsTheSyncersReport) {
  const json h = SyncHealthOf(PodWithReport(R"({"at":"2026-12-07T08:00:00Z","controllers":[
      {"name":"pods","synced":3,"queued":0,"failing":1,"lagToHost":{"p50":0.05,"p99":"+Inf"}}],
      "lastRefusal":{"at":"2026-12-07T07:59:00Z","controller":"pods","object":"team/web",
                     "message":"privileged is not allowed"}})"));
  ASSERT_TRUE(h.is_object());
  EXPECT_EQ(h["at"], "2026-12-07T08:00:00Z");
  ASSERT_EQ(h["controllers"].size(), 1u);
  EXPECT_EQ(h["controllers"][0]["synced"], 3);
  EXPECT_EQ(h["controllers"][0]["lagToHost"]["p50"], "0.05s");
  EXPECT_EQ(h["controllers"][0]["lagToHost"]["p99"], "+Inf");
  EXPECT_EQ(h["lastRefusal"]["object"], "team/web");
}

TEST(SyncHealthOf, KeepsOnlyWhatHasTheExpectedType) {
  EXPECT_TRUE(SyncHealthOf(Pod({})).is_null());
  EXPECT_TRUE(SyncHealthOf(PodWithReport("{not json")).is_null());
  EXPECT_TRUE(SyncHealthOf(PodWithReport("[1,2]")).is_null());
  const json h = SyncHealthOf(PodWithReport(R"({"at":5,"controllers":[7,{"name":1},
      {"name":"pods","synced":-1,"queued":"x","failing":{},"lagToHost":[1]}],
      "lastRefusal":{"object":["a"],"message":"m"}})"));
  ASSERT_TRUE(h.is_object());
  EXPECT_FALSE(h.contains("at"));
  ASSERT_EQ(h["controllers"].size(), 1u);
  EXPECT_EQ(h["controllers"][0], json({{"name", "pods"}, {"lagToHost", json::object()}}));
  EXPECT_EQ(h["lastRefusal"], json({{"message", "m"}}));
}

TEST(StatusOf, SleepingWhenSleepModePausedIt) {
  json sts = kSts;
  sts["metadata"]["annotations"][kPausedReplicasAnnotation] = "1";
  sts["metadata"]["annotations"][labels::kPausedByAnnotation] = labels::kPausedByAutoSleep;
  EXPECT_EQ(StatusOf(sts, json(), nullptr), "Sleeping");
  EXPECT_TRUE(IsPaused(Info{.status = "Sleeping"}));
  EXPECT_TRUE(IsPaused(Info{.status = "Paused"}));
  EXPECT_FALSE(IsPaused(Info{.status = "Running"}));
}

}  // namespace
}  // namespace vc::cli::lifecycle
