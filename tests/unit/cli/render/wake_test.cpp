// SPDX-License-Identifier: Apache-2.0
// sleepMode.autoWakeup: the host CronJob that wakes a sleeping cluster, and the one thing its
// service account may do.
#include <gtest/gtest.h>

#include "vc/cli/render/host_objects.h"

namespace vc::cli::render {
namespace {

using nlohmann::json;

std::vector<json> WakeObjects(const std::string& values) {
  const VirtualCluster vc{.name = "t", .namespace_ = "vc-t", .values = json::parse(values)};
  std::vector<json> out;
  for (const auto& o : RenderHostObjects(vc)) {
    if (o.object.value("/metadata/name"_json_pointer, std::string()) == "vc-t-wake") {
      out.push_back(o.object);
    }
  }
  return out;
}

TEST(RenderAutoWakeupTest, ACronJobWhoseAccountMayOnlyScaleThisClustersStatefulSet) {
  const auto objects = WakeObjects(R"({"sleepMode": {"enabled": true,
      "autoSleep": {"afterInactivity": "30m"}, "autoWakeup": {"schedule": "0 8 * * 1-5"},
      "timeZone": "Europe/Berlin"}})");
  ASSERT_EQ(objects.size(), 4u);
  EXPECT_EQ(objects[0]["kind"], "ServiceAccount");
  EXPECT_EQ(objects[1]["kind"], "Role");
  EXPECT_EQ(objects[1]["rules"], json::parse(R"([{"apiGroups": ["apps"],
      "resources": ["statefulsets"], "resourceNames": ["t"], "verbs": ["get", "patch"]}])"));
  EXPECT_EQ(objects[2]["kind"], "RoleBinding");
  EXPECT_EQ(objects[2]["subjects"][0]["name"], "vc-t-wake");
  const json& cron = objects[3];
  EXPECT_EQ(cron["kind"], "CronJob");
  EXPECT_EQ(cron["spec"]["schedule"], "0 8 * * 1-5");
  EXPECT_EQ(cron["spec"]["timeZone"], "Europe/Berlin");
  EXPECT_EQ(cron["spec"]["concurrencyPolicy"], "Forbid");
  const json& pod = cron["spec"]["jobTemplate"]["spec"]["template"];
  EXPECT_EQ(pod["spec"]["serviceAccountName"], "vc-t-wake");
  EXPECT_EQ(pod["metadata"]["labels"]["kubectl-vc.dev/component"], "wake")
      << "not a workload: the syncer and the workload policies leave it alone";
  const json& c = pod["spec"]["containers"][0];
  EXPECT_EQ(c["image"], Images{}.syncer);
  EXPECT_EQ(c["args"], json::parse(R"(["wake", "--namespace", "vc-t", "--name", "t"])"));
  EXPECT_EQ(c["securityContext"]["allowPrivilegeEscalation"], false);
  EXPECT_EQ(pod["spec"]["securityContext"]["runAsNonRoot"], true);
}

TEST(RenderAutoWakeupTest, TheJobRunsWhereTheControlPlaneMayRun) {
  const auto objects = WakeObjects(R"({"sleepMode": {"enabled": true,
      "autoSleep": {"afterInactivity": "30m"}, "autoWakeup": {"schedule": "@daily"}},
      "controlPlane": {"statefulSet": {"scheduling": {"nodeSelector": {"pool": "cp"},
          "tolerations": [{"key": "cp", "operator": "Exists"}]}}}})");
  ASSERT_EQ(objects.size(), 4u);
  const json& spec = objects[3]["spec"]["jobTemplate"]["spec"]["template"]["spec"];
  EXPECT_EQ(spec["nodeSelector"], json::parse(R"({"pool": "cp"})"));
  EXPECT_EQ(spec["tolerations"], json::parse(R"([{"key": "cp", "operator": "Exists"}])"));
}

TEST(RenderAutoWakeupTest, NothingWithoutASchedule) {
  EXPECT_TRUE(WakeObjects(R"({})").empty());
  EXPECT_TRUE(
      WakeObjects(R"({"sleepMode": {"enabled": true, "autoSleep": {"afterInactivity": "30m"}}})")
          .empty());
}

}  // namespace
}  // namespace vc::cli::render
