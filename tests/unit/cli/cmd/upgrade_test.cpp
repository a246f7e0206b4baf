// SPDX-License-Identifier: Apache-2.0
// kubectl vc upgrade, run in-process against a fake host: the plan and the host's check of it
// (--dry-run), and what is refused before anything changes.
#include <fstream>

#include "unit/cli/cmd/verb_test.h"

namespace vc::cli::cmd::testing {
namespace {

using nlohmann::json;
namespace r = kube::resources;

class UpgradeVerbTest : public VerbTest {
 protected:
  void SetUp() override {
    AddCluster({.name = "dev", .namespace_ = "team", .version = "v1.35.4"});
    api_->Put({"networking.k8s.io", "v1", "servicecidrs", "ServiceCIDR", false},
              {{"metadata", {{"name", "kubernetes"}}}, {"spec", {{"cidrs", {"10.96.0.0/12"}}}}});
  }
};

TEST_F(UpgradeVerbTest, DryRunPrintsThePlanAndChangesNothing) {
  const json before = *StatefulSet("dev", "team");
  const RunResult r =
      Run({"upgrade", "dev", "--dry-run", "--set", "policies.resourceQuota.enabled=true"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("Upgrading virtual cluster dev in namespace team\n"
                       "  Kubernetes: v1.35.4 (unchanged)\n"
                       "  values:\n"
                       "    policies.resourceQuota.enabled: false -> true\n"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("dry run: nothing was changed\n"), std::string::npos) << r.err;
  EXPECT_EQ(*StatefulSet("dev", "team"), before);
  EXPECT_GT(api_->CountRequests("dryRun=All"), 0);
}

TEST_F(UpgradeVerbTest, SkippingAMinorVersionIsRefusedBeforeAnythingChanges) {
  const RunResult r = Run({"upgrade", "dev", "--version", "v1.37.0"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("one minor version at a time"), std::string::npos) << r.err;
  EXPECT_EQ(api_->CountRequests("PATCH"), 0);
}

TEST_F(UpgradeVerbTest, ABadValuesFileIsAnError) {
  const std::string file = home_.path() + "/more.yaml";
  std::ofstream(file) << "policies: [not, a, map]\n";
  const RunResult r = Run({"upgrade", "dev", "-f", file});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find(file), std::string::npos) << r.err;
  EXPECT_EQ(api_->CountRequests("PATCH"), 0);
}

TEST_F(UpgradeVerbTest, ANameThatDoesNotExistIsAnError) {
  const RunResult r = Run({"upgrade", "nope", "--dry-run"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "error: virtual cluster nope not found in any namespace\n"
            "  see which exist: kubectl vc list\n");
}

}  // namespace
}  // namespace vc::cli::cmd::testing
