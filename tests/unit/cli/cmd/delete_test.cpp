// SPDX-License-Identifier: Apache-2.0
// kubectl vc delete, run in-process against a fake host.
#include "unit/cli/cmd/verb_test.h"

namespace vc::cli::cmd::testing {
namespace {

using nlohmann::json;
namespace r = kube::resources;

class DeleteVerbTest : public VerbTest {};

TEST_F(DeleteVerbTest, RemovesEverythingCreateMadeAndTheNamespaceItMade) {
  AddCluster({.name = "dev", .namespace_ = "team"});
  AddCluster({.name = "other", .namespace_ = "elsewhere"});
  const RunResult r = Run({"delete", "dev", "--wait"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("Deleting virtual cluster dev in namespace team"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("and namespace team"), std::string::npos) << r.err;
  EXPECT_FALSE(StatefulSet("dev", "team").has_value());
  EXPECT_FALSE(api_->Get(r::kServices, "team", "dev").has_value());
  EXPECT_FALSE(api_->Get(r::kSecrets, "team", "vc-config-dev").has_value());
  EXPECT_FALSE(api_->Get(r::kPods, "team", "dev-0").has_value());
  EXPECT_FALSE(api_->Get(r::kNamespaces, "", "team").has_value());
  // Another tenant's objects are not this one's.
  EXPECT_TRUE(StatefulSet("other", "elsewhere").has_value());
  EXPECT_TRUE(api_->Get(r::kNamespaces, "", "elsewhere").has_value());
  EXPECT_EQ(Lines(Run({"list", "-o", "name"}).out),
            (std::vector<std::string>{"virtualcluster/other"}));
}

TEST_F(DeleteVerbTest, KeepDataKeepsTheNamespace) {
  AddCluster({.name = "dev", .namespace_ = "team"});
  const RunResult r = Run({"delete", "dev", "-n", "team", "--keep-data"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("the data volume is kept"), std::string::npos) << r.err;
  EXPECT_FALSE(StatefulSet("dev", "team").has_value());
  EXPECT_TRUE(api_->Get(r::kNamespaces, "", "team").has_value());
}

TEST_F(DeleteVerbTest, ANameThatDoesNotExistDeletesNothing) {
  AddCluster({.name = "dev", .namespace_ = "team"});
  const RunResult r = Run({"delete", "nope"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "error: virtual cluster nope not found in any namespace\n"
            "  see which exist: kubectl vc list\n");
  EXPECT_TRUE(StatefulSet("dev", "team").has_value());
  EXPECT_EQ(api_->CountRequests("DELETE"), 0);
}

TEST_F(DeleteVerbTest, ABadTimeoutFailsBeforeTheHostIsAsked) {
  AddCluster({.name = "dev", .namespace_ = "team"});
  const RunResult r = Run({"delete", "dev", "--wait", "--timeout=forever"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("--timeout"), std::string::npos) << r.err;
  EXPECT_EQ(connects_, 0);
  EXPECT_TRUE(StatefulSet("dev", "team").has_value());
}

TEST_F(DeleteVerbTest, ANameIsRequired) {
  const RunResult r = Run({"delete"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("NAME"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace vc::cli::cmd::testing
