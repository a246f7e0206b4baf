// SPDX-License-Identifier: Apache-2.0
// The built-in profiles validate, resolve without contradictions, and reproduce the seed's
// "Flexible Resource Syncing" table (and its zero-trust box).
#include "vc/cli/values/profiles.h"

#include <gtest/gtest.h>

#include "vc/cli/values/resolve.h"
#include "vc/cli/values/schema.h"
#include "vc/cli/values/trust_level.h"

namespace vc::cli::values {
namespace {

using nlohmann::json;

json Effective(const std::string& profile) {
  ResolveInput in;
  in.profile = profile;
  auto r = Resolve(in);
  EXPECT_TRUE(r.ok()) << profile << ": " << r.status().message();
  if (!r.ok()) return json::object();
  EXPECT_TRUE(r->warnings.empty()) << profile << ": " << ::testing::PrintToString(r->warnings);
  return r->values;
}

const json& At(const json& v, const char* pointer) {
  static const json kMissing = "<missing>";
  json::json_pointer p(pointer);
  return v.contains(p) ? v.at(p) : kMissing;
}

TEST(ProfileBuiltin, EveryProfileValidates) {
  for (std::string_view name : ProfileNames()) {
    auto doc = LoadProfile(name);
    ASSERT_TRUE(doc.ok()) << doc.status().message();
    EXPECT_EQ(doc->source, "<profile " + std::string(name) + ">");
    EXPECT_TRUE(ValidateDocument(*doc).empty()) << ::testing::PrintToString(ValidateDocument(*doc));
    Effective(std::string(name));
  }
}

TEST(ProfileBuiltin, UnknownProfileSuggests) {
  auto doc = LoadProfile("partners");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().message(),
            "unknown profile \"partners\" (did you mean partner?); "
            "--profile takes one of dev, prod, partner, zero-trust");
}

// | Resource | Dev Team | Prod Team | Partner Team |
// | Pods | With quotas | Unlimited | With tolerations |
TEST(ProfileSeedTable, Pods) {
  json dev = Effective("dev"), prod = Effective("prod"), partner = Effective("partner");
  for (const json* v : {&dev, &prod, &partner}) {
    EXPECT_EQ(At(*v, "/sync/toHost/pods/enabled"), true);
  }
  EXPECT_EQ(At(dev, "/policies/resourceQuota/enabled"), true);
  EXPECT_EQ(At(prod, "/policies/resourceQuota/enabled"), false);
  EXPECT_EQ(At(partner, "/sync/toHost/pods/enforceTolerations"), json({"team=shared:NoSchedule"}));
  EXPECT_EQ(At(dev, "/sync/toHost/pods/enforceTolerations"), json::array());
}

// | Services | ClusterIP only | All types | Disabled |
TEST(ProfileSeedTable, Services) {
  json dev = Effective("dev"), prod = Effective("prod"), partner = Effective("partner");
  EXPECT_EQ(At(dev, "/sync/toHost/services/enabled"), true);
  EXPECT_TRUE(ServiceTypeAllowed(dev, "ClusterIP"));
  EXPECT_FALSE(ServiceTypeAllowed(dev, "NodePort"));
  EXPECT_FALSE(ServiceTypeAllowed(dev, "LoadBalancer"));
  EXPECT_EQ(At(prod, "/sync/toHost/services/enabled"), true);
  for (const char* type : {"ClusterIP", "NodePort", "LoadBalancer", "ExternalName"}) {
    EXPECT_TRUE(ServiceTypeAllowed(prod, type)) << type;
  }
  EXPECT_EQ(At(partner, "/sync/toHost/services/enabled"), false);
}

// | Ingresses | Disabled | Enabled | Disabled |
TEST(ProfileSeedTable, Ingresses) {
  EXPECT_EQ(At(Effective("dev"), "/sync/toHost/ingresses/enabled"), false);
  EXPECT_EQ(At(Effective("prod"), "/sync/toHost/ingresses/enabled"), true);
  EXPECT_EQ(At(Effective("partner"), "/sync/toHost/ingresses/enabled"), false);
}

// | Nodes | Pseudo | Real | Filtered |
TEST(ProfileSeedTable, Nodes) {
  json dev = Effective("dev"), prod = Effective("prod"), partner = Effective("partner");
  EXPECT_EQ(At(dev, "/sync/fromHost/nodes/enabled"), false);
  EXPECT_EQ(At(prod, "/sync/fromHost/nodes/enabled"), true);
  EXPECT_EQ(At(prod, "/sync/fromHost/nodes/selector/all"), true);
  EXPECT_EQ(At(partner, "/sync/fromHost/nodes/enabled"), true);
  EXPECT_EQ(At(partner, "/sync/fromHost/nodes/selector/all"), false);
  EXPECT_EQ(At(partner, "/sync/fromHost/nodes/selector/labels"), json({{"team", "shared"}}));
}

// | ConfigMaps | Isolated | Isolated | From host |
TEST(ProfileSeedTable, ConfigMaps) {
  for (const char* name : {"dev", "prod"}) {
    json v = Effective(name);
    EXPECT_EQ(At(v, "/sync/toHost/configMaps/all"), false) << name;
    EXPECT_EQ(At(v, "/sync/fromHost/configMaps/enabled"), false) << name;
  }
  json partner = Effective("partner");
  EXPECT_EQ(At(partner, "/sync/fromHost/configMaps/enabled"), true);
  EXPECT_FALSE(At(partner, "/sync/fromHost/configMaps/mappings/byName").empty());
}

// | Resource Limits | Enforced | None | None |
TEST(ProfileSeedTable, ResourceLimits) {
  EXPECT_EQ(At(Effective("dev"), "/policies/limitRange/enabled"), true);
  EXPECT_EQ(At(Effective("prod"), "/policies/limitRange/enabled"), false);
  EXPECT_EQ(At(Effective("partner"), "/policies/limitRange/enabled"), false);
  EXPECT_EQ(At(Effective("partner"), "/policies/resourceQuota/enabled"), false);
}

// "Flexible Multi-Tenancy Models": teams high, partners partial, clients zero.
TEST(ProfileSeedTable, TrustLevels) {
  EXPECT_EQ(TrustLevelOf(Effective("dev")), TrustLevel::kHigh);
  EXPECT_EQ(TrustLevelOf(Effective("prod")), TrustLevel::kHigh);
  EXPECT_EQ(TrustLevelOf(Effective("partner")), TrustLevel::kPartial);
  EXPECT_EQ(TrustLevelOf(Effective("zero-trust")), TrustLevel::kZero);
  EXPECT_EQ(At(Effective("partner"), "/isolation/nodeQuota"), json::object());  // optional
}

TEST(ProfileZeroTrust, DedicatedNodesQuotaDefaultDenyRestricted) {
  json v = Effective("zero-trust");
  EXPECT_EQ(At(v, "/isolation/dedicatedNodes/enabled"), true);
  EXPECT_EQ(At(v, "/isolation/nodeQuota"), json({{"cpu", "4"}, {"memory", "8Gi"}, {"pids", 4096}}));
  EXPECT_EQ(At(v, "/policies/networkPolicy/enabled"), true);
  EXPECT_EQ(At(v, "/policies/networkPolicy/outgoingConnections/ipBlock/cidr"), "");
  EXPECT_EQ(At(v, "/policies/networkPolicy/outgoingConnections/platform"), false);
  EXPECT_EQ(At(v, "/policies/podSecurityStandard"), "restricted");
  EXPECT_EQ(At(v, "/sync/fromHost/nodes/enabled"), false);
  const json& shared = At(v, "/isolation/sharedServices");
  ASSERT_EQ(shared.size(), 1u);
  EXPECT_EQ(shared[0]["service"], "kube-dns");
  EXPECT_EQ(shared[0]["namespace"], "kube-system");
  EXPECT_EQ(shared[0]["ports"].size(), 2u);
}

TEST(ProfileBuiltin, FilesOverrideProfile) {
  ResolveInput in;
  in.profile = "prod";
  in.sources = {ValuesSource::Text("mine.yaml",
                                   "sync:\n  toHost:\n    ingresses:\n"
                                   "      enabled: false\n")};
  auto r = Resolve(in);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(At(r->values, "/sync/toHost/ingresses/enabled"), false);
  EXPECT_EQ(At(r->values, "/sync/fromHost/nodes/enabled"), true);
}

}  // namespace
}  // namespace vc::cli::values
