// SPDX-License-Identifier: Apache-2.0
// Inputs tests/fuzz/values_yaml_fuzzer.cpp and set_entry_fuzzer.cpp found, minimised: each once
// threw out of Resolve (nlohmann's dump() on text that is not UTF-8), let a value past its
// pattern, or took seconds.
#include <gtest/gtest.h>

#include <chrono>

#include "vc/cli/values/resolve.h"
#include "vc/cli/values/set_entries.h"
#include "vc/utf8.h"

namespace vc::cli::values {
namespace {

// Resolve's error, checked to be what users can be shown: UTF-8, details that dump as JSON.
std::string ResolveError(ResolveInput in) {
  auto r = Resolve(in);
  EXPECT_FALSE(r.ok());
  if (r.ok()) return "";
  EXPECT_TRUE(utf8::IsValid(r.status().message())) << utf8::Escape(r.status().message());
  EXPECT_NO_THROW((void)r.status().details().dump());
  return r.status().message();
}

TEST(ValuesFuzz, SetValuesThatAreNotUtf8AreAnError) {
  ResolveInput in;
  in.set_entries = {"isolation.trustLevel=\xff"};
  EXPECT_EQ(ResolveError(in),
            "--set isolation.trustLevel=\\xff: byte 22 is not valid UTF-8; pass text in UTF-8 "
            "(check the shell's locale)");
  EXPECT_FALSE(ParseSetEntry("a\xc3=b").ok());
}

TEST(ValuesFuzz, ValuesFilesThatAreNotUtf8AreAnError) {
  ResolveInput in;
  in.sources = {ValuesSource::Text("v.yaml", "isolation:\n  trustLevel: \"h\xe9gh\"\n")};
  EXPECT_EQ(ResolveError(in), "v.yaml:2:17: not valid UTF-8 (save the file as UTF-8)");
}

TEST(ValuesFuzz, LongValuesInMessagesAreCutBetweenCharacters) {
  // The value is shortened to 37 bytes: once in the middle of the 19th 'é'.
  std::string text;
  for (int i = 0; i < 30; ++i) text += "\xc3\xa9";
  ResolveInput in;
  in.sources = {ValuesSource::Text("v.yaml", "policies:\n  networkPolicy:\n    enabled: " + text)};
  const std::string error = ResolveError(in);
  std::string shown;
  for (int i = 0; i < 18; ++i) shown += "\xc3\xa9";
  EXPECT_EQ(error, "v.yaml:3:5: policies.networkPolicy.enabled: expected boolean, got string \"" +
                       shown + "...\"");
}

TEST(ValuesFuzz, PatternsSeeThePartAfterANul) {
  // regexec stopped at the NUL and passed "v1.30.0\0; anything".
  ResolveInput in;
  in.sources = {ValuesSource::Text(
      "v.yaml", "controlPlane:\n  distro:\n    k8s:\n      version: \"v1.30.0\\0; anything\"\n")};
  EXPECT_NE(ResolveError(in).find("controlPlane.distro.k8s.version: \"v1.30.0\\u0000; anything\" "
                                  "is not a version such as v1.35.2"),
            std::string::npos);
}

TEST(ValuesFuzz, ThousandsOfUnknownKeysAreReportedQuickly) {
  // Each unknown key was compared with every key of the schema in full: seconds per file.
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "unknown" + std::to_string(i) + "xxxxxxxxxxxxxxxx: 1\n";
  ResolveInput in;
  in.sources = {ValuesSource::Text("v.yaml", text)};
  const auto start = std::chrono::steady_clock::now();
  const std::string error = ResolveError(in);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(error.substr(0, error.find('\n')),
            "v.yaml:1:1: unknown key unknown0xxxxxxxxxxxxxxxx (valid keys: controlPlane, "
            "experimental, exportKubeConfig, isolation, networking, policies, sleepMode, sync)");
}

}  // namespace
}  // namespace vc::cli::values
