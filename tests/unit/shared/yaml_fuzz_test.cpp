// SPDX-License-Identifier: Apache-2.0
// Inputs tests/fuzz/values_yaml_fuzzer.cpp (and the kubeconfig and snapshot-meta targets,
// which read YAML or dump it) found, minimised: each once crashed, hung or broke the
// Parse(Dump(x)) == x promise of yaml.h.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "vc/utf8.h"
#include "vc/yaml.h"

namespace vc::yaml {
namespace {

using nlohmann::json;

std::string ErrorOf(std::string_view text) {
  auto doc = ParseAll(text, "v.yaml");
  EXPECT_FALSE(doc.ok()) << text;
  if (doc.ok()) return "";
  EXPECT_TRUE(utf8::IsValid(doc.status().message())) << utf8::Escape(doc.status().message());
  return doc.status().message();
}

json RoundTrip(const json& value) {
  const std::string text = Dump(value);
  auto again = Parse(text, "dumped.yaml");
  EXPECT_TRUE(again.ok()) << again.status().message() << "\n" << text;
  return again.ok() ? again->value : json("<error>");
}

TEST(YamlFuzz, BytesThatAreNotUtf8AreAnErrorWithTheirPosition) {
  // Once passed through into JSON, whose dump() then threw.
  EXPECT_EQ(ErrorOf("a: 1\nb: \"x\xff\"\n"),
            "v.yaml:2:6: not valid UTF-8 (save the file as UTF-8)");
  EXPECT_EQ(ErrorOf("\xc3"), "v.yaml:1:1: not valid UTF-8 (save the file as UTF-8)");
}

TEST(YamlFuzz, YamlCppMessagesQuotingHalfACharacterStayUtf8) {
  // yaml-cpp says "unknown escape character: " and the first byte of the character.
  EXPECT_EQ(ErrorOf("a: \"\\\xc3\xa9\"\n"), "v.yaml:1:7: unknown escape character: \\xc3");
}

TEST(YamlFuzz, NelAndNbspEscapesBecomeTheirCharacters) {
  // yaml-cpp writes \N and \_ as the lone bytes 0x85 and 0xA0.
  auto doc = Parse("a: \"x\\Ny\\_z\"\nb: \"\\N\"\n", "v.yaml");
  ASSERT_TRUE(doc.ok()) << doc.status().message();
  EXPECT_EQ(doc->value["a"], "x\xC2\x85y\xC2\xA0z");
  EXPECT_EQ(doc->value["b"], "\xC2\x85");
  EXPECT_NO_THROW((void)doc->value.dump());
}

TEST(YamlFuzz, StrayCommaIsAnErrorNotAnEndlessLoop) {
  // yaml-cpp's LoadAll added a null document forever (and memory with it).
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(ErrorOf(","),
            "v.yaml:1:1: unexpected ',' where a value should start (a ',' separates items only "
            "inside [ ] or { }; quote a value that starts with it)");
  EXPECT_NE(ErrorOf("a: 1\n---\n,\n").find("v.yaml:3:1: unexpected ','"), std::string::npos);
  EXPECT_FALSE(ErrorOf("- !+(.,.)").empty());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(YamlFuzz, AliasBombsStopEarly) {
  // "Billion laughs": nine levels of ten aliases each is 10^9 values.
  std::string text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 9; ++i) {
    const std::string prev = "*a" + std::to_string(i - 1);
    text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j) text += (j ? ", " : "") + prev;
    text += "]\n";
  }
  const auto start = std::chrono::steady_clock::now();
  const std::string error = ErrorOf(text);
  EXPECT_NE(error.find("document too large after expanding aliases (more than "), std::string::npos)
      << error;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  // A few aliases, as values files use them, are fine.
  auto doc = Parse("base: &b {cpu: 1}\nx: *b\nw: {<<: *b, memory: 2}\n", "v.yaml");
  ASSERT_TRUE(doc.ok()) << doc.status().message();
  EXPECT_EQ(doc->value["w"], json({{"cpu", 1}, {"memory", 2}}));
}

TEST(YamlFuzz, DumpWritesNelSoThatItReadsBack) {
  // Dump wrote \N, which yaml-cpp reads back as the lone byte 0x85.
  EXPECT_EQ(Dump(json("a\xC2\x85")), "\"a\\u0085\"\n");
  const json value = {{"k\xC2\x85", "\xC2\x85\xE2\x80\xA8\xE2\x80\xA9\xEF\xBB\xBF"}};
  EXPECT_EQ(RoundTrip(value), value);
}

TEST(YamlFuzz, DumpWritesKeysLongerThanYamlAllowsImplicitlyAsExplicitKeys) {
  // YAML's implicit keys end within 1024 characters; Dump wrote longer ones as `key: value`.
  const std::string long_key(1100, 'k');
  const json value = {{long_key, {{"a", 1}}},
                      {"short", json::array({1, 2})},
                      {std::string(1030, 'q'), json::array({1, "x"})},
                      {std::string(1200, '\n'), "multi\nline\n"}};
  EXPECT_EQ(RoundTrip(value), value);
  EXPECT_EQ(Dump(json{{long_key, 1}}), "? \"" + long_key + "\"\n: 1\n");
}

TEST(YamlFuzz, MapsWithThousandsOfKeysRoundTrip) {
  json value = json::object();
  for (int i = 0; i < 3000; ++i) value["k" + std::to_string(i)] = i;
  EXPECT_EQ(RoundTrip(value), value);
}

}  // namespace
}  // namespace vc::yaml
