// SPDX-License-Identifier: Apache-2.0
// vc/utf8.h and vc/json_text.h: the checks parsers of outside text lean on.
#include "vc/utf8.h"

#include <gtest/gtest.h>

#include "vc/json_text.h"

namespace vc {
namespace {

TEST(Utf8, FirstInvalidFollowsRfc3629) {
  EXPECT_EQ(utf8::FirstInvalid("plain \xc3\xa9 \xe2\x98\xba \xf0\x9f\x98\x80"), std::string::npos);
  EXPECT_EQ(utf8::FirstInvalid("ab\xff"), 2u);
  EXPECT_EQ(utf8::FirstInvalid("\xc0\xaf"), 0u);          // overlong '/'
  EXPECT_EQ(utf8::FirstInvalid("x\xed\xa0\x80"), 1u);     // a surrogate
  EXPECT_EQ(utf8::FirstInvalid("\xf4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(utf8::FirstInvalid("\xe2\x98"), 0u);          // cut short
  EXPECT_TRUE(utf8::IsValid(std::string("a\0b", 3)));
}

TEST(Utf8, TruncateEndsBetweenCharacters) {
  EXPECT_EQ(utf8::Truncate("ab\xc3\xa9", 3), "ab");
  EXPECT_EQ(utf8::Truncate("ab\xc3\xa9", 4), "ab\xc3\xa9");
  EXPECT_EQ(utf8::Truncate("\xe2\x98\xba\xe2\x98\xba", 5), "\xe2\x98\xba");
  EXPECT_EQ(utf8::Truncate("abc", 0), "");
}

TEST(Utf8, EscapeWritesStrayBytesAsHex) {
  EXPECT_EQ(utf8::Escape("caf\xe9 \xc3\xa9"), "caf\\xe9 \xc3\xa9");
  EXPECT_EQ(utf8::Escape("\xc3"), "\\xc3");
  EXPECT_EQ(utf8::Escape(std::string("a\0b\n\x1b[2J\x7f", 9)), "a\\x00b\\x0a\\x1b[2J\\x7f");
}

TEST(JsonText, ErrorsInsteadOfExceptionsAndBoundedNesting) {
  auto ok = ParseJsonText(R"({"a": [1, {"b": null}]})", "meta.json");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ((*ok)["a"][1]["b"], nullptr);
  auto bad = ParseJsonText("{\"a\": \xff}", "meta.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().rfind("meta.json is not JSON: ", 0), 0u);
  EXPECT_TRUE(utf8::IsValid(bad.status().message()));
  // 100000 '[' parse without recursion, but dump() and copies would overflow the stack.
  auto deep = ParseJsonText(std::string(100000, '[') + std::string(100000, ']'), "meta.json");
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.status().message(), "meta.json nests deeper than 64 levels");
}

}  // namespace
}  // namespace vc
