// SPDX-License-Identifier: Apache-2.0
// kubectl vc restore and create --restore, run in-process against a fake host. Restoring streams
// the snapshot into the pod's snapshot endpoint through a `kubectl port-forward`, which the fake
// host cannot give: these test what restore checks before that, and its errors.
#include "unit/cli/cmd/verb_test.h"

namespace vc::cli::cmd::testing {
namespace {

using nlohmann::json;
namespace r = kube::resources;

class RestoreVerbTest : public VerbTest {
 protected:
  std::string Url() const { return "file://" + home_.path() + "/dev.vcsnap"; }
};

TEST_F(RestoreVerbTest, APausedClusterIsRefusedWithWhatToDo) {
  AddCluster({.name = "dev", .namespace_ = "team"});
  ASSERT_EQ(Run({"pause", "dev"}).code, 0);
  const RunResult r = Run({"restore", "dev", Url()});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "error: virtual cluster dev is paused: resume it first (kubectl vc resume dev), then "
            "restore\n");
}

TEST_F(RestoreVerbTest, AClusterWithoutPersistentDataIsRefused) {
  AddCluster({.name = "dev", .namespace_ = "team"});
  json sts = *StatefulSet("dev", "team");
  sts["spec"]["template"]["spec"]["volumes"] = {{{"name", "data"}, {"emptyDir", json::object()}}};
  api_->Put(r::kStatefulSets, sts);
  const RunResult r = Run({"restore", "dev", Url()});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("error: virtual cluster dev keeps /data in an emptyDir"), std::string::npos)
      << r.err;
}

TEST_F(RestoreVerbTest, ANameThatDoesNotExistIsNotFound) {
  const RunResult r = Run({"restore", "nope", Url()});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "error: virtual cluster nope not found in any namespace\n"
            "  see which exist: kubectl vc list\n");
}

TEST_F(RestoreVerbTest, NameAndUrlAreRequired) {
  const RunResult r = Run({"restore", "dev"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("URL"), std::string::npos) << r.err;
  EXPECT_EQ(connects_, 0);
}

TEST_F(RestoreVerbTest, CreateRestoreCannotBeADryRun) {
  const RunResult r = Run({"create", "dev", "--restore", Url(), "--dry-run"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "error: --dry-run cannot be used with --restore: the values come from the snapshot, "
            "which a dry run does not read\n");
}

TEST_F(RestoreVerbTest, CreateRestoreFromASnapshotThatIsNotThereCreatesNothing) {
  const RunResult r = Run({"create", "dev", "--restore", Url()});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("Reading " + Url()), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("error: "), std::string::npos) << r.err;
  EXPECT_TRUE(api_->List(r::kStatefulSets).empty());
  EXPECT_EQ(api_->CountRequests("PATCH"), 0);
}

}  // namespace
}  // namespace vc::cli::cmd::testing
