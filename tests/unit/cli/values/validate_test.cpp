// SPDX-License-Identifier: Apache-2.0
// Validation errors name the file, the line and column (of the key), the key path, and suggest
// the closest valid key or value.
#include <gtest/gtest.h>

#include "vc/cli/values/resolve.h"
#include "vc/cli/values/schema.h"

namespace vc::cli::values {
namespace {

std::vector<std::string> Errors(const std::string& text,
                                const std::string& name = "dev-values.yaml") {
  auto doc = yaml::Parse(text, name);
  EXPECT_TRUE(doc.ok()) << doc.status().message();
  return doc.ok() ? ValidateDocument(*doc) : std::vector<std::string>{};
}

std::string ResolveError(ResolveInput in) {
  auto r = Resolve(in);
  EXPECT_FALSE(r.ok());
  return r.ok() ? "" : r.status().message();
}

TEST(SchemaValidate, ProfileFreeMinimalFileIsValid) {
  EXPECT_TRUE(Errors("sync:\n  toHost:\n    pods:\n      enabled: true\n").empty());
  EXPECT_TRUE(Errors("").empty());
}

TEST(SchemaValidate, UnknownKeySuggestsClosestWithLine) {
  auto errors = Errors("sync:\n  toHost:\n    pod:\n      enabled: true\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0],
            "dev-values.yaml:3:5: unknown key sync.toHost.pod (did you mean sync.toHost.pods?)");
}

TEST(SchemaValidate, CaseSlipIsSuggested) {
  auto errors = Errors("sync:\n  toHost:\n    configmaps: {enabled: true}\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0],
            "dev-values.yaml:3:5: unknown key sync.toHost.configmaps (did you mean "
            "sync.toHost.configMaps?)");
}

TEST(SchemaValidate, KeyInTheWrongSectionPointsToTheRightOne) {
  auto errors = Errors("sync:\n  toHost:\n    nodes:\n      enabled: true\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0],
            "dev-values.yaml:3:5: unknown key sync.toHost.nodes (did you mean "
            "sync.fromHost.nodes?)");
}

TEST(SchemaValidate, WrongTypeNamesPathAndValue) {
  auto errors = Errors(
      "isolation:\n  trustLevel: high\npolicies:\n  networkPolicy:\n"
      "    enabled: yes please\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0],
            "dev-values.yaml:5:5: policies.networkPolicy.enabled: expected boolean, "
            "got string \"yes please\"");
}

TEST(SchemaValidate, BoolOrAutoExplainsBoth) {
  auto errors = Errors("policies:\n  resourceQuota:\n    enabled: maybe\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0],
            "dev-values.yaml:3:5: policies.resourceQuota.enabled: expected boolean or "
            "\"auto\", got string \"maybe\"");
}

TEST(SchemaValidate, EnumSuggestsValue) {
  auto errors = Errors("isolation:\n  trustLevel: zer0\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0],
            "dev-values.yaml:2:3: isolation.trustLevel: \"zer0\" is not one of "
            "\"high\", \"partial\", \"zero\" (did you mean zero?)");
}

TEST(SchemaValidate, QuantitiesAreNumbersOrQuantityStrings) {
  EXPECT_TRUE(Errors("isolation:\n  nodeQuota: {cpu: 1500m, memory: 4Gi, pids: 100}\n").empty());
  EXPECT_TRUE(Errors("isolation:\n  nodeQuota: {cpu: 0.5}\n").empty());
  auto errors = Errors("isolation:\n  nodeQuota:\n    memory: 8 GB\n    cpu: true\n    pids: 0\n");
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0],
            "dev-values.yaml:3:5: isolation.nodeQuota.memory: \"8 GB\" is not a "
            "quantity such as 500m, 2Gi or 4");
  EXPECT_EQ(errors[1],
            "dev-values.yaml:4:5: isolation.nodeQuota.cpu: expected number or string, "
            "got boolean true");
  EXPECT_EQ(errors[2], "dev-values.yaml:5:5: isolation.nodeQuota.pids: must be at least 1, got 0");
}

TEST(SchemaValidate, ListItemsAndOneOfKeySets) {
  auto errors = Errors(R"(isolation:
  sharedServices:
  - name: dns
    service: kube-dns
    namespace: kube-system
    ports: [{port: 53, protocol: UDP}]
  - name: both
    service: x
    namespace: ns  # not "y": YAML 1.1 reads that as true
    cidr: 10.0.0.0/8
  - service: z
    namespace: ns
    ports: [{port: 70000, protocol: ICMP}]
)");
  ASSERT_EQ(errors.size(), 4u) << ::testing::PrintToString(errors);
  EXPECT_EQ(errors[0],
            "dev-values.yaml:7:5: isolation.sharedServices[1]: set exactly one of: "
            "service and namespace, or cidr");
  EXPECT_EQ(errors[1],
            "dev-values.yaml:11:5: isolation.sharedServices[2]: missing required key name");
  EXPECT_EQ(errors[2],
            "dev-values.yaml:13:14: isolation.sharedServices[2].ports[0].port: must be "
            "at most 65535, got 70000");
  EXPECT_NE(errors[3].find("ports[0].protocol: \"ICMP\" is not one of"), std::string::npos);
}

TEST(SchemaValidate, RootMustBeAMap) {
  auto errors = Errors("- a\n- b\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "dev-values.yaml:1:1: values: expected map, got list");
}

TEST(SchemaValidate, AllErrorsOfAllFilesAreReported) {
  ResolveInput in;
  in.sources = {ValuesSource::Text("a.yaml", "sync:\n  toHost:\n    pod: {}\n    ingress: {}\n"),
                ValuesSource::Text("b.yaml", "isolation:\n  trustLevel: 3\n")};
  in.set_entries = {"a..b=1"};
  EXPECT_EQ(ResolveError(in),
            "a.yaml:3:5: unknown key sync.toHost.pod (did you mean sync.toHost.pods?)\n"
            "a.yaml:4:5: unknown key sync.toHost.ingress (did you mean sync.toHost.ingresses?)\n"
            "b.yaml:2:3: isolation.trustLevel: expected string, got integer 3\n"
            "--set a..b=1: empty key in path");
}

TEST(SchemaValidate, SetErrorsNameTheEntry) {
  ResolveInput in;
  in.set_entries = {"isolation.trustLevel=medium", "sync.toHost.pod.enabled=true,x=1"};
  EXPECT_EQ(ResolveError(in),
            "--set isolation.trustLevel=medium: isolation.trustLevel: \"medium\" is not one of "
            "\"high\", \"partial\", \"zero\"\n"
            "--set sync.toHost.pod.enabled=true: unknown key sync.toHost.pod (did you mean "
            "sync.toHost.pods?)\n"
            "--set x=1: unknown key x (valid keys: controlPlane, experimental, exportKubeConfig, "
            "isolation, networking, policies, sleepMode, sync)");
}

TEST(SchemaValidate, MissingFileIsNotFound) {
  ResolveInput in;
  in.sources = {ValuesSource::File("/nonexistent/values.yaml")};
  auto r = Resolve(in);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_NE(r.status().message().find("/nonexistent/values.yaml"), std::string::npos);
}

TEST(SchemaValidate, DetailsListErrors) {
  ResolveInput in;
  in.set_entries = {"a=1", "b=2"};
  auto r = Resolve(in);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().details()["errors"].size(), 2u);
}

}  // namespace
}  // namespace vc::cli::values
