// SPDX-License-Identifier: Apache-2.0
#include "vc/cli/host.h"

#include <gtest/gtest.h>

namespace vc::cli {
namespace {

using std::chrono::milliseconds;

TEST(ParseDuration, KubectlSyntax) {
  EXPECT_EQ(*ParseDuration("--timeout", "0"), milliseconds(0));
  EXPECT_EQ(*ParseDuration("--timeout", "30"), milliseconds(30000));
  EXPECT_EQ(*ParseDuration("--timeout", "30s"), milliseconds(30000));
  EXPECT_EQ(*ParseDuration("--timeout", "1h30m"), milliseconds(5400000));
  EXPECT_EQ(*ParseDuration("--timeout", "250ms"), milliseconds(250));
  for (const char* bad : {"", "5x", "m5", "5m junk", "-5s"}) {
    auto d = ParseDuration("--timeout", bad);
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_NE(d.status().message().find("--timeout"), std::string::npos);
  }
}

TEST(ValidateName, SaysWhichRuleIsBroken) {
  EXPECT_TRUE(ValidateName("name", "dev-team").ok());
  auto upper = ValidateName("virtual cluster name", "Dev_Team");
  EXPECT_EQ(upper.code(), Code::kInvalidArgument);
  EXPECT_NE(upper.message().find("lowercase"), std::string::npos);
  auto dash = ValidateName("name", "-dev");
  EXPECT_FALSE(dash.ok());
  auto long_name = ValidateName("name", std::string(53, 'a'), 52);
  EXPECT_NE(long_name.message().find("at most 52"), std::string::npos);
  EXPECT_NE(ValidateName("name", "").message().find("required"), std::string::npos);
}

}  // namespace
}  // namespace vc::cli
