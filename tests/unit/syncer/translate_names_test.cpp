// SPDX-License-Identifier: Apache-2.0
// The name mapping every synced object relies on: stable, a DNS label, collision-free.
#include <gtest/gtest.h>

#include <set>

#include "vc/labels.h"
#include "vc/syncer/translate/names.h"

namespace vc::syncer::translate {
namespace {

using nlohmann::json;

const Tenant kTenant{
    .name = "dev-team", .host_namespace = "vcluster-dev-team", .trust_level = "high"};

TEST(SyncerTranslateNamesTest, ShortNamesAreJoinedAsTheyAre) {
  EXPECT_EQ(HostName("web-0", "shop", "dev-team"), "web-0-x-shop-x-dev-team");
}

TEST(SyncerTranslateNamesTest, LongNamesAreCutWithAStableHashSuffix) {
  const std::string name(60, 'a');
  const std::string host = HostName(name, "default", "dev-team");
  EXPECT_EQ(host.size(), 63u);
  EXPECT_EQ(host.substr(0, 52), std::string(52, 'a'));
  EXPECT_EQ(host[52], '-');
  EXPECT_EQ(host.substr(53), Sha256Hex(name + "-x-default-x-dev-team").substr(0, 10));
  EXPECT_EQ(HostName(name, "default", "dev-team"), host) << "must be stable";
  // Exactly 63 is not cut.
  const std::string fits(63 - std::string("-x-ns-x-vc").size(), 'b');
  EXPECT_EQ(HostName(fits, "ns", "vc"), fits + "-x-ns-x-vc");
}

TEST(SyncerTranslateNamesTest, NamesThatShareTheirHeadDoNotCollide) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    seen.insert(HostName(std::string(55, 'p') + "-" + std::to_string(i), "default", "dev-team"));
  }
  EXPECT_EQ(seen.size(), 1000u);
  // Namespace and name boundaries matter: "a-x-b" in ns "c" is not "a" in ns "b-x-c".
  EXPECT_EQ(HostName("a-x-b", "c", "v"), "a-x-b-x-c-x-v");
}

TEST(SyncerTranslateNamesTest, CutNeverLeavesATrailingDashBeforeTheHash) {
  std::string name = std::string(51, 'a') + "-bbbbbbbbbbbbbbbbbb";
  const std::string host = ShortenName(name + "-x-ns-x-vc");
  EXPECT_EQ(host.find("--"), std::string::npos) << host;
  EXPECT_LE(host.size(), 63u);
}

TEST(SyncerTranslateNamesTest, LabelsAreMovedUnderOurPrefixAndTenantLabelsAdded) {
  const json labels = HostLabels({{"app", "web"}, {"example.com/tier", "front"}}, "shop", kTenant);
  EXPECT_EQ(labels.value("label.kubectl-vc.dev/app", ""), "web");
  EXPECT_EQ(labels.value("label.kubectl-vc.dev/example.com_tier", ""), "front");
  EXPECT_FALSE(labels.contains("app"));
  EXPECT_EQ(labels.value(labels::kTenant, ""), "dev-team");
  EXPECT_EQ(labels.value(labels::kTenantNamespace, ""), "vcluster-dev-team");
  EXPECT_EQ(labels.value(labels::kComponent, ""), "workload");
  EXPECT_EQ(labels.value(labels::kVirtualNamespaceLabel, ""), "shop");
  EXPECT_EQ(labels.value(labels::kManagedBy, ""), "kubectl-vc");
  // The control plane's own selector (app=vcluster) cannot be forged by a workload.
  const json forged = HostLabels({{"app", "vcluster"}, {"release", "dev-team"}}, "x", kTenant);
  EXPECT_FALSE(forged.contains("app"));
  EXPECT_FALSE(forged.contains("release"));
}

TEST(SyncerTranslateNamesTest, SelectorsSelectOnlyTheVirtualNamespace) {
  const json sel = HostSelector({{"app", "web"}}, "shop", kTenant);
  EXPECT_EQ(sel, (json{{"label.kubectl-vc.dev/app", "web"},
                       {labels::kTenant, "dev-team"},
                       {labels::kComponent, "workload"},
                       {labels::kVirtualNamespaceLabel, "shop"}}));
}

TEST(SyncerTranslateNamesTest, MetadataCarriesTheVirtualIdentity) {
  const json v = {
      {"metadata",
       {{"name", "web-0"},
        {"namespace", "shop"},
        {"uid", "u-1"},
        {"annotations",
         {{"note", "x"}, {"kubectl.kubernetes.io/last-applied-configuration", "{}"}}}}}};
  const json m = HostMetadata(v, kTenant);
  EXPECT_EQ(m["name"], "web-0-x-shop-x-dev-team");
  EXPECT_EQ(m["namespace"], "vcluster-dev-team");
  EXPECT_EQ(m["annotations"][labels::kVirtualName], "web-0");
  EXPECT_EQ(m["annotations"][labels::kVirtualNamespace], "shop");
  EXPECT_EQ(m["annotations"][labels::kVirtualUid], "u-1");
  EXPECT_EQ(m["annotations"]["note"], "x");
  EXPECT_FALSE(m["annotations"].contains("kubectl.kubernetes.io/last-applied-configuration"));
  EXPECT_EQ(VirtualKeyOf(json{{"metadata", m}}), "shop/web-0");
  EXPECT_EQ(VirtualKeyOf(json{{"metadata", {{"name", "x"}}}}), "");
}

}  // namespace
}  // namespace vc::syncer::translate
