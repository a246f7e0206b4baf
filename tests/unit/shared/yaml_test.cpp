// SPDX-License-Identifier: Apache-2.0
#include "vc/yaml.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace vc::yaml {
namespace {

using nlohmann::json;

json Value(std::string_view text) {
  auto doc = Parse(text, "t.yaml");
  EXPECT_TRUE(doc.ok()) << doc.status().message();
  return doc.ok() ? doc->value : json("<error>");
}

std::string ErrorOf(std::string_view text, std::string_view source = "t.yaml") {
  auto doc = Parse(text, source);
  EXPECT_FALSE(doc.ok()) << text;
  return doc.ok() ? "" : doc.status().message();
}

TEST(YamlParse, TypesScalarsAsKubernetesDoes) {
  json v = Value(R"(
int: 42
neg: -7
hex: 0x1F
octal12: 0o17
octal11: 017
binary: 0b101
under: 1_000
float: 1.5
exp: 1e3
dotfloat: .5
big: 18446744073709551615
bigger: 123456789012345678901234567890
t: true
f: False
yes: yes
no: No
list: [on, OFF, y, N, YES]
tilde: ~
null1: null
empty:
str: hello world
version: 1.2.3
date: 2024-01-02
stamp: 2024-01-02T03:04:05Z
quoted_yes: "yes"
quoted_int: '42'
quoted_null: "null"
)");
  EXPECT_EQ(v["int"], 42);
  EXPECT_EQ(v["neg"], -7);
  EXPECT_EQ(v["hex"], 31);
  EXPECT_EQ(v["octal12"], 15);
  EXPECT_EQ(v["octal11"], 15);
  EXPECT_EQ(v["binary"], 5);
  EXPECT_EQ(v["under"], 1000);
  EXPECT_TRUE(v["float"].is_number_float());
  EXPECT_DOUBLE_EQ(v["float"].get<double>(), 1.5);
  EXPECT_DOUBLE_EQ(v["exp"].get<double>(), 1000.0);
  EXPECT_DOUBLE_EQ(v["dotfloat"].get<double>(), 0.5);
  EXPECT_TRUE(v["big"].is_number_unsigned());
  EXPECT_EQ(v["big"].get<uint64_t>(), 18446744073709551615ULL);
  EXPECT_TRUE(v["bigger"].is_number_float());
  EXPECT_EQ(v["t"], true);
  EXPECT_EQ(v["f"], false);
  // YAML 1.1 booleans, as go-yaml v2 / sigs.k8s.io/yaml read them, also as keys.
  EXPECT_EQ(v["true"], true) << v.dump();  // the key "yes" became "true"
  EXPECT_EQ(v["false"], false);
  EXPECT_FALSE(v.contains("yes"));
  EXPECT_EQ(v["list"], json::parse("[true, false, true, false, true]"));
  EXPECT_TRUE(v["tilde"].is_null());
  EXPECT_TRUE(v["null1"].is_null());
  EXPECT_TRUE(v["empty"].is_null());
  EXPECT_EQ(v["str"], "hello world");
  EXPECT_EQ(v["version"], "1.2.3");
  EXPECT_EQ(v["date"], "2024-01-02");
  EXPECT_EQ(v["stamp"], "2024-01-02T03:04:05Z");
  EXPECT_EQ(v["quoted_yes"], "yes");
  EXPECT_EQ(v["quoted_int"], "42");
  EXPECT_EQ(v["quoted_null"], "null");
}

TEST(YamlParse, HonoursExplicitTags) {
  json v = Value(
      "a: !!str 5\nb: !!int '7'\nc: !!float 3\nd: !!bool 'yes'\ne: !!str ~\n"
      "f: !custom x\ng: !!binary aGk=\n");
  EXPECT_EQ(v["a"], "5");
  EXPECT_EQ(v["b"], 7);
  EXPECT_TRUE(v["c"].is_number_float());
  EXPECT_EQ(v["d"], true);
  EXPECT_EQ(v["e"], "~");
  EXPECT_EQ(v["f"], "x");
  EXPECT_EQ(v["g"], "aGk=");
  EXPECT_EQ(ErrorOf("a: 1\nb: !!int abc\n"), "t.yaml:2:4: cannot read \"abc\" as !!int");
}

TEST(YamlParse, BlockScalarsAndFlowCollections) {
  json v = Value(
      "script: |\n  echo hi\n  exit 0\nfolded: >-\n  one\n  two\nlist: [1, \"a\", "
      "{k: v}]\nmap: {x: 1}\n");
  EXPECT_EQ(v["script"], "echo hi\nexit 0\n");
  EXPECT_EQ(v["folded"], "one two");
  EXPECT_EQ(v["list"], json::parse(R"([1, "a", {"k": "v"}])"));
  EXPECT_EQ(v["map"], json::parse(R"({"x": 1})"));
}

TEST(YamlParse, AnchorsAliasesAndMergeKeys) {
  json v = Value(R"(
base: &base
  image: nginx
  replicas: 1
a:
  <<: *base
  replicas: 3
b: *base
c:
  <<: [{p: 1}, {p: 2, q: 2}]
)");
  EXPECT_EQ(v["a"], json::parse(R"({"image": "nginx", "replicas": 3})"));
  EXPECT_EQ(v["b"], v["base"]);
  EXPECT_EQ(v["c"], json::parse(R"({"p": 1, "q": 2})"));
}

TEST(YamlParse, RecursiveAliasIsAnErrorNotACrash) {
  auto doc = Parse("a: &x [*x]\n", "t.yaml");
  // yaml-cpp builds a cycle; the depth limit turns it into an error instead of a stack overflow.
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().message().rfind("t.yaml:", 0), 0u) << doc.status().message();
}

TEST(YamlParse, ErrorsNameSourceLineAndColumn) {
  EXPECT_EQ(ErrorOf("a: 1\nb: [1, 2\n", "<stdin>").rfind("<stdin>:", 0), 0u);
  std::string bad = ErrorOf("a:\n  b: 1\n c: 2\n", "dev-values.yaml");
  EXPECT_EQ(bad.rfind("dev-values.yaml:3:", 0), 0u) << bad;
  EXPECT_EQ(ErrorOf("x: .inf\n", "--set"),
            "--set:1:4: \".inf\" is not a finite number; JSON cannot hold it (quote it for a "
            "string)");
  EXPECT_EQ(ErrorOf("? [a]\n: 1\n"), "t.yaml:1:3: a mapping key must be a scalar");
}

TEST(YamlParse, DuplicateKeysNameBothLines) {
  EXPECT_EQ(ErrorOf("a: 1\nb:\n  c: 1\n  d: 2\n  c: 3\n"),
            "t.yaml:5:3: duplicate key \"c\" (already defined at line 3)");
  // Keys that type the same collide too, as they would in Kubernetes.
  EXPECT_EQ(ErrorOf("on: 1\ntrue: 2\n"),
            "t.yaml:2:1: duplicate key \"true\" (already defined at line 1)");
}

TEST(YamlParse, OneDocumentOrAll) {
  EXPECT_TRUE(Value("").is_null());
  EXPECT_TRUE(Value("# only a comment\n").is_null());
  EXPECT_EQ(Value("---\na: 1\n"), json::parse(R"({"a": 1})"));
  EXPECT_EQ(ErrorOf("a: 1\n---\nb: 2\n"),
            "t.yaml:3:1: expected one YAML document, found another (remove the '---')");

  auto all = ParseAll("---\n# empty\n---\nkind: A\n---\nkind: B\n...\n---\n", "m.yaml");
  ASSERT_TRUE(all.ok()) << all.status().message();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].value["kind"], "A");
  EXPECT_EQ((*all)[1].value["kind"], "B");
  EXPECT_EQ((*all)[1].Where("/kind"), "m.yaml:6:1");
  EXPECT_EQ((*all)[1].source, "m.yaml");
}

TEST(YamlDocument, PositionsPerPointerWithAncestorFallback) {
  auto doc = Parse(
      "sync:\n  toHost:\n    pods:\n      enabled: true\n    pod: x\nlist:\n"
      "  - a\n  - name: b\n    \"a/b\": 1\n",
      "dev-values.yaml");
  ASSERT_TRUE(doc.ok()) << doc.status().message();
  EXPECT_EQ(doc->PositionOf(""), (Position{1, 1}));
  EXPECT_EQ(doc->PositionOf("/sync/toHost/pods/enabled"), (Position{4, 7}));
  EXPECT_EQ(doc->PositionOf("/sync/toHost/pod"), (Position{5, 5}));
  EXPECT_EQ(doc->PositionOf("/list/0"), (Position{7, 5}));
  EXPECT_EQ(doc->PositionOf("/list/1/name"), (Position{8, 5}));
  EXPECT_EQ(doc->PositionOf("/list/1/a~1b"), (Position{9, 5}));
  // A key that is not there is reported at its closest ancestor.
  EXPECT_EQ(doc->PositionOf("/sync/toHost/pods/missing/deeper"), (Position{3, 5}));
  EXPECT_EQ(doc->Where("/nope"), "dev-values.yaml:1:1");
  Status s = doc->ErrorAt("/sync/toHost/pod", "unknown key " + PointerToDotted("/sync/toHost/pod") +
                                                  " (did you mean sync.toHost.pods?)");
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "dev-values.yaml:5:5: unknown key sync.toHost.pod (did you mean sync.toHost.pods?)");
}

TEST(YamlDocument, PointerHelpers) {
  EXPECT_EQ(EscapePointerToken("a/b~c"), "a~1b~0c");
  EXPECT_EQ(PointerToDotted("/a/b~1c/0"), "a.b/c.0");
  EXPECT_EQ(PointerToDotted(""), "");
}

TEST(YamlDocument, MergedKeysKeepTheirSourcePositions) {
  auto doc = Parse("base: &b\n  image: nginx\nx:\n  <<: *b\n  tag: 1\n", "t.yaml");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->PositionOf("/x/image"), (Position{2, 3}));
  EXPECT_EQ(doc->PositionOf("/x/tag"), (Position{5, 3}));
}

TEST(YamlFile, MissingFileNamesThePath) {
  auto doc = ParseFile("/nonexistent/dev-values.yaml");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().code(), Code::kNotFound);
  EXPECT_EQ(doc.status().message(),
            "read: /nonexistent/dev-values.yaml: no such file or directory");
  auto dir = ParseFile(std::filesystem::temp_directory_path().string());
  ASSERT_FALSE(dir.ok());
  EXPECT_NE(dir.status().message().find("is a directory"), std::string::npos);
}

TEST(YamlFile, ParsesAFileWithItsPathAsSource) {
  auto path = std::filesystem::temp_directory_path() /
              ("vc-yaml-test-" + std::to_string(::getpid()) + ".yaml");
  { std::ofstream(path) << "a: 1\na: 2\n"; }
  auto doc = ParseFile(path.string());
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().message(),
            path.string() + ":2:1: duplicate key \"a\" (already defined at line 1)");
  { std::ofstream(path) << "kind: A\n---\nkind: B\n"; }
  auto all = ParseAllFile(path.string());
  std::filesystem::remove(path);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2u);
}

TEST(YamlDump, BlockStyleKubectlLayout) {
  json v = json::parse(R"({
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "web", "labels": {}},
    "spec": {"containers": [{"name": "c", "args": ["--port=80", "-v"], "ports": []}]}
  })");
  EXPECT_EQ(Dump(v),
            "apiVersion: v1\n"
            "kind: Pod\n"
            "metadata:\n"
            "  labels: {}\n"
            "  name: web\n"
            "spec:\n"
            "  containers:\n"
            "  - args:\n"
            "    - --port=80\n"
            "    - -v\n"
            "    name: c\n"
            "    ports: []\n");
  EXPECT_EQ(Dump(json(5)), "5\n");
  EXPECT_EQ(Dump(json::array({json::array({1, 2}), "x"})), "- - 1\n  - 2\n- x\n");
  EXPECT_EQ(DumpAll({json{{"a", 1}}, json{{"b", 2}}}), "a: 1\n---\nb: 2\n");
}

TEST(YamlDump, QuotesOnlyWhenNeeded) {
  json v = {{"plain", "hello world"}, {"yes", "yes"},    {"num", "42"},
            {"float", "1.5"},         {"empty", ""},     {"null", "null"},
            {"colon", "a: b"},        {"hash", "a #b"},  {"star", "*x"},
            {"stamp", "2024-01-02"},  {"tab", "a\tb"},   {"url", "http://x:80/y"},
            {"lead", " x"},           {"octal", "0o17"}, {"on", "On"}};
  std::string out = Dump(v);
  EXPECT_NE(out.find("plain: hello world\n"), std::string::npos);
  EXPECT_NE(out.find("\"yes\": \"yes\"\n"), std::string::npos) << out;
  EXPECT_NE(out.find("num: \"42\"\n"), std::string::npos);
  EXPECT_NE(out.find("float: \"1.5\"\n"), std::string::npos);
  EXPECT_NE(out.find("empty: \"\"\n"), std::string::npos);
  EXPECT_NE(out.find("\"null\": \"null\"\n"), std::string::npos);
  EXPECT_NE(out.find("colon: \"a: b\"\n"), std::string::npos);
  EXPECT_NE(out.find("hash: \"a #b\"\n"), std::string::npos);
  EXPECT_NE(out.find("star: \"*x\"\n"), std::string::npos);
  EXPECT_NE(out.find("stamp: \"2024-01-02\"\n"), std::string::npos);
  EXPECT_NE(out.find("tab: \"a\\tb\"\n"), std::string::npos);
  EXPECT_NE(out.find("url: http://x:80/y\n"), std::string::npos);
  EXPECT_NE(out.find("lead: \" x\"\n"), std::string::npos);
  EXPECT_NE(out.find("octal: \"0o17\"\n"), std::string::npos);
  EXPECT_NE(out.find("\"on\": \"On\"\n"), std::string::npos);
}

TEST(YamlDump, MultiLineStringsAsLiteralBlocks) {
  EXPECT_EQ(Dump(json{{"s", "a\nb\n"}}), "s: |\n  a\n  b\n");
  EXPECT_EQ(Dump(json{{"s", "a\nb"}}), "s: |-\n  a\n  b\n");
  EXPECT_EQ(Dump(json{{"s", "a\n\nb\n\n"}}), "s: |+\n  a\n\n  b\n\n");
  EXPECT_EQ(Dump(json{{"s", "  indented\nx\n"}}), "s: |2\n    indented\n  x\n");
  EXPECT_EQ(Dump(json{{"l", {"x\ny\n"}}}), "l:\n- |\n  x\n  y\n");
  // Trailing spaces or control characters: double quotes keep them visible.
  EXPECT_EQ(Dump(json{{"s", "a \nb"}}), "s: \"a \\nb\"\n");
  EXPECT_EQ(Dump(json{{"s", "a\r\nb"}}), "s: \"a\\r\\nb\"\n");
}

TEST(YamlDump, RoundTripsAVariedCorpus) {
  std::vector<json> corpus = {
      json::parse(R"({"a": 1, "b": [true, false, null], "c": {"d": -1.25e-7, "e": ""}})"),
      json::parse(R"([[], {}, [[1]], [{"x": [{"y": {}}]}]])"),
      json::parse(R"({"": "empty key", "a b": "c", "- x": "-", "?": "?", ":": ":"})"),
      json::parse(R"({"yes": "no", "on": "off", "y": "n", "~": "~", "NULL": "Null"})"),
      json::parse(R"({"n": ["1", "1.0", "0x10", "1_0", "+1", ".5", "1e3", "08", "0b1", "-0"]})"),
      json::parse(R"({"floats": [0.1, 1.0, 3.0e20, -0.0, 1e-300, 123456789.123456789]})"),
      json::parse(R"({"ints": [0, -9223372036854775808, 9223372036854775807,
                                18446744073709551615]})"),
      json::parse(R"({"s": ["<<", "=", "---", "...", "#c", "a#b", "a: ", "a:", "@x", "`x`",
                            "%x", "!x", "&x", "|", ">", "'q'", "\"dq\"", "[x]", "{y}", "a,b"]})"),
      json::parse(R"({"ml": ["line1\nline2", "x\n", "\n", "\n\nx", "a\n\n\n", " a\n b", "\tx\ny",
                             "a\u0001b", "caf\u00e9\n\u65e5\u672c", "a\u2028b", "x\\y\"z"]})"),
      json::parse(R"({"nested": {"deep": {"list": [{"k": "v\nw"}, "p", ["q", {"r": null}]]}}})"),
      json::parse(R"("just a string")"),
      json::parse(R"("multi\nline")"),
      json::parse(R"(null)"),
      json::parse(R"({"2024-01-01": "2024-01-01T00:00:00Z", "1": 1})"),
  };
  for (const json& x : corpus) {
    std::string text = Dump(x);
    auto back = Parse(text, "dump");
    ASSERT_TRUE(back.ok()) << back.status().message() << "\n" << text;
    EXPECT_EQ(back->value, x) << "dumped as:\n" << text << "\nread back: " << back->value.dump();
  }
}

}  // namespace
}  // namespace vc::yaml
