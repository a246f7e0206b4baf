// SPDX-License-Identifier: Apache-2.0
// kubectl vc snapshot and snapshot inspect, run in-process against a fake host. Taking a
// snapshot streams it from the pod's snapshot endpoint through a `kubectl port-forward`, which
// the fake host cannot give: these test what snapshot checks before that, and its errors.
#include "unit/cli/cmd/verb_test.h"

namespace vc::cli::cmd::testing {
namespace {

using nlohmann::json;
namespace r = kube::resources;

class SnapshotVerbTest : public VerbTest {};

TEST_F(SnapshotVerbTest, NameAndUrlAreBothNeeded) {
  const RunResult r = Run({"snapshot", "dev"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("want NAME and URL (or: snapshot inspect URL)"), std::string::npos) << r.err;
  EXPECT_EQ(connects_, 0);
}

TEST_F(SnapshotVerbTest, AnUnknownStoreIsRefusedBeforeTheHostIsAsked) {
  const RunResult r = Run({"snapshot", "dev", "ftp://example.com/dev.vcsnap"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("ftp://"), std::string::npos) << r.err;
  EXPECT_EQ(connects_, 0);
}

TEST_F(SnapshotVerbTest, AMissingKeyFileIsAnError) {
  const RunResult r = Run({"snapshot", "dev", "file://" + home_.path() + "/dev.vcsnap",
                           "--encryption-key-file", home_.path() + "/no-key"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("no-key"), std::string::npos) << r.err;
  EXPECT_EQ(connects_, 0);
}

TEST_F(SnapshotVerbTest, ANameThatDoesNotExistIsNotFound) {
  const RunResult r = Run({"snapshot", "nope", "file://" + home_.path() + "/nope.vcsnap"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "error: virtual cluster nope not found in any namespace\n"
            "  see which exist: kubectl vc list\n");
}

TEST_F(SnapshotVerbTest, APausedClusterIsRefusedWithWhatToDo) {
  AddCluster({.name = "dev", .namespace_ = "team"});
  ASSERT_EQ(Run({"pause", "dev"}).code, 0);
  const RunResult r = Run({"snapshot", "dev", "file://" + home_.path() + "/dev.vcsnap"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "error: virtual cluster dev is paused: its database is not running; resume it first "
            "(kubectl vc resume dev)\n");
}

TEST_F(SnapshotVerbTest, AClusterWhoseValuesCannotBeReadIsRefused) {
  AddCluster({.name = "dev", .namespace_ = "team"});
  ASSERT_TRUE(api_->Remove(r::kSecrets, "team", "vc-config-dev"));
  const RunResult r = Run({"snapshot", "dev", "file://" + home_.path() + "/dev.vcsnap"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("error: the values virtual cluster dev runs with (Secret vc-config-dev in "
                       "namespace team) cannot be read"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("  put them back first: kubectl vc create dev -n team --upgrade -f VALUES"),
            std::string::npos)
      << r.err;
}

TEST_F(SnapshotVerbTest, InspectOfAFileThatIsNotThereIsAnError) {
  const RunResult r = Run({"snapshot", "inspect", "file://" + home_.path() + "/none.vcsnap"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("error: inspect file://"), std::string::npos) << r.err;
  EXPECT_EQ(connects_, 0);
}

TEST_F(SnapshotVerbTest, InspectOutputIsTableJsonOrYaml) {
  const RunResult r = Run({"snapshot", "inspect", "file:///x.vcsnap", "-o", "name"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("--output"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace vc::cli::cmd::testing
