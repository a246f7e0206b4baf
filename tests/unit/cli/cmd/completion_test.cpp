// SPDX-License-Identifier: Apache-2.0
// kubectl vc completion and the __complete protocol behind kubectl_complete-vc, run in-process
// against a fake host.
#include "unit/cli/cmd/verb_test.h"

namespace vc::cli::cmd::testing {
namespace {

class CompletionVerbTest : public VerbTest {};

TEST_F(CompletionVerbTest, BashPrintsTheScript) {
  const RunResult r = Run({"completion", "bash"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("# kubectl-vc completion for bash", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("complete -F _kubectl_vc kubectl-vc\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.err, "");
}

TEST_F(CompletionVerbTest, ZshLoadsBashCompletionFirst) {
  const RunResult r = Run({"completion", "zsh"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(Lines(r.out).at(0), "autoload -U +X bashcompinit && bashcompinit");
}

TEST_F(CompletionVerbTest, AnUnknownShellIsAnError) {
  const RunResult r = Run({"completion", "fish"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("fish"), std::string::npos) << r.err;
}

TEST_F(CompletionVerbTest, CompletesVerbsByPrefix) {
  const RunResult r = Run({"__complete", "de"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "describe\ndelete\n:4\n");
}

TEST_F(CompletionVerbTest, CompletesTheNamesOfClustersOnTheHost) {
  AddCluster({.name = "dev", .namespace_ = "team-a"});
  AddCluster({.name = "ci", .namespace_ = "team-b"});
  EXPECT_EQ(Run({"__complete", "describe", ""}).out, "dev\nci\n:4\n");
  EXPECT_EQ(Run({"__complete", "-n", "team-b", "pause", ""}).out, "ci\n:4\n");
  // Only the first positional is a cluster name.
  EXPECT_EQ(Run({"__complete", "describe", "dev", ""}).out, ":4\n");
}

TEST_F(CompletionVerbTest, CompletesFlagValues) {
  AddCluster({.name = "dev", .namespace_ = "team-a"});
  EXPECT_EQ(Run({"__complete", "list", "-o", ""}).out, "table\njson\nyaml\nname\n:4\n");
  EXPECT_EQ(Run({"__complete", "list", "-n", "team"}).out, "team-a\n:4\n");
  // A values file is a file: the shell completes it (directive 0).
  EXPECT_EQ(Run({"__complete", "create", "x", "-f", ""}).out, ":0\n");
  EXPECT_EQ(Run({"__complete", "create", "x", "--timeout", ""}).out, ":4\n");
}

TEST_F(CompletionVerbTest, CompletesFlagNames) {
  const RunResult r = Run({"__complete", "delete", "--kee"});
  EXPECT_EQ(r.out, "--keep-data\n:4\n");
}

TEST_F(CompletionVerbTest, AnUnreachableHostCompletesNothing) {
  host_error_ = InvalidArgument("no kubeconfig");
  const RunResult r = Run({"__complete", "describe", ""});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, ":4\n");
  EXPECT_EQ(r.err, "");
}

}  // namespace
}  // namespace vc::cli::cmd::testing
