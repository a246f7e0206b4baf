// SPDX-License-Identifier: Apache-2.0
#include "vc/agent/agent/eviction.h"

#include <gtest/gtest.h>

#include "vc/labels.h"

namespace vc::agent {
namespace {

using nlohmann::json;

json Pod(const std::string& ns, const std::string& name, const std::string& tenant) {
  json pod = {{"metadata", {{"name", name}, {"namespace", ns}, {"uid", "u-" + name}}},
              {"status", {{"phase", "Running"}}}};
  if (!tenant.empty()) pod["metadata"]["labels"] = {{labels::kTenant, tenant}};
  return pod;
}

TEST(EvictionTest, PodsToEvictSparesTheTenantsOwnDaemonSetsMirrorsSystemAndLeavingPods) {
  json ds = Pod("logging", "fluent", "");
  ds["metadata"]["ownerReferences"] = json::array({{{"kind", "DaemonSet"}}});
  json mirror = Pod("default", "static", "");
  mirror["metadata"]["annotations"] = {{"kubernetes.io/config.mirror", "x"}};
  json leaving = Pod("vcluster-b", "leaving", "b");
  leaving["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z";
  json done = Pod("vcluster-b", "done", "b");
  done["status"]["phase"] = "Succeeded";
  const auto evict = PodsToEvict("a", {Pod("vcluster-a", "a1", "a"), Pod("vcluster-b", "b1", "b"),
                                       Pod("web", "w", ""), Pod("kube-system", "dns", ""),
                                       Pod("kube-node-lease", "x", ""), ds, mirror, leaving, done});
  ASSERT_EQ(evict.size(), 2u);
  EXPECT_EQ(evict[0].name, "b1");
  EXPECT_EQ(evict[0].reason, "pod of tenant b on a node dedicated to tenant a");
  EXPECT_EQ(evict[1].name, "w");
  EXPECT_EQ(evict[1].reason, "pod of no tenant on a node dedicated to tenant a");
  EXPECT_TRUE(PodsToEvict("", {Pod("vcluster-b", "b1", "b")}).empty());
}

TEST(EvictionTest, ATenantLabelThatIsNotAStringIsNoTenant) {
  json pod = Pod("web", "w", "");
  pod["metadata"]["labels"] = {{labels::kTenant, 7}};
  const auto evict = PodsToEvict("a", {pod});
  ASSERT_EQ(evict.size(), 1u);
  EXPECT_EQ(evict[0].reason, "pod of no tenant on a node dedicated to tenant a");
}

}  // namespace
}  // namespace vc::agent
