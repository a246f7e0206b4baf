// SPDX-License-Identifier: Apache-2.0
// Pure policy: which map entries tenants and pods need.
#include "vc/agent/datapath/segmentation_policy.h"

#include <gtest/gtest.h>

namespace vc::agent {
namespace {

IpPrefix P(const char* text) { return IpPrefix::Parse(text).value(); }
IpAddress A(const char* text) { return IpAddress::Parse(text).value(); }

TEST(DatapathIpPrefixTest, ParsesAndPrintsBothFamilies) {
  EXPECT_EQ(P("10.1.0.0/16").length, 96 + 16);
  EXPECT_EQ(P("10.1.0.0/16").ToString(), "10.1.0.0/16");
  EXPECT_EQ(P("10.1.2.3").length, 128);
  EXPECT_EQ(P("10.1.2.3").ToString(), "10.1.2.3/32");
  EXPECT_EQ(P("fd00::/64").length, 64);
  EXPECT_EQ(P("fd00::/64").ToString(), "fd00::/64");
  EXPECT_TRUE(A("10.0.0.1").IsV4());
  EXPECT_FALSE(A("fd00::1").IsV4());
}

TEST(DatapathIpPrefixTest, RejectsHostBitsAndBadLengths) {
  EXPECT_FALSE(IpPrefix::Parse("10.1.2.3/16").ok());
  EXPECT_FALSE(IpPrefix::Parse("10.0.0.0/33").ok());
  EXPECT_FALSE(IpPrefix::Parse("10.0.0.0/x").ok());
  EXPECT_FALSE(IpPrefix::Parse("nonsense").ok());
}

TenantSpec Tenant(TenantId id, TrustLevel trust) {
  TenantSpec t{id, "t" + std::to_string(id), trust, {}};
  t.shared_services.push_back({P("10.96.0.10/32"), IpProto::kUdp, 53});
  t.shared_services.push_back({P("10.96.0.10/32"), IpProto::kTcp, 53});
  return t;
}

TEST(SegmentationPolicyTest, HighTrustGetsNoRules) {
  NodeContext node{{P("192.168.1.5/32")}};
  EXPECT_TRUE(RulesForTenant(Tenant(1, TrustLevel::kHigh), node).empty());
}

TEST(SegmentationPolicyTest, PartialTrustGetsSharedServicesOnly) {
  NodeContext node{{P("192.168.1.5/32")}};
  auto rules = RulesForTenant(Tenant(2, TrustLevel::kPartial), node);
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[0], (AllowRule{2, Direction::kEgress, IpProto::kUdp, 53, P("10.96.0.10/32")}));
  EXPECT_EQ(rules[1].proto, IpProto::kTcp);
}

TEST(SegmentationPolicyTest, ZeroTrustAlsoAcceptsKubeletProbesFromTheNode) {
  NodeContext node{{P("192.168.1.5/32"), P("fd00::5/128")}};
  auto rules = RulesForTenant(Tenant(3, TrustLevel::kZero), node);
  ASSERT_EQ(rules.size(), 4u);
  EXPECT_EQ(rules[2], (AllowRule{3, Direction::kFromNode, IpProto::kTcp, 0, P("192.168.1.5/32")}));
  EXPECT_EQ(rules[3].peer, P("fd00::5/128"));
}

TEST(SegmentationPolicyTest, DesiredStateMapsPodsPoliciesRulesAndVeths) {
  SegmentationInput in;
  in.tenants = {Tenant(1, TrustLevel::kZero), Tenant(2, TrustLevel::kHigh)};
  in.pods = {{"a/p1", A("10.0.0.1"), 1}, {"a/p2", A("10.0.0.2"), 1}, {"b/p1", A("10.0.0.3"), 2}};
  auto s = ComputeDesiredState(in, {{A("10.0.0.1"), 11}, {A("10.0.0.3"), 13}});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->pod_tenants.size(), 3u);
  EXPECT_EQ(s->pod_tenants.at(P("10.0.0.2")), 1u);
  EXPECT_EQ(s->tenant_policies.at(1), TrustLevel::kZero);
  EXPECT_EQ(s->tenant_policies.at(2), TrustLevel::kHigh);
  EXPECT_EQ(s->allow_rules.size(), 2u);  // only the zero-trust tenant's
  EXPECT_EQ(s->iface_tenants, (std::map<uint32_t, TenantId>{{11, 1}, {13, 2}}));
}

TEST(SegmentationPolicyTest, PodOfUnknownTenantIsStillMappedSoItFailsClosed) {
  SegmentationInput in;
  in.pods = {{"x/p", A("10.0.0.9"), 7}};
  auto s = ComputeDesiredState(in, {});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->pod_tenants.at(P("10.0.0.9")), 7u);
  EXPECT_FALSE(s->tenant_policies.count(7));  // no policy = zero trust in the datapath
}

TEST(SegmentationPolicyTest, RefusesConflictsAndBadIds) {
  SegmentationInput two_owners;
  two_owners.pods = {{"a/p", A("10.0.0.1"), 1}, {"b/p", A("10.0.0.1"), 2}};
  auto s = ComputeDesiredState(two_owners, {});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("a/p and b/p"), std::string::npos);

  SegmentationInput shared_veth;
  shared_veth.pods = {{"a/p", A("10.0.0.1"), 1}, {"b/p", A("10.0.0.2"), 2}};
  EXPECT_FALSE(ComputeDesiredState(shared_veth, {{A("10.0.0.1"), 5}, {A("10.0.0.2"), 5}}).ok());

  SegmentationInput bad_id;
  bad_id.tenants = {Tenant(kMaxTenantId + 1, TrustLevel::kZero)};
  EXPECT_FALSE(ComputeDesiredState(bad_id, {}).ok());
  bad_id.tenants = {Tenant(kNoTenant, TrustLevel::kZero)};
  EXPECT_FALSE(ComputeDesiredState(bad_id, {}).ok());

  SegmentationInput dup;
  dup.tenants = {Tenant(1, TrustLevel::kZero), Tenant(1, TrustLevel::kHigh)};
  EXPECT_FALSE(ComputeDesiredState(dup, {}).ok());
}

}  // namespace
}  // namespace vc::agent
