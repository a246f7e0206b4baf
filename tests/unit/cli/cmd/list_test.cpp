// SPDX-License-Identifier: Apache-2.0
// kubectl vc list, run in-process against a fake host.
#include "unit/cli/cmd/verb_test.h"

namespace vc::cli::cmd::testing {
namespace {

using nlohmann::json;

class ListVerbTest : public VerbTest {};

TEST_F(ListVerbTest, ShowsEveryClusterOnTheHostAsATable) {
  AddCluster({.name = "dev", .namespace_ = "team-a"});
  AddCluster({.name = "ci",
              .namespace_ = "team-b",
              .version = "v1.36.3",
              .trust = "zero",
              .ready = false});
  const RunResult r = Run({"list"});
  EXPECT_EQ(r.code, 0) << r.err;
  // The columns are the contract (scripts cut them): sorted by namespace, then name.
  EXPECT_EQ(Lines(r.out), (std::vector<std::string>{
                              "NAME   NAMESPACE   STATUS    TRUST     VERSION   CONNECTED   AGE",
                              "dev    team-a      Running   partial   v1.35.4   False       3d",
                              "ci     team-b      Pending   zero      v1.36.3   False       3d",
                          }));
  EXPECT_EQ(r.err, "");
}

TEST_F(ListVerbTest, NamespaceFlagListsOnlyThatNamespace) {
  AddCluster({.name = "dev", .namespace_ = "team-a"});
  AddCluster({.name = "ci", .namespace_ = "team-b"});
  const RunResult r = Run({"list", "-n", "team-b", "-o", "name"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "virtualcluster/ci\n");
}

TEST_F(ListVerbTest, JsonIsAListOfTheClusters) {
  AddCluster({.name = "dev", .namespace_ = "team-a"});
  const RunResult r = Run({"list", "-o", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json list = json::parse(r.out);
  EXPECT_EQ(list["kind"], "List");
  ASSERT_EQ(list["items"].size(), 1u);
  EXPECT_EQ(list["items"][0]["name"], "dev");
  EXPECT_EQ(list["items"][0]["namespace"], "team-a");
  EXPECT_EQ(list["items"][0]["status"], "Running");
  EXPECT_EQ(list["items"][0]["trustLevel"], "partial");
  EXPECT_EQ(list["items"][0]["connected"], false);
}

TEST_F(ListVerbTest, NoneFoundSaysSoOnStderrAndPrintsNoTable) {
  const RunResult r = Run({"list", "-n", "empty"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "No virtual clusters found in namespace empty.\n");
}

TEST_F(ListVerbTest, AnUnknownOutputFormatFailsBeforeTheHostIsAsked) {
  const RunResult r = Run({"list", "-o", "csv"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "error: unknown output format \"csv\": use -o table, -o json, -o yaml or -o name\n");
  EXPECT_EQ(connects_, 0);
}

TEST_F(ListVerbTest, AHostThatCannotBeReachedIsAnErrorOnStderr) {
  host_error_ = InvalidArgument("no kubeconfig: set KUBECONFIG or use --kubeconfig");
  const RunResult r = Run({"list"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "error: no kubeconfig: set KUBECONFIG or use --kubeconfig\n");
}

TEST_F(ListVerbTest, AnUnknownFlagIsAParseErrorWithTheWayToHelp) {
  const RunResult r = Run({"list", "--colour"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("--colour"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("see 'kubectl vc --help'"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace vc::cli::cmd::testing
