// SPDX-License-Identifier: Apache-2.0
// The embedded schema itself, and docs/values.md's generated reference being current.
#include "vc/cli/values/schema.h"

#include <gtest/gtest.h>
#include <regex.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace vc::cli::values {
namespace {

using nlohmann::json;

// The docs live in the source tree; kubectl-vc/CMakeLists.txt tells its tests where.
const std::string kDocs = std::string(VC_KUBECTL_VC_SOURCE_DIR) + "/docs/values.md";

TEST(SchemaEmbedded, ParsesAndCoversTheSections) {
  const json& schema = ValuesSchema();
  ASSERT_TRUE(schema.is_object());
  for (const char* section : {"sync", "controlPlane", "policies", "networking", "experimental",
                              "exportKubeConfig", "isolation"}) {
    EXPECT_TRUE(schema["properties"].contains(section)) << section;
  }
}

// Every property is documented: the reference is generated from these descriptions.
void ExpectDescribed(const json& root, const json& node, const std::string& path) {
  if (!node.is_object()) return;
  if (auto props = node.find("properties"); props != node.end()) {
    for (const auto& [key, sub] : props->items()) {
      bool own = sub.contains("description");
      bool via_ref = false;
      if (auto ref = sub.find("$ref"); ref != sub.end()) {
        std::string name = ref->get<std::string>().substr(std::string("#/$defs/").size());
        via_ref = root["$defs"][name].contains("description");
      }
      EXPECT_TRUE(own || via_ref) << path + "." + key << " has no description";
    }
  }
  for (const auto& [key, sub] : node.items()) ExpectDescribed(root, sub, path + "/" + key);
}

TEST(SchemaEmbedded, EveryPropertyHasADescription) {
  ExpectDescribed(ValuesSchema(), ValuesSchema(), "");
}

// Every default is valid against its own property (a wrong default would surface as a user
// error on the next --set).
TEST(SchemaEmbedded, DefaultsAreValid) {
  json defaults = json::object();
  FillDefaults(ValuesSchema(), defaults);
  auto errors = ValidateValues(ValuesSchema(), defaults, [](std::string_view) { return "d"; });
  EXPECT_TRUE(errors.empty()) << ::testing::PrintToString(errors);
}

// Patterns are POSIX extended regular expressions; one that does not compile would reject
// every value.
void ExpectPatternsCompile(const json& node) {
  if (node.is_object()) {
    if (auto p = node.find("pattern"); p != node.end() && p->is_string()) {
      regex_t re;
      EXPECT_EQ(regcomp(&re, p->get<std::string>().c_str(), REG_EXTENDED | REG_NOSUB), 0) << *p;
      regfree(&re);
    }
  }
  if (node.is_structured()) {
    for (const json& child : node) ExpectPatternsCompile(child);
  }
}

TEST(SchemaEmbedded, PatternsCompile) { ExpectPatternsCompile(ValuesSchema()); }

TEST(SchemaEmbedded, PatternsAcceptAndReject) {
  auto errors = [](const std::string& text) {
    auto doc = yaml::Parse(text, "p.yaml");
    return doc.ok() ? ValidateDocument(*doc).size() : 99u;
  };
  EXPECT_EQ(errors("isolation:\n  nodeQuota: {cpu: 1500m, memory: 1.5Gi}\n"), 0u);
  EXPECT_EQ(errors("isolation:\n  nodeQuota: {cpu: 1500x}\n"), 1u);
  EXPECT_EQ(errors("networking:\n  advanced: {clusterDomain: cluster.local}\n"), 0u);
  EXPECT_EQ(errors("networking:\n  advanced: {clusterDomain: Cluster_Local}\n"), 1u);
  EXPECT_EQ(errors("sync:\n  toHost:\n    pods:\n      enforceTolerations: [a=b:NoSchedule, "
                   "gpu, k:NoExecute]\n"),
            0u);
  EXPECT_EQ(errors("sync:\n  toHost:\n    pods:\n      enforceTolerations: [a=b:Never]\n"), 1u);
  EXPECT_EQ(errors("policies:\n  networkPolicy:\n    outgoingConnections:\n      ipBlock:\n"
                   "        cidr: \"\"\n        except: [10.0.0.0/8, fd00::/8]\n"),
            0u);
  EXPECT_EQ(errors("isolation:\n  sharedServices: [{name: x, cidr: 10.0.0.0}]\n"), 1u);
}

TEST(SchemaReference, RendersRowsWithTypeDefaultDescription) {
  std::string md = RenderReference(ValuesSchema());
  EXPECT_NE(md.find("### `isolation`"), std::string::npos);
  EXPECT_NE(md.find("| `isolation.trustLevel` | one of \"high\", \"partial\", \"zero\" | "
                    "`\"high\"` |"),
            std::string::npos);
  EXPECT_NE(md.find("| `isolation.nodeQuota.cpu` | number or string |  |"), std::string::npos);
  EXPECT_NE(md.find("| `isolation.sharedServices[].name` | string |  | Required."),
            std::string::npos);
  EXPECT_NE(md.find("| `sync.fromHost.nodes.selector.labels` | map of string | `{}` |"),
            std::string::npos);
}

// Regenerate with: VC_UPDATE_DOCS=1 build/tests/vc_unit_tests --gtest_filter=SchemaReference.*
TEST(SchemaReference, DocsAreUpToDate) {
  std::ifstream in(kDocs);
  ASSERT_TRUE(in) << "cannot read " << kDocs;
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  size_t begin = text.find(kReferenceBegin);
  size_t end = text.find(kReferenceEnd);
  ASSERT_NE(begin, std::string::npos) << kDocs << " lacks " << kReferenceBegin;
  ASSERT_NE(end, std::string::npos) << kDocs << " lacks " << kReferenceEnd;
  begin += kReferenceBegin.size();
  const std::string expected = "\n\n" + RenderReference(ValuesSchema());
  if (text.compare(begin, end - begin, expected) == 0) return;
  if (const char* update = std::getenv("VC_UPDATE_DOCS"); update && std::string(update) == "1") {
    text.replace(begin, end - begin, expected);
    std::ofstream(kDocs) << text;
    return;
  }
  ADD_FAILURE() << kDocs << ": the generated reference is stale; run the test with "
                << "VC_UPDATE_DOCS=1 to regenerate it";
}

}  // namespace
}  // namespace vc::cli::values
