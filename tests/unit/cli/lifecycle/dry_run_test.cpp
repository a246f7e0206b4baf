// SPDX-License-Identifier: Apache-2.0
// create --dry-run: what it renders without a host, and how it prints it.
#include <gtest/gtest.h>

#include <sstream>

#include "vc/cli/lifecycle/lifecycle.h"
#include "vc/cli/output/output.h"
#include "vc/yaml.h"

namespace vc::cli::lifecycle {
namespace {

using nlohmann::json;

std::vector<std::string> KindsAndNames(const std::vector<json>& objects) {
  std::vector<std::string> out;
  for (const auto& o : objects) {
    out.push_back(o.value("kind", "") + "/" + o["metadata"].value("name", ""));
  }
  return out;
}

TEST(DryRunTest, TheDefinitionFirstThenWhatCreateApplies) {
  CreateOptions options;
  options.name = "ds";
  options.values.set_entries = {"networking.serviceCIDR=10.96.0.0/12"};
  std::vector<std::string> notes;
  auto objects = RenderOffline(options, &notes);
  ASSERT_TRUE(objects.ok()) << objects.status().message();
  const auto names = KindsAndNames(*objects);
  ASSERT_GE(names.size(), 4u);
  EXPECT_EQ(names[0], "CustomResourceDefinition/tenants.kubectl-vc.dev");
  EXPECT_EQ(names[1], "Namespace/vcluster-ds");
  EXPECT_EQ(names.back(), "StatefulSet/ds");
  for (size_t i = 2; i < objects->size(); ++i) {
    EXPECT_EQ((*objects)[i]["metadata"].value("namespace", "vcluster-ds"), "vcluster-ds")
        << names[i];
  }
  EXPECT_TRUE(notes.empty()) << notes[0];
}

TEST(DryRunTest, AssumptionsAreSaidAndAGivenNamespaceIsNotRendered) {
  CreateOptions options;
  options.name = "ds";
  options.namespace_ = "team-a";
  std::vector<std::string> notes;
  auto objects = RenderOffline(options, &notes);
  ASSERT_TRUE(objects.ok()) << objects.status().message();
  for (const auto& n : KindsAndNames(*objects))
    EXPECT_EQ(n.rfind("Namespace/", 0), std::string::npos);
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_NE(notes[0].find("networking.serviceCIDR is not set"), std::string::npos) << notes[0];
  EXPECT_NE(notes[1].find("namespace team-a is taken to exist"), std::string::npos) << notes[1];
  // The default range is what the API server gets.
  EXPECT_NE(objects->back().dump().find("--service-cluster-ip-range=10.96.0.0/12"),
            std::string::npos);
}

TEST(DryRunTest, BadValuesFailAsCreateWouldAndRenderNothing) {
  CreateOptions options;
  options.name = "ds";
  options.values.set_entries = {"isolation.trustLevel=zero"};
  std::vector<std::string> notes;
  auto objects = RenderOffline(options, &notes);
  ASSERT_FALSE(objects.ok());
  EXPECT_NE(objects.status().message().find("dedicatedNodes"), std::string::npos)
      << objects.status().message();
  options.name = "Bad_Name";
  EXPECT_EQ(RenderOffline(options, &notes).status().code(), Code::kInvalidArgument);
}

TEST(PrintManifestsTest, YamlIsADocumentStreamJsonAListNameKindSlashName) {
  const std::vector<json> items = {
      {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "a"}}}},
      {{"apiVersion", "apps/v1"}, {"kind", "StatefulSet"}, {"metadata", {{"name", "b"}}}}};
  std::ostringstream yaml_out;
  output::PrintManifests(yaml_out, output::Format::kYaml, items);
  const std::string text = yaml_out.str();
  EXPECT_EQ(text.rfind("---\n", 0), 0u) << text;
  auto docs = yaml::ParseAll(text, "dry-run");
  ASSERT_TRUE(docs.ok()) << docs.status().message();
  ASSERT_EQ(docs->size(), 2u) << text;
  EXPECT_EQ((*docs)[0].value, items[0]);
  EXPECT_EQ((*docs)[1].value, items[1]);

  std::ostringstream json_out;
  output::PrintManifests(json_out, output::Format::kJson, items);
  const json list = json::parse(json_out.str());
  EXPECT_EQ(list["kind"], "List");
  EXPECT_EQ(list["items"], json(items));

  std::ostringstream names;
  output::PrintManifests(names, output::Format::kName, items);
  EXPECT_EQ(names.str(), "namespace/a\nstatefulset/b\n");
}

}  // namespace
}  // namespace vc::cli::lifecycle
