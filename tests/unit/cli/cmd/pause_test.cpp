// SPDX-License-Identifier: Apache-2.0
// kubectl vc pause, run in-process against a fake host.
#include "unit/cli/cmd/verb_test.h"

namespace vc::cli::cmd::testing {
namespace {

using nlohmann::json;
namespace r = kube::resources;

class PauseVerbTest : public VerbTest {};

TEST_F(PauseVerbTest, ScalesTheControlPlaneToZeroRemovesWorkloadsAndSaysSo) {
  AddCluster({.name = "dev", .namespace_ = "team"});
  json workload_labels = OwnedLabels({.name = "dev", .namespace_ = "team"});
  workload_labels[labels::kComponent] = labels::kComponentWorkload;
  api_->Put(
      r::kPods,
      {{"metadata", {{"name", "web-x-team"}, {"namespace", "team"}, {"labels", workload_labels}}}});

  const RunResult r = Run({"pause", "dev", "-n", "team"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("Pausing virtual cluster dev"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("1 workload pods removed"), std::string::npos) << r.err;
  const auto sts = StatefulSet("dev", "team");
  ASSERT_TRUE(sts.has_value());
  EXPECT_EQ((*sts)["spec"]["replicas"], 0);
  EXPECT_EQ((*sts)["metadata"]["annotations"][lifecycle::kPausedReplicasAnnotation], "1");
  EXPECT_FALSE(api_->Get(r::kPods, "team", "web-x-team").has_value());
}

TEST_F(PauseVerbTest, APausedClusterListsAsPaused) {
  AddCluster({.name = "dev", .namespace_ = "team"});
  ASSERT_EQ(Run({"pause", "dev"}).code, 0);
  const RunResult r = Run({"list", "-o", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["items"][0]["status"], "Paused");
}

TEST_F(PauseVerbTest, ANameThatDoesNotExistChangesNothing) {
  AddCluster({.name = "dev", .namespace_ = "team"});
  const RunResult r = Run({"pause", "nope", "-n", "team"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "error: virtual cluster nope not found in namespace team\n"
            "  see which exist: kubectl vc list\n");
  EXPECT_EQ((*StatefulSet("dev", "team"))["spec"]["replicas"], 1);
}

TEST_F(PauseVerbTest, ResumeFlagsAreNotPauses) {
  const RunResult r = Run({"pause", "dev", "--no-wait"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("--no-wait"), std::string::npos) << r.err;
  EXPECT_EQ(connects_, 0);
}

}  // namespace
}  // namespace vc::cli::cmd::testing
