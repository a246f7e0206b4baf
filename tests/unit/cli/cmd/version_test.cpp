// SPDX-License-Identifier: Apache-2.0
// kubectl vc version, run in-process against a fake host.
#include "unit/cli/cmd/verb_test.h"

namespace vc::cli::cmd::testing {
namespace {

using nlohmann::json;

class VersionVerbTest : public VerbTest {};

TEST_F(VersionVerbTest, ClientOnlyPrintsThisBuildAndNeverAsksTheHost) {
  const RunResult r = Run({"version", "--client"});
  EXPECT_EQ(r.code, 0) << r.err;
  const std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  EXPECT_EQ(lines[0].rfind("kubectl-vc: ", 0), 0u) << lines[0];
  EXPECT_EQ(lines[1].rfind("control plane: ", 0), 0u) << lines[1];
  EXPECT_NE(lines[1].find("kube-apiserver"), std::string::npos) << lines[1];
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(connects_, 0);
}

TEST_F(VersionVerbTest, TheHostsVersionComesFromItsApiServer) {
  const RunResult r = Run({"version"});
  EXPECT_EQ(r.code, 0) << r.err;
  const std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  EXPECT_EQ(lines[2], "host server: v1.36.2");
}

TEST_F(VersionVerbTest, JsonHasEveryVersion) {
  const RunResult r = Run({"version", "-o", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json doc = json::parse(r.out);
  EXPECT_TRUE(doc["clientVersion"].is_string());
  EXPECT_EQ(doc["hostServerVersion"], "v1.36.2");
  EXPECT_NE(doc["controlPlaneImages"]["kubeApiserver"].get<std::string>().find("kube-apiserver"),
            std::string::npos);
}

TEST_F(VersionVerbTest, NoHostIsALineNotAFailure) {
  host_error_ = InvalidArgument("no kubeconfig");
  const RunResult r = Run({"version"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(Lines(r.out).back(), "host server: no host cluster configured");
}

TEST_F(VersionVerbTest, AnUnknownOutputFormatIsAnError) {
  const RunResult r = Run({"version", "-o", "xml"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("xml"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace vc::cli::cmd::testing
