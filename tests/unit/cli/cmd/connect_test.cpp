// SPDX-License-Identifier: Apache-2.0
// kubectl vc connect and disconnect, run in-process against a fake host. Connecting itself
// needs the virtual cluster's API (through a port-forward or --server), which the fake host
// cannot give: these test what connect checks before that, and its errors.
#include "unit/cli/cmd/verb_test.h"

namespace vc::cli::cmd::testing {
namespace {

class ConnectVerbTest : public VerbTest {};

TEST_F(ConnectVerbTest, ANameThatDoesNotExistIsNotFound) {
  AddCluster({.name = "dev", .namespace_ = "team"});
  const RunResult r = Run({"connect", "nope", "-n", "team"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "error: virtual cluster nope not found in namespace team\n"
            "  see which exist: kubectl vc list\n");
}

TEST_F(ConnectVerbTest, WithoutANameThereMustBeOnlyOneCluster) {
  AddCluster({.name = "dev", .namespace_ = "team-a"});
  AddCluster({.name = "ci", .namespace_ = "team-b"});
  const RunResult r = Run({"connect"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("there are 2 virtual clusters (team-a/dev, team-b/ci): name one"),
            std::string::npos)
      << r.err;
}

TEST_F(ConnectVerbTest, NoClusterAtAllSaysSo) {
  const RunResult r = Run({"connect"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "error: no virtual cluster in any namespace\n"
            "  see which exist: kubectl vc list\n");
}

TEST_F(ConnectVerbTest, BadFlagsFailBeforeTheHostIsAsked) {
  RunResult r = Run({"connect", "dev", "--local-port", "70000"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("--local-port"), std::string::npos) << r.err;
  r = Run({"connect", "dev", "--timeout", "later"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("--timeout"), std::string::npos) << r.err;
  EXPECT_EQ(connects_, 0);
}

TEST_F(ConnectVerbTest, OnlyConnectRunsACommandAfterDoubleDash) {
  const RunResult r = Run({"list", "--", "kubectl", "get", "ns"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "error: only connect runs a command after `--` (kubectl vc connect NAME -- "
            "COMMAND)\n");
}

TEST_F(ConnectVerbTest, DisconnectWhenNotConnectedSaysSoAndChangesNothing) {
  const RunResult r = Run({"disconnect"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.rfind("error: not connected to a virtual cluster (current context unset in ", 0),
            0u)
      << r.err;
  // The kubeconfig it looked at is the test's HOME's, never the machine's.
  EXPECT_NE(r.err.find(home_.path()), std::string::npos) << r.err;
}

}  // namespace
}  // namespace vc::cli::cmd::testing
