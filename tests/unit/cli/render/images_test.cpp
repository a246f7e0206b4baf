// SPDX-License-Identifier: Apache-2.0
// The control-plane images from the values: the build's defaults, a Kubernetes version, image
// parts per component, and one registry for an air-gapped host; and what the pod then runs.
#include <gtest/gtest.h>

#include <string>

#include "vc/cli/render/host_objects.h"
#include "vc/cli/values/schema.h"
#include "vc/yaml.h"

namespace vc::cli::render {
namespace {

using nlohmann::json;

json Values(const std::string& yaml) {
  auto doc = yaml::Parse(yaml.empty() ? "{}" : yaml, "values.yaml");
  EXPECT_TRUE(doc.ok()) << yaml;
  EXPECT_EQ(values::ValidateDocument(*doc), std::vector<std::string>{}) << yaml;
  return doc->value;
}

TEST(ImagesForTest, NoValuesKeepTheBuildsImages) {
  const Images defaults;
  const Images got = ImagesFor(Values(""), defaults);
  EXPECT_EQ(got.apiserver, defaults.apiserver);
  EXPECT_EQ(got.controller_manager, defaults.controller_manager);
  EXPECT_EQ(got.kine, defaults.kine);
  EXPECT_EQ(got.syncer, defaults.syncer);
}

TEST(ImagesForTest, AVersionTagsBothUpstreamImagesOnly) {
  const Images got = ImagesFor(Values("controlPlane: {distro: {k8s: {version: v1.35.2}}}"), {});
  EXPECT_EQ(got.apiserver, "registry.k8s.io/kube-apiserver:v1.35.2");
  EXPECT_EQ(got.controller_manager, "registry.k8s.io/kube-controller-manager:v1.35.2");
  EXPECT_EQ(got.kine, Images{}.kine);
  EXPECT_EQ(got.syncer, Images{}.syncer);
}

TEST(ImagesForTest, PartsReplaceTheirPartAndAMirrorTakesEveryOtherRegistry) {
  const Images got =
      ImagesFor(Values("controlPlane:\n"
                       "  advanced: {defaultImageRegistry: 'mirror.local:5000'}\n"
                       "  distro:\n"
                       "    k8s:\n"
                       "      version: v1.35.2\n"
                       "      apiServer: {image: {tag: v1.35.2-patched}}\n"
                       "      controllerManager:\n"
                       "        image: {registry: other.example, repository: k/kcm}\n"
                       "  statefulSet: {image: {repository: team/vc-syncer}}\n"),
                {});
  EXPECT_EQ(got.apiserver, "mirror.local:5000/kube-apiserver:v1.35.2-patched");
  EXPECT_EQ(got.controller_manager, "other.example/k/kcm:v1.35.2");
  EXPECT_EQ(got.kine, "mirror.local:5000/rancher/kine:v0.14.10");
  EXPECT_EQ(got.syncer, "mirror.local:5000/team/vc-syncer:v0.1.0");
}

TEST(ImagesForTest, ThePodRunsThem) {
  VirtualCluster vc{
      .name = "team",
      .namespace_ = "vcluster-team",
      .values = Values("controlPlane: {advanced: {defaultImageRegistry: mirror.local}}")};
  const json sts = RenderStatefulSet(vc);
  const json& spec = sts["spec"]["template"]["spec"];
  for (const char* list : {"initContainers", "containers"}) {
    for (const auto& c : spec[list]) {
      EXPECT_EQ(c.value("image", "").rfind("mirror.local/", 0), 0u) << c.dump();
    }
  }
}

TEST(ImagesForTest, TheSchemaRefusesMalformedParts) {
  for (const char* yaml : {"controlPlane: {distro: {k8s: {version: '1.35'}}}",
                           "controlPlane: {statefulSet: {image: {tag: 'a b'}}}",
                           "controlPlane: {advanced: {defaultImageRegistry: 'https://mirror'}}",
                           "controlPlane: {backingStore: {kine: {image: {repository: 'Kine'}}}}"}) {
    auto doc = yaml::Parse(yaml, "values.yaml");
    ASSERT_TRUE(doc.ok()) << yaml;
    EXPECT_FALSE(values::ValidateDocument(*doc).empty()) << yaml;
  }
}

}  // namespace
}  // namespace vc::cli::render
