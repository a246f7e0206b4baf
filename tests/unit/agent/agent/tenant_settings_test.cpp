// SPDX-License-Identifier: Apache-2.0
#include "vc/agent/agent/tenant_settings.h"

#include <gtest/gtest.h>

namespace vc::agent {
namespace {

using nlohmann::json;

TEST(QuantityTest, CpuAndMemory) {
  EXPECT_EQ(ParseCpuMillicores("500m").value(), 500);
  EXPECT_EQ(ParseCpuMillicores("2").value(), 2000);
  EXPECT_EQ(ParseCpuMillicores("1.5").value(), 1500);
  EXPECT_EQ(ParseCpuMillicores(3).value(), 3000);
  EXPECT_EQ(ParseMemoryBytes("1Gi").value(), int64_t{1} << 30);
  EXPECT_EQ(ParseMemoryBytes("512Mi").value(), int64_t{512} << 20);
  EXPECT_EQ(ParseMemoryBytes("1G").value(), 1000000000);
  EXPECT_EQ(ParseMemoryBytes("1e9").value(), 1000000000);
  EXPECT_EQ(ParseMemoryBytes(1048576).value(), 1048576);
  EXPECT_FALSE(ParseMemoryBytes("12Qi").ok());
  EXPECT_FALSE(ParseCpuMillicores("lots").ok());
  EXPECT_FALSE(ParseCpuMillicores("-1").ok());
}

TEST(TenantSettingsTest, ReadsWhatKubectlVcWrites) {
  const json tenant = {
      {"apiVersion", "kubectl-vc.dev/v1alpha1"},
      {"kind", "Tenant"},
      {"metadata", {{"name", "client-a"}, {"namespace", "vcluster-client-a"}}},
      {"spec",
       {{"trustLevel", "zero"},
        {"sharedServices",
         json::array({{{"name", "dns"},
                       {"cidr", "10.96.0.10/32"},
                       {"ports", json::array({{{"port", 53}, {"protocol", "UDP"}},
                                              {{"port", 53}, {"protocol", "TCP"}}})}},
                      {{"name", "ingress"}, {"cidr", "10.96.5.0/24"}},
                      {{"name", "by-name"}, {"service", "kube-dns"}, {"namespace", "kube-system"}},
                      {{"name", "bad"}, {"cidr", "10.1.2.3/40"}}})},
        {"nodeQuota", {{"cpu", "2"}, {"memory", "4Gi"}, {"pids", 512}}}}}};
  auto t = ParseTenant(tenant);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->key(), "vcluster-client-a/client-a");
  EXPECT_EQ(t->trust, TrustLevel::kZero);
  ASSERT_EQ(t->shared_services.size(), 4u);  // dns udp+tcp, ingress tcp+udp any port
  ASSERT_EQ(t->service_refs.size(), 1u);
  EXPECT_EQ(t->service_refs[0].key(), "kube-system/kube-dns");
  EXPECT_TRUE(t->service_refs[0].ports.empty()) << "the Service's own ports";
  EXPECT_EQ(t->shared_services[0].prefix.ToString(), "10.96.0.10/32");
  EXPECT_EQ(t->shared_services[0].proto, IpProto::kUdp);
  EXPECT_EQ(t->shared_services[0].port, 53);
  EXPECT_EQ(t->shared_services[1].proto, IpProto::kTcp);
  EXPECT_EQ(t->shared_services[2].port, 0);
  EXPECT_EQ(t->skipped.size(), 1u) << "a bad prefix";
  EXPECT_EQ(t->node_quota.cpu_millicores, 2000);
  EXPECT_EQ(t->node_quota.memory_bytes, int64_t{4} << 30);
  EXPECT_EQ(t->node_quota.pids, 512);
}

TEST(TenantSettingsTest, UnknownOrMissingTrustIsZero) {
  auto missing = ParseTenant({{"metadata", {{"name", "x"}, {"namespace", "n"}}}});
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->trust, TrustLevel::kZero);
  auto unknown = ParseTenant(
      {{"metadata", {{"name", "x"}, {"namespace", "n"}}}, {"spec", {{"trustLevel", "total"}}}});
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->trust, TrustLevel::kZero);
  auto high = ParseTenant(
      {{"metadata", {{"name", "x"}, {"namespace", "n"}}}, {"spec", {{"trustLevel", "high"}}}});
  EXPECT_EQ(high->trust, TrustLevel::kHigh);
  EXPECT_FALSE(ParseTenant({{"metadata", json::object()}}).ok());
}

}  // namespace
}  // namespace vc::agent
