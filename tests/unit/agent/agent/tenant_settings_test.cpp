// SPDX-License-Identifier: Apache-2.0
#include "vc/agent/agent/tenant_settings.h"

#include <gtest/gtest.h>

#include <map>

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

TEST(TenantSettingsTest, SharedServicesByNameResolveToClusterIps) {
  const json tenant = {
      {"metadata", {{"name", "a"}, {"namespace", "vcluster-a"}}},
      {"spec",
       {{"sharedServices",
         json::array({{{"name", "dns"},
                       {"namespace", "kube-system"},
                       {"service", "kube-dns"},
                       {"ports", json::array({{{"port", 53}, {"protocol", "UDP"}}})}},
                      {{"name", "ingress"}, {"namespace", "ingress"}, {"service", "nginx"}},
                      {{"name", "gone"}, {"namespace", "x"}, {"service", "missing"}},
                      {{"name", "headless"}, {"namespace", "x"}, {"service", "db"}}})}}}};
  auto t = ParseTenant(tenant);
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->service_refs.size(), 4u);
  std::map<std::string, ServiceAddresses> services;
  services["kube-system/kube-dns"] =
      ParseServiceAddresses({{"spec",
                              {{"clusterIP", "10.96.0.10"},
                               {"clusterIPs", json::array({"10.96.0.10"})},
                               {"ports", json::array({{{"port", 53}, {"protocol", "UDP"}},
                                                      {{"port", 53}, {"protocol", "TCP"}}})}}}});
  services["ingress/nginx"] = ParseServiceAddresses(
      {{"spec",
        {{"clusterIP", "10.96.7.7"},
         {"ports", json::array({{{"port", 80}}, {{"port", 443}, {"protocol", "TCP"}}})}}}});
  services["x/db"] = ParseServiceAddresses({{"spec", {{"clusterIP", "None"}}}});
  std::vector<std::string> problems;
  auto shared = ResolveServiceRefs(*t, services, &problems);
  ASSERT_EQ(shared.size(), 3u);
  EXPECT_EQ(shared[0].prefix.ToString(), "10.96.0.10/32");
  EXPECT_EQ(shared[0].proto, IpProto::kUdp) << "the Tenant's ports win";
  EXPECT_EQ(shared[0].port, 53);
  EXPECT_EQ(shared[1].prefix.ToString(), "10.96.7.7/32");
  EXPECT_EQ(shared[1].port, 80) << "no ports listed: the Service's";
  EXPECT_EQ(shared[2].port, 443);
  EXPECT_EQ(problems.size(), 2u) << "a missing and a headless Service allow nothing";
}

}  // namespace
}  // namespace vc::agent
