// SPDX-License-Identifier: Apache-2.0
#include "vc/kube/resource.h"

#include <gtest/gtest.h>

namespace vc::kube {
namespace {

TEST(ResourcePathTest, CoreNamespacedObjectWithSubresource) {
  EXPECT_EQ(ResourcePath(resources::kPods, "ns", "web-0", "status"),
            "/api/v1/namespaces/ns/pods/web-0/status");
}

TEST(ResourcePathTest, CollectionsAcrossNamespaces) {
  EXPECT_EQ(ResourcePath(resources::kPods, ""), "/api/v1/pods");
  EXPECT_EQ(ResourcePath(resources::kConfigMaps, "kube-system"),
            "/api/v1/namespaces/kube-system/configmaps");
}

TEST(ResourcePathTest, NamedGroups) {
  EXPECT_EQ(ResourcePath(resources::kDeployments, "a", "web"),
            "/apis/apps/v1/namespaces/a/deployments/web");
  EXPECT_EQ(ResourcePath(resources::kRoleBindings, "a"),
            "/apis/rbac.authorization.k8s.io/v1/namespaces/a/rolebindings");
  EXPECT_EQ(ResourcePath(resources::kPodDisruptionBudgets, "a", "pdb"),
            "/apis/policy/v1/namespaces/a/poddisruptionbudgets/pdb");
}

TEST(ResourcePathTest, ClusterScopedIgnoresNamespace) {
  EXPECT_EQ(ResourcePath(resources::kNodes, "ignored", "n1"), "/api/v1/nodes/n1");
  EXPECT_EQ(ResourcePath(resources::kNamespaces, "", "team-a", "finalize"),
            "/api/v1/namespaces/team-a/finalize");
  EXPECT_EQ(ResourcePath(resources::kCustomResourceDefinitions, "", "x.example.com"),
            "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/x.example.com");
}

TEST(ResourcePathTest, SegmentsAreEscaped) {
  EXPECT_EQ(ResourcePath(resources::kConfigMaps, "ns", "a/b c"),
            "/api/v1/namespaces/ns/configmaps/a%2Fb%20c");
  EXPECT_EQ(PathEscape("system:node:n1"), "system:node:n1");
}

TEST(ResourceTest, ApiVersionAndGroupResource) {
  EXPECT_EQ(resources::kPods.ApiVersion(), "v1");
  EXPECT_EQ(resources::kDeployments.ApiVersion(), "apps/v1");
  EXPECT_EQ(resources::kDeployments.GroupResource(), "deployments.apps");
  EXPECT_EQ(resources::kSecrets.GroupResource(), "secrets");
}

TEST(QueryTest, EscapesLikeGo) {
  EXPECT_EQ(QueryEscape("app in (a,b),tier!=x"), "app+in+%28a%2Cb%29%2Ctier%21%3Dx");
  EXPECT_EQ(QueryEscape("a=b&c"), "a%3Db%26c");
  EXPECT_EQ(QueryEscape("~-_."), "~-_.");
}

TEST(QueryTest, SkipsEmptyValues) {
  EXPECT_EQ(EncodeQuery({{"labelSelector", "app=web"}, {"limit", ""}, {"continue", "abc=="}}),
            "?labelSelector=app%3Dweb&continue=abc%3D%3D");
  EXPECT_EQ(EncodeQuery({{"a", ""}}), "");
}

TEST(PercentEncodeTest, KeepsOnlyUnreservedAndWhatIsAsked) {
  EXPECT_EQ(PercentEncode("a-Z_0.~ /&=+%\n"), "a-Z_0.~%20%2F%26%3D%2B%25%0A");
  EXPECT_EQ(PercentEncode("snapshots/dev team.vcsnap", "/"), "snapshots/dev%20team.vcsnap");
  EXPECT_EQ(PercentEncode(std::string("a\0b", 3), std::string_view("\0", 1)), "a%00b");
  EXPECT_EQ(PercentEncode("\xc3\xa9"), "%C3%A9");
}

}  // namespace
}  // namespace vc::kube
