// SPDX-License-Identifier: Apache-2.0
// kubectl vc upgrade's plan: the values it runs with, the changes on top, the version step.
#include "vc/cli/lifecycle/upgrade.h"

#include <gtest/gtest.h>

#include "vc/cli/lifecycle/version_skew.h"
#include "vc/cli/values/resolve.h"

namespace vc::cli::lifecycle {
namespace {

using nlohmann::json;

// A cluster as Find reports it: running `version`, with the effective values create stored.
Info Running(const std::string& version) {
  values::ResolveInput in;
  in.set_entries = {"networking.serviceCIDR=10.96.0.0/12",
                    "controlPlane.distro.k8s.version=" + version};
  auto resolved = values::Resolve(in);
  EXPECT_TRUE(resolved.ok()) << resolved.status().message();
  Info info;
  info.name = "team";
  info.namespace_ = "vcluster-team";
  info.status = "Running";
  info.version = version;
  info.values = resolved.ok() ? resolved->values : json();
  return info;
}

std::optional<ValueChange> ChangeOf(const UpgradePlan& plan, const std::string& path) {
  for (const auto& c : plan.changes) {
    if (c.path == path) return c;
  }
  return std::nullopt;
}

TEST(DiffValuesTest, KeyPathsThatDifferWithWhatTheyWereAndBecame) {
  const json before = json::parse(R"({"a": {"b": "x", "gone": 1, "list": [1, 2]}, "same": true})");
  const json after =
      json::parse(R"({"a": {"b": "y", "new": {"c": false}, "list": [1]}, "same": true})");
  const auto changes = DiffValues(before, after);
  ASSERT_EQ(changes.size(), 4u);
  EXPECT_EQ(changes[0].path, "a.b");
  EXPECT_EQ(changes[0].before, "x");
  EXPECT_EQ(changes[0].after, "y");
  EXPECT_EQ(changes[1].path, "a.gone");
  EXPECT_EQ(changes[1].after, std::nullopt);
  EXPECT_EQ(changes[2].path, "a.list");
  EXPECT_EQ(changes[2].before, "[1,2]");
  EXPECT_EQ(changes[3].path, "a.new.c");
  EXPECT_EQ(changes[3].before, std::nullopt);
  EXPECT_EQ(changes[3].after, "false");
  EXPECT_TRUE(DiffValues(before, before).empty());
}

TEST(PlanUpgradeTest, TheNextMinorVersionOnTopOfTheValuesItRunsWith) {
  Info info = Running("v1.35.4");
  UpgradeOptions options;
  options.version = "v1.36.1";
  options.set_entries = {"policies.resourceQuota.enabled=true"};
  auto plan = PlanUpgrade(info, options, {});
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_EQ(plan->from_version, "v1.35.4");
  EXPECT_EQ(plan->to_version, "v1.36.1");
  EXPECT_TRUE(plan->create.upgrade);
  EXPECT_EQ(plan->create.name, "team");
  EXPECT_EQ(plan->create.namespace_, "vcluster-team");
  auto version = ChangeOf(*plan, "controlPlane.distro.k8s.version");
  ASSERT_TRUE(version.has_value());
  EXPECT_EQ(version->before, "v1.35.4");
  EXPECT_EQ(version->after, "v1.36.1");
  ASSERT_TRUE(ChangeOf(*plan, "policies.resourceQuota.enabled").has_value());
  // Nothing else moves: the values it runs with are the base, not the defaults.
  EXPECT_EQ(ChangeOf(*plan, "networking.serviceCIDR"), std::nullopt);
}

TEST(PlanUpgradeTest, NothingGivenChangesNothing) {
  auto plan = PlanUpgrade(Running("v1.36.3"), {}, {});
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_TRUE(plan->changes.empty());
  EXPECT_EQ(plan->from_version, plan->to_version);
}

TEST(PlanUpgradeTest, AMinorVersionAloneMeansThisBuildsImageOfIt) {
  UpgradeOptions options;
  options.version = "v1.36";
  render::Images images;
  images.apiserver = "registry.k8s.io/kube-apiserver:v1.36.3";
  auto plan = PlanUpgrade(Running("v1.35.4"), options, images);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_EQ(plan->to_version, "v1.36.3");
}

TEST(PlanUpgradeTest, ValuesThatNameNoVersionKeepTheOneThatRunsUnlessAsked) {
  Info info = Running("v1.35.4");
  info.values["controlPlane"]["distro"]["k8s"]["version"] = "";  // made with the default then
  UpgradeOptions options;
  options.set_entries = {"policies.resourceQuota.enabled=true"};
  auto plan = PlanUpgrade(info, options, {});  // this build's default: v1.36.3
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_EQ(plan->to_version, "v1.35.4") << "a newer kubectl-vc must not move it by itself";
  ASSERT_EQ(plan->warnings.size(), 1u);
  EXPECT_NE(plan->warnings[0].find("--version v1.36.3 moves it"), std::string::npos);
  options.version = "1.36.3";  // without the v
  plan = PlanUpgrade(info, options, {});
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_EQ(plan->to_version, "v1.36.3");
}

TEST(PlanUpgradeTest, SkippingAMinorVersionOrGoingBackIsRefusedWithTheWayForward) {
  UpgradeOptions skip;
  skip.version = "v1.37.0";
  auto skipped = PlanUpgrade(Running("v1.35.4"), skip, {});
  ASSERT_FALSE(skipped.ok());
  EXPECT_NE(skipped.status().message().find("one minor version at a time"), std::string::npos)
      << skipped.status().message();
  EXPECT_NE(skipped.status().message().find("--version v1.36"), std::string::npos);

  UpgradeOptions back;
  back.version = "v1.34.2";
  auto went_back = PlanUpgrade(Running("v1.35.4"), back, {});
  ASSERT_FALSE(went_back.ok());
  EXPECT_NE(went_back.status().message().find("going back to v1.34.2 is not supported"),
            std::string::npos)
      << went_back.status().message();
  EXPECT_NE(went_back.status().message().find("--restore"), std::string::npos);

  UpgradeOptions patch_back;
  patch_back.version = "v1.35.1";
  EXPECT_TRUE(PlanUpgrade(Running("v1.35.4"), patch_back, {}).ok()) << "a patch may go either way";
}

TEST(PlanUpgradeTest, BadValuesOrAClusterThatCannotBeUpgradedSaySo) {
  UpgradeOptions bad;
  bad.set_entries = {"isolation.trustLevel=sometimes"};
  auto refused = PlanUpgrade(Running("v1.36.3"), bad, {});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("isolation.trustLevel"), std::string::npos)
      << refused.status().message();

  Info unreadable = Running("v1.36.3");
  unreadable.values = json();
  auto no_values = PlanUpgrade(unreadable, {}, {});
  ASSERT_FALSE(no_values.ok());
  EXPECT_NE(no_values.status().message().find("Secret vc-config-team"), std::string::npos)
      << no_values.status().message();
  EXPECT_NE(no_values.status().message().find("create team -n vcluster-team --upgrade"),
            std::string::npos);

  Info deleting = Running("v1.36.3");
  deleting.status = "Deleting";
  EXPECT_EQ(PlanUpgrade(deleting, {}, {}).status().code(), Code::kFailedPrecondition);

  Info unknown = Running("v1.36.3");
  unknown.version = "stable";  // an image tag that is no version
  EXPECT_TRUE(PlanUpgrade(unknown, {}, {}).ok()) << "the values say which version runs";
  unknown.values["controlPlane"]["distro"]["k8s"]["version"] = "";
  auto unchecked = PlanUpgrade(unknown, {}, {});
  ASSERT_FALSE(unchecked.ok()) << "a version step that cannot be checked fails closed";
  EXPECT_NE(unchecked.status().message().find("cannot be read"), std::string::npos);
}

}  // namespace
}  // namespace vc::cli::lifecycle
