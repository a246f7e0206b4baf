// SPDX-License-Identifier: Apache-2.0
// kubectl vc resume, run in-process against a fake host. Waiting for the control plane to be
// ready needs a StatefulSet controller the fake does not have: these use --no-wait.
#include "unit/cli/cmd/verb_test.h"

namespace vc::cli::cmd::testing {
namespace {

using nlohmann::json;
namespace r = kube::resources;

class ResumeVerbTest : public VerbTest {
 protected:
  // A cluster `pause` left with `replicas` to come back to, paused by `by` ("" a person).
  void AddPaused(const std::string& replicas, const std::string& by = "") {
    AddCluster({.name = "dev", .namespace_ = "team"});
    json sts = *StatefulSet("dev", "team");
    sts["spec"]["replicas"] = 0;
    sts["metadata"]["annotations"][lifecycle::kPausedReplicasAnnotation] = replicas;
    sts["metadata"]["annotations"][lifecycle::kPausedAtAnnotation] = "2026-12-01T08:00:00Z";
    if (!by.empty()) sts["metadata"]["annotations"][labels::kPausedByAnnotation] = by;
    api_->Put(r::kStatefulSets, sts);
  }
};

TEST_F(ResumeVerbTest, NoWaitScalesBackToWhatWasRecordedAndForgetsThePause) {
  AddPaused("2");
  const RunResult r = Run({"resume", "dev", "--no-wait"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("Resuming virtual cluster dev"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("scaled to 2"), std::string::npos) << r.err;
  const json sts = *StatefulSet("dev", "team");
  EXPECT_EQ(sts["spec"]["replicas"], 2);
  EXPECT_FALSE(sts["metadata"]["annotations"].contains(lifecycle::kPausedReplicasAnnotation));
  EXPECT_FALSE(sts["metadata"]["annotations"].contains(lifecycle::kPausedAtAnnotation));
}

TEST_F(ResumeVerbTest, IfSleepingLeavesAClusterAPersonPausedAsItIs) {
  AddPaused("1");
  const RunResult r = Run({"resume", "dev", "--if-sleeping", "--no-wait"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("virtual cluster dev is not sleeping (Paused)"), std::string::npos) << r.err;
  EXPECT_EQ((*StatefulSet("dev", "team"))["spec"]["replicas"], 0);
}

TEST_F(ResumeVerbTest, IfSleepingWakesAClusterSleepModePutToSleep) {
  AddPaused("1", labels::kPausedByAutoSleep);
  const RunResult r = Run({"resume", "dev", "-n", "team", "--if-sleeping", "--no-wait"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ((*StatefulSet("dev", "team"))["spec"]["replicas"], 1);
}

TEST_F(ResumeVerbTest, ANameThatDoesNotExistIsAnError) {
  const RunResult r = Run({"resume", "nope", "--no-wait"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "error: virtual cluster nope not found in any namespace\n"
            "  see which exist: kubectl vc list\n");
}

TEST_F(ResumeVerbTest, ABadTimeoutFailsBeforeTheHostIsAsked) {
  const RunResult r = Run({"resume", "dev", "--timeout", "soon"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("--timeout"), std::string::npos) << r.err;
  EXPECT_EQ(connects_, 0);
}

}  // namespace
}  // namespace vc::cli::cmd::testing
