// SPDX-License-Identifier: Apache-2.0
#include "vc/cli/output/output.h"

#include <gtest/gtest.h>

#include <sstream>

namespace vc::cli::output {
namespace {

using std::chrono::seconds;

TEST(HumanDuration, MatchesKubectlAges) {
  EXPECT_EQ(HumanDuration(seconds(0)), "0s");
  EXPECT_EQ(HumanDuration(seconds(119)), "119s");
  EXPECT_EQ(HumanDuration(seconds(150)), "2m30s");
  EXPECT_EQ(HumanDuration(seconds(600)), "10m");
  EXPECT_EQ(HumanDuration(seconds(3 * 3600 + 20 * 60)), "3h20m");
  EXPECT_EQ(HumanDuration(seconds(20 * 3600)), "20h");
  EXPECT_EQ(HumanDuration(seconds(50 * 3600)), "2d2h");
  EXPECT_EQ(HumanDuration(seconds(400 * 86400)), "400d");
  EXPECT_EQ(HumanDuration(seconds(-5)), "0s");
}

TEST(Age, FromTimestamp) {
  const auto now = *ParseTime("2026-11-24T05:10:00Z");
  EXPECT_EQ(Age("2026-11-24T05:00:00Z", now), "10m");
  EXPECT_EQ(Age("not a time", now), "<unknown>");
}

TEST(PrintTable, PadsColumnsAndTrimsLineEnds) {
  std::ostringstream out;
  PrintTable(out, {"NAME", "STATUS"}, {{"dev-team", "Running"}, {"p", ""}});
  EXPECT_EQ(out.str(), "NAME       STATUS\ndev-team   Running\np\n");
}

TEST(ParseFormat, NamesTheChoices) {
  EXPECT_EQ(*ParseFormat("json"), Format::kJson);
  EXPECT_EQ(*ParseFormat("yaml"), Format::kYaml);
  EXPECT_EQ(*ParseFormat(""), Format::kTable);
  auto bad = ParseFormat("xml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("-o json"), std::string::npos);
}

TEST(PrintList, JsonIsAKubernetesList) {
  std::ostringstream out;
  PrintList(out, Format::kJson, {{{"metadata", {{"name", "a"}}}}});
  auto doc = nlohmann::json::parse(out.str());
  EXPECT_EQ(doc["kind"], "List");
  EXPECT_EQ(doc["items"][0]["metadata"]["name"], "a");
}

TEST(Progress, StepsEndWithAMark) {
  std::ostringstream err;
  Progress p(err);
  p.Begin("Applying");
  p.Note("quota exceeded");
  p.Done("3 created");
  p.Begin("Waiting");
  p.Fail("timed out");
  const std::string text = err.str();
  EXPECT_NE(text.find(" * Applying\n"), std::string::npos);
  EXPECT_NE(text.find("   ! quota exceeded\n"), std::string::npos);
  EXPECT_NE(text.find(" ✓ Applying: 3 created ("), std::string::npos);
  EXPECT_NE(text.find(" ✗ Waiting: timed out ("), std::string::npos);
}

}  // namespace
}  // namespace vc::cli::output
