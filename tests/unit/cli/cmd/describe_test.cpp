// SPDX-License-Identifier: Apache-2.0
// kubectl vc describe, run in-process against a fake host.
#include "unit/cli/cmd/verb_test.h"

namespace vc::cli::cmd::testing {
namespace {

using nlohmann::json;

class DescribeVerbTest : public VerbTest {};

TEST_F(DescribeVerbTest, SummarisesTheClusterWithItsPodEndpointAndValues) {
  AddCluster({.name = "dev", .namespace_ = "team"});
  const RunResult r = Run({"describe", "dev"});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::vector<std::string> lines = Lines(r.out);
  ASSERT_GE(lines.size(), 6u) << r.out;
  EXPECT_EQ(lines[0], "Name:          dev");
  EXPECT_EQ(lines[1], "Namespace:     team");
  EXPECT_EQ(lines[2], "Status:        Running");
  EXPECT_EQ(lines[3], "Trust level:   partial");
  EXPECT_EQ(lines[4], "Version:       v1.35.4");
  EXPECT_NE(r.out.find("Endpoint:      dev.team.svc:443 (ClusterIP 10.96.0.10)\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("Control plane: pod dev-0 on node node-1, Running, IP 10.244.0.7\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("Values (effective):\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("serviceCIDR: 10.96.0.0/12"), std::string::npos) << r.out;
  EXPECT_EQ(r.err, "");
}

TEST_F(DescribeVerbTest, JsonIsTheWholeDocument) {
  AddCluster({.name = "dev", .namespace_ = "team"});
  const RunResult r = Run({"describe", "dev", "-n", "team", "-o", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json doc = json::parse(r.out);
  EXPECT_EQ(doc["name"], "dev");
  EXPECT_EQ(doc["status"], "Running");
  EXPECT_EQ(doc["endpoint"]["clusterIP"], "10.96.0.10");
  EXPECT_EQ(doc["values"]["networking"]["serviceCIDR"], "10.96.0.0/12");
}

TEST_F(DescribeVerbTest, ANameThatDoesNotExistIsNotFoundWithWhereToLook) {
  AddCluster({.name = "dev", .namespace_ = "team"});
  const RunResult r = Run({"describe", "nope"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "error: virtual cluster nope not found in any namespace\n"
            "  see which exist: kubectl vc list\n");
}

TEST_F(DescribeVerbTest, ANameIsRequired) {
  const RunResult r = Run({"describe"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("NAME"), std::string::npos) << r.err;
  EXPECT_EQ(connects_, 0);
}

}  // namespace
}  // namespace vc::cli::cmd::testing
