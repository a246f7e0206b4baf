// SPDX-License-Identifier: Apache-2.0
// sync.toHost.networkPolicies: the host policy selects only the tenant's own pods, and allows
// no more than the tenant's (translate/network_policy.h).
#include "vc/syncer/translate/network_policy.h"

#include <gtest/gtest.h>

namespace vc::syncer::translate {
namespace {

using nlohmann::json;

const Tenant kTenant{.name = "t1", .host_namespace = "vc-t1", .trust_level = "high"};

json Tenants(const json& extra, const std::string& ns = "") {
  json labels = {{"kubectl-vc.dev/tenant", "t1"}, {"kubectl-vc.dev/component", "workload"}};
  if (!ns.empty()) labels["kubectl-vc.dev/object-namespace"] = ns;
  labels.update(extra);
  return labels;
}

json Policy(const json& spec) {
  return {{"metadata", {{"name", "db"}, {"namespace", "shop"}, {"uid", "u"}}}, {"spec", spec}};
}

TEST(NetworkPolicyTranslate, SelectorsSelectOnlyTheTenantsPods) {
  const json h = TranslateNetworkPolicy(Policy(json::parse(R"({
        "podSelector": {"matchLabels": {"app": "db"},
                        "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a"]}]},
        "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "web"}}},
                              {"namespaceSelector": {}, "podSelector": {"matchLabels": {"app": "m"}}},
                              {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ops"}}},
                              {"ipBlock": {"cidr": "10.0.0.0/8"}}],
                     "ports": [{"port": 5432}]}]})")),
                                        kTenant);
  EXPECT_EQ(h["metadata"]["name"], "db-x-shop-x-t1");
  EXPECT_EQ(h["spec"]["podSelector"]["matchLabels"],
            Tenants({{"label.kubectl-vc.dev/app", "db"}}, "shop"));
  EXPECT_EQ(h["spec"]["podSelector"]["matchExpressions"],
            json::parse(R"([{"key": "label.kubectl-vc.dev/tier", "operator": "In",
                             "values": ["a"]}])"));
  const json& from = h["spec"]["ingress"][0]["from"];
  ASSERT_EQ(from.size(), 4u);
  EXPECT_EQ(from[0]["podSelector"]["matchLabels"],
            Tenants({{"label.kubectl-vc.dev/app", "web"}}, "shop"));
  // Every namespace of the tenant: no namespace label, still only the tenant's pods.
  EXPECT_EQ(from[1]["podSelector"]["matchLabels"], Tenants({{"label.kubectl-vc.dev/app", "m"}}));
  EXPECT_EQ(from[2]["podSelector"]["matchLabels"], Tenants(json::object(), "ops"));
  EXPECT_EQ(from[3], json::parse(R"({"ipBlock": {"cidr": "10.0.0.0/8"}})"));
  EXPECT_EQ(h["spec"]["ingress"][0]["ports"], json::parse(R"([{"port": 5432}])"));
  EXPECT_EQ(h["spec"]["policyTypes"], json({"Ingress"}));
  EXPECT_TRUE(h["spec"]["egress"].is_null());
}

// A namespace selector the host cannot say matches no pod: less allowed, never more. An
// empty `from` (every source) stays empty.
TEST(NetworkPolicyTranslate, APeerThatCannotBeSaidOnTheHostMatchesNoPod) {
  const json h = TranslateNetworkPolicy(Policy(json::parse(R"({
        "podSelector": {},
        "egress": [{"to": [{"namespaceSelector": {"matchLabels": {"team": "ops"}}}]},
                   {"ports": [{"port": 53, "protocol": "UDP"}]}]})")),
                                        kTenant);
  EXPECT_EQ(h["spec"]["egress"][0]["to"][0]["podSelector"]["matchLabels"],
            json({{kMatchesNoPod, "true"}}));
  EXPECT_FALSE(h["spec"]["egress"][1].contains("to"));
  EXPECT_EQ(h["spec"]["policyTypes"], json({"Ingress", "Egress"}));
  EXPECT_EQ(h["spec"]["podSelector"]["matchLabels"], Tenants(json::object(), "shop"));
}

TEST(NetworkPolicyTranslate, NamespacesNamedByAnInExpression) {
  const json h = TranslateNetworkPolicy(Policy(json::parse(R"({
        "podSelector": {},
        "ingress": [{"from": [{"namespaceSelector": {"matchExpressions": [
            {"key": "kubernetes.io/metadata.name", "operator": "In", "values": ["a", "b"]}]}}]}]})")),
                                        kTenant);
  const json& peer = h["spec"]["ingress"][0]["from"][0]["podSelector"];
  EXPECT_EQ(peer["matchLabels"], Tenants(json::object()));
  EXPECT_EQ(peer["matchExpressions"],
            json::parse(R"([{"key": "kubectl-vc.dev/object-namespace", "operator": "In",
                             "values": ["a", "b"]}])"));
}

}  // namespace
}  // namespace vc::syncer::translate
