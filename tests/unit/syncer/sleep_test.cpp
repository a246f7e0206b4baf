// SPDX-License-Identifier: Apache-2.0
// sleepMode in the syncer: what counts as activity (the audit policy, the log's modification
// times), when a cluster is idle, and the StatefulSet patch that puts it to sleep.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "support/temp_dir.h"
#include "vc/labels.h"
#include "vc/syncer/sleep/activity.h"
#include "vc/syncer/sleep/auto_sleep.h"
#include "vc/syncer/translate/sync_config.h"
#include "vc/yaml.h"

namespace vc::syncer::sleep {
namespace {

using nlohmann::json;
using std::chrono::system_clock;

void Touch(const std::string& path, system_clock::time_point when) {
  std::ofstream(path) << "{}\n";
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(when.time_since_epoch());
  timespec times[2];
  times[0].tv_sec = times[1].tv_sec = ns.count() / 1000000000;
  times[0].tv_nsec = times[1].tv_nsec = ns.count() % 1000000000;
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0) << path;
}

TEST(SleepActivityTest, ThePolicyLogsOnlyUsersAndWorkloads) {
  auto doc = yaml::Parse(ActivityAuditPolicy("kubectl-vc:syncer"), "policy");
  ASSERT_TRUE(doc.ok()) << doc.status().message();
  const json& p = doc->value;
  EXPECT_EQ(p["apiVersion"], "audit.k8s.io/v1");
  EXPECT_EQ(p["kind"], "Policy");
  ASSERT_EQ(p["rules"].size(), 4u);
  const json users = p["rules"][0]["users"];
  for (const char* quiet : {"kubectl-vc:syncer", "system:kube-controller-manager",
                            "system:kube-scheduler", "system:apiserver"}) {
    EXPECT_NE(std::find(users.begin(), users.end(), quiet), users.end()) << quiet;
  }
  EXPECT_EQ(p["rules"][1]["userGroups"][0], "system:serviceaccounts:kube-system");
  EXPECT_EQ(p["rules"][2]["nonResourceURLs"][0], "/healthz*");
  // Everyone else, at the least level that logs: a tenant's kubectl, its pods' tokens.
  EXPECT_EQ(p["rules"][3], json({{"level", "Metadata"}}));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(p["rules"][i]["level"], "None");
}

TEST(SleepActivityTest, TheLastActivityIsTheNewestLogOrRotatedCopy) {
  vc::testing::TempDir dir("vc-sleep");
  const std::string log = dir.path() + "/vc-activity.log";
  const auto start = system_clock::now() - std::chrono::hours(2);
  // Nothing logged since the syncer started: idle since then.
  EXPECT_EQ(LastActivity(log, start), start);
  Touch(log, start + std::chrono::minutes(10));
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::seconds>(LastActivity(log, start) - start),
            std::chrono::minutes(10));
  // The API server rotated: the rotated copy is newer than the new, older-stamped file.
  Touch(dir.path() + "/vc-activity-2026-12-07T08-00-00.000.log", start + std::chrono::minutes(30));
  Touch(dir.path() + "/unrelated.log", start + std::chrono::minutes(90));
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::seconds>(LastActivity(log, start) - start),
            std::chrono::minutes(30));
  // A syncer started after the last request counts from its start.
  const auto later = start + std::chrono::hours(1);
  EXPECT_EQ(LastActivity(log, later), later);
  EXPECT_EQ(LastActivity("/nonexistent/dir/vc-activity.log", start), start);
}

TEST(SleepActivityTest, IdleOnceTheWholeIntervalPassed) {
  const auto t = system_clock::now();
  const std::chrono::milliseconds after = std::chrono::minutes(30);
  EXPECT_FALSE(Idle(t, t + std::chrono::minutes(29), after));
  EXPECT_TRUE(Idle(t, t + std::chrono::minutes(30), after));
  EXPECT_FALSE(Idle(t, t + std::chrono::hours(5), std::chrono::milliseconds(0)))
      << "no afterInactivity: never idle";
}

TEST(SleepActivityTest, TheSleepPatchIsAPauseMarkedAsTheSyncers) {
  const json patch = SleepPatch(1, "2026-12-07T08:00:00Z");
  EXPECT_EQ(patch["spec"]["replicas"], 0);
  const json& a = patch["metadata"]["annotations"];
  EXPECT_EQ(a[labels::kPausedReplicasAnnotation], "1");
  EXPECT_EQ(a[labels::kPausedAtAnnotation], "2026-12-07T08:00:00Z");
  EXPECT_EQ(a[labels::kPausedByAnnotation], labels::kPausedByAutoSleep);
  EXPECT_EQ(SleepPatch(0, "t")["metadata"]["annotations"][labels::kPausedReplicasAnnotation], "1")
      << "resume scales back to at least one";
}

TEST(SleepActivityTest, WakingUndoesOnlyASleepNeverAPersonsPause) {
  json sts = {{"metadata", {{"annotations", SleepPatch(2, "t")["metadata"]["annotations"]}}},
              {"spec", {{"replicas", 0}}}};
  const json patch = WakePatch(sts);
  EXPECT_EQ(patch["spec"]["replicas"], 2);
  for (const char* key : {labels::kPausedReplicasAnnotation, labels::kPausedAtAnnotation,
                          labels::kPausedByAnnotation}) {
    EXPECT_TRUE(patch["metadata"]["annotations"].contains(key));
    EXPECT_TRUE(patch["metadata"]["annotations"][key].is_null()) << key;
  }
  json paused = sts;
  paused["metadata"]["annotations"].erase(labels::kPausedByAnnotation);
  EXPECT_TRUE(WakePatch(paused).is_null()) << "a person's pause stays";
  EXPECT_TRUE(WakePatch(json{{"spec", {{"replicas", 1}}}}).is_null()) << "running";
  sts["metadata"]["annotations"][labels::kPausedReplicasAnnotation] = "lots";
  EXPECT_EQ(WakePatch(sts)["spec"]["replicas"], 1);
}

TEST(SleepActivityTest, TheSyncConfigReadsAfterInactivityOnlyWhenEnabled) {
  auto config = [](const std::string& text) {
    auto doc = yaml::Parse(text, "values");
    EXPECT_TRUE(doc.ok());
    return translate::SyncConfigFromValues(doc->value);
  };
  EXPECT_EQ(config("{}").sleep_after().count(), 0);
  EXPECT_EQ(config("sleepMode: {autoSleep: {afterInactivity: 30m}}").sleep_after().count(), 0);
  const auto on = config("sleepMode: {enabled: true, autoSleep: {afterInactivity: 1h30m}}");
  EXPECT_EQ(on.sleep_after(), std::chrono::minutes(90));
  EXPECT_TRUE(translate::CheckSyncConfig(on).ok());
  const auto bad = config("sleepMode: {enabled: true, autoSleep: {afterInactivity: later}}");
  const Status s = translate::CheckSyncConfig(bad);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("sleepMode.autoSleep.afterInactivity \"later\""), std::string::npos)
      << s.message();
}

}  // namespace
}  // namespace vc::syncer::sleep
