// SPDX-License-Identifier: Apache-2.0
#include "vc/cli/values/set_entries.h"

#include <gtest/gtest.h>

namespace vc::cli::values {
namespace {

using nlohmann::json;

json Apply(json values, const std::string& entry) {
  auto parsed = ParseSetEntry(entry);
  EXPECT_TRUE(parsed.ok()) << parsed.status().message();
  if (!parsed.ok()) return values;
  for (const SetAssignment& a : *parsed) {
    auto touched = ApplySetAssignment(a, values);
    EXPECT_TRUE(touched.ok()) << touched.status().message();
  }
  return values;
}

std::string ParseError(const std::string& entry) {
  auto parsed = ParseSetEntry(entry);
  EXPECT_FALSE(parsed.ok()) << entry;
  return parsed.ok() ? "" : parsed.status().message();
}

TEST(ValuesSet, DottedPathsCreateMaps) {
  EXPECT_EQ(Apply(json::object(), "a.b.c=v"), json({{"a", {{"b", {{"c", "v"}}}}}}));
}

TEST(ValuesSet, TypesScalarsAsHelm) {
  json v = Apply(json::object(),
                 "t=true,f=FALSE,i=42,neg=-3,zero=0,octal=0755,f2=1.5,s=hello,empty=,plus=+7");
  EXPECT_EQ(v["t"], true);
  EXPECT_EQ(v["f"], false);
  EXPECT_EQ(v["i"], 42);
  EXPECT_EQ(v["neg"], -3);
  EXPECT_EQ(v["zero"], 0);
  EXPECT_EQ(v["octal"], "0755");  // a leading zero keeps it a string
  EXPECT_EQ(v["f2"], "1.5");      // helm --set has no floats
  EXPECT_EQ(v["s"], "hello");
  EXPECT_EQ(v["empty"], "");
  EXPECT_EQ(v["plus"], 7);
}

TEST(ValuesSet, NullDeletes) {
  EXPECT_EQ(Apply({{"a", {{"b", 1}, {"c", 2}}}}, "a.b=null"), json({{"a", {{"c", 2}}}}));
}

TEST(ValuesSet, ListIndexes) {
  json v = Apply(json::object(), "a.b[1].c=x");
  EXPECT_EQ(v, json::parse(R"({"a":{"b":[null,{"c":"x"}]}})"));
  v = Apply({{"l", {1, 2, 3}}}, "l[0]=9");
  EXPECT_EQ(v["l"], json({9, 2, 3}));
  v = Apply(json::object(), "m[0][1]=y");
  EXPECT_EQ(v["m"], json::parse(R"([[null,"y"]])"));
}

TEST(ValuesSet, EscapesCommaDotEquals) {
  json v = Apply(json::object(), R"(quota.requests\.cpu=10,msg=a\,b,eq=x=y,k\=k=1)");
  EXPECT_EQ(v["quota"]["requests.cpu"], 10);
  EXPECT_EQ(v["msg"], "a,b");
  EXPECT_EQ(v["eq"], "x=y");  // like helm, the value runs to the next comma
  EXPECT_EQ(v["k=k"], 1);
}

TEST(ValuesSet, ReplacesScalarInTheWay) {
  EXPECT_EQ(Apply({{"a", 5}}, "a.b=1"), json({{"a", {{"b", 1}}}}));
}

TEST(ValuesSet, KeepsAssignmentTextForErrors) {
  auto parsed = ParseSetEntry("a=1,b.c=two");
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ((*parsed)[0].text, "a=1");
  EXPECT_EQ((*parsed)[1].text, "b.c=two");
}

TEST(ValuesSet, RejectsMalformedEntries) {
  EXPECT_EQ(ParseError("a.b"), "--set a.b: missing = after a.b; expected key=value");
  EXPECT_EQ(ParseError("a=1,b"), "--set a=1,b: missing = after b; expected key=value");
  EXPECT_NE(ParseError("a..b=1").find("empty key"), std::string::npos);
  EXPECT_NE(ParseError("=1").find("empty key"), std::string::npos);
  EXPECT_NE(ParseError("a[x]=1").find("not a number"), std::string::npos);
  EXPECT_NE(ParseError("a[1=1").find("missing ]"), std::string::npos);
  EXPECT_NE(ParseError("a[99999]=1").find("larger than"), std::string::npos);
  EXPECT_NE(ParseError("a=1,").find("trailing comma"), std::string::npos);
  EXPECT_NE(ParseError("").find("empty entry"), std::string::npos);
  EXPECT_NE(ParseError("[0]=1").find("needs a key"), std::string::npos);
}

}  // namespace
}  // namespace vc::cli::values
