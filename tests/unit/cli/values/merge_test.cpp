// SPDX-License-Identifier: Apache-2.0
#include "vc/cli/values/merge.h"

#include <gtest/gtest.h>

#include "vc/cli/values/resolve.h"

namespace vc::cli::values {
namespace {

using nlohmann::json;

TEST(ValuesMerge, MapsDeepMergeListsAndScalarsReplace) {
  json base = {{"a", {{"x", 1}, {"y", {1, 2, 3}}}}, {"b", "keep"}};
  json overlay = {{"a", {{"y", {9}}, {"z", true}}}};
  json merged = MergeValues(base, overlay);
  EXPECT_EQ(merged, json({{"a", {{"x", 1}, {"y", {9}}, {"z", true}}}, {"b", "keep"}}));
}

TEST(ValuesMerge, NullDeletesKey) {
  json merged = MergeValues({{"a", 1}, {"b", 2}}, {{"a", nullptr}});
  EXPECT_EQ(merged, json({{"b", 2}}));
}

TEST(ValuesMerge, ScalarReplacesMapAndBack) {
  EXPECT_EQ(MergeValues({{"a", {{"x", 1}}}}, {{"a", 5}}), json({{"a", 5}}));
  EXPECT_EQ(MergeValues({{"a", 5}}, {{"a", {{"x", 1}}}}), json({{"a", {{"x", 1}}}}));
}

ResolvedValues MustResolve(const ResolveInput& in) {
  auto r = Resolve(in);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : ResolvedValues{};
}

TEST(ValuesMerge, FilesInOrderOverProfileThenSet) {
  ResolveInput in;
  in.profile = "dev";  // serviceTypes [ClusterIP], resourceQuota on
  in.sources = {
      ValuesSource::Text("a.yaml",
                         "isolation:\n  serviceTypes: [ClusterIP, NodePort]\n"
                         "exportKubeConfig:\n  context: from-a\n  server: https://a\n"),
      ValuesSource::Text("b.yaml", "exportKubeConfig:\n  context: from-b\n"),
  };
  in.set_entries = {"exportKubeConfig.server=https://set"};
  json v = MustResolve(in).values;
  EXPECT_EQ(v["isolation"]["serviceTypes"], json({"ClusterIP", "NodePort"}));  // a over profile
  EXPECT_EQ(v["exportKubeConfig"]["context"], "from-b");                       // b over a
  EXPECT_EQ(v["exportKubeConfig"]["server"], "https://set");                   // --set last
  EXPECT_EQ(v["policies"]["resourceQuota"]["enabled"], true);                  // profile kept
}

TEST(ValuesMerge, MapDefaultsDeepMergeLikeHelmChartValues) {
  ResolveInput in;
  in.sources = {ValuesSource::Text("q.yaml",
                                   "policies:\n  resourceQuota:\n    enabled: true\n"
                                   "    quota:\n      count/pods: 5\n")};
  json quota = MustResolve(in).values["policies"]["resourceQuota"]["quota"];
  EXPECT_EQ(quota["count/pods"], 5);
  EXPECT_EQ(quota["requests.memory"], "20Gi");  // the other default entries stay
}

TEST(ValuesMerge, NullInLaterLayerRestoresDefault) {
  ResolveInput in;
  in.profile = "dev";
  in.sources = {ValuesSource::Text("a.yaml", "isolation:\n  serviceTypes: null\n")};
  in.set_entries = {"policies.resourceQuota.quota.count/pods=null"};
  json v = MustResolve(in).values;
  EXPECT_EQ(v["isolation"]["serviceTypes"].size(), 4u);
  EXPECT_FALSE(v["policies"]["resourceQuota"]["quota"].contains("count/pods"));
}

}  // namespace
}  // namespace vc::cli::values
