// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "vc/cli/values/resolve.h"
#include "vc/cli/values/schema.h"

namespace vc::cli::values {
namespace {

using nlohmann::json;

json Resolved(std::vector<ValuesSource> sources = {}, std::vector<std::string> sets = {}) {
  ResolveInput in;
  in.sources = std::move(sources);
  in.set_entries = std::move(sets);
  auto r = Resolve(in);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? r->values : json::object();
}

TEST(SchemaDefaults, VclusterDefaultsWhereTheConceptIsTheSame) {
  json v = Resolved();
  EXPECT_EQ(v["sync"]["toHost"]["pods"]["enabled"], true);
  EXPECT_EQ(v["sync"]["toHost"]["services"]["enabled"], true);
  EXPECT_EQ(v["sync"]["toHost"]["endpoints"]["enabled"], true);
  EXPECT_EQ(v["sync"]["toHost"]["ingresses"]["enabled"], false);
  EXPECT_EQ(v["sync"]["toHost"]["configMaps"], json({{"enabled", true}, {"all", false}}));
  EXPECT_EQ(v["sync"]["toHost"]["secrets"], json({{"enabled", true}, {"all", false}}));
  EXPECT_EQ(v["sync"]["toHost"]["persistentVolumeClaims"]["enabled"], true);
  EXPECT_EQ(
      v["sync"]["fromHost"]["nodes"],
      json::parse(
          R"({"enabled":false,"selector":{"all":false,"labels":{}},"syncBackChanges":false})"));
  EXPECT_EQ(v["sync"]["fromHost"]["events"]["enabled"], true);
  EXPECT_EQ(v["sync"]["fromHost"]["configMaps"],
            json::parse(R"({"enabled":false,"mappings":{"byName":{}}})"));
  EXPECT_EQ(v["controlPlane"]["service"]["spec"]["type"], "ClusterIP");
  json pvc = v["controlPlane"]["statefulSet"]["persistence"]["volumeClaim"];
  EXPECT_EQ(pvc, json::parse(R"({"enabled":true,"size":"5Gi","storageClass":""})"));
  EXPECT_EQ(v["controlPlane"]["statefulSet"]["resources"]["requests"]["cpu"], "200m");
  EXPECT_EQ(v["policies"]["resourceQuota"]["quota"]["count/pods"], 20);
  EXPECT_EQ(v["policies"]["limitRange"]["defaultRequest"]["cpu"], "100m");
  EXPECT_EQ(v["policies"]["networkPolicy"]["outgoingConnections"]["ipBlock"]["cidr"], "0.0.0.0/0");
  EXPECT_EQ(v["policies"]["networkPolicy"]["outgoingConnections"]["ipBlock"]["except"].size(), 5u);
  EXPECT_EQ(v["policies"]["podSecurityStandard"], "");
  EXPECT_EQ(v["networking"]["advanced"]["clusterDomain"], "cluster.local");
  EXPECT_EQ(v["networking"]["replicateServices"]["toHost"], json::array());
  EXPECT_EQ(v["experimental"]["deploy"]["vcluster"]["manifests"], "");
  EXPECT_EQ(v["exportKubeConfig"]["secret"], json({{"name", ""}, {"namespace", ""}}));
  EXPECT_EQ(v["isolation"]["trustLevel"], "high");
  EXPECT_EQ(v["isolation"]["dedicatedNodes"]["enabled"], false);
  EXPECT_EQ(v["isolation"]["nodeQuota"], json::object());  // unset means no cap
  EXPECT_EQ(v["isolation"]["serviceTypes"],
            json({"ClusterIP", "NodePort", "LoadBalancer", "ExternalName"}));
}

// vcluster's "auto": quota and LimitRange come together; effective values hold booleans.
TEST(SchemaDefaults, AutoIsDecided) {
  json v = Resolved();
  EXPECT_EQ(v["policies"]["resourceQuota"]["enabled"], false);
  EXPECT_EQ(v["policies"]["limitRange"]["enabled"], false);
  v = Resolved({}, {"policies.limitRange.enabled=true"});
  EXPECT_EQ(v["policies"]["resourceQuota"]["enabled"], true);
  v = Resolved({}, {"policies.resourceQuota.enabled=true"});
  EXPECT_EQ(v["policies"]["limitRange"]["enabled"], true);
  v = Resolved({}, {"policies.resourceQuota.enabled=true,policies.limitRange.enabled=false"});
  EXPECT_EQ(v["policies"]["limitRange"]["enabled"], false);
}

TEST(SchemaDefaults, ListItemsGetTheirDefaults) {
  json v = Resolved({ValuesSource::Text(
      "s.yaml",
      "isolation:\n  trustLevel: partial\n  sharedServices:\n  - name: dns\n"
      "    namespace: kube-system\n    service: kube-dns\n    ports: [{port: 53}]\n")});
  EXPECT_EQ(v["isolation"]["sharedServices"][0]["ports"][0]["protocol"], "TCP");
}

TEST(SchemaDefaults, NullResetsToDefault) {
  json v = Resolved({ValuesSource::Text("a.yaml", "isolation:\n  trustLevel: partial\n"),
                     ValuesSource::Text("b.yaml", "isolation:\n  trustLevel: null\n")});
  EXPECT_EQ(v["isolation"]["trustLevel"], "high");
}

TEST(SchemaDefaults, FillDefaultsLeavesGivenValues) {
  json v = {{"isolation", {{"trustLevel", "zero"}}}};
  FillDefaults(ValuesSchema(), v);
  EXPECT_EQ(v["isolation"]["trustLevel"], "zero");
  EXPECT_EQ(v["isolation"]["dedicatedNodes"]["enabled"], false);
}

}  // namespace
}  // namespace vc::cli::values
