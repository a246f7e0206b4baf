// SPDX-License-Identifier: Apache-2.0
#include "vc/agent/agent/node_view.h"

#include <gtest/gtest.h>

#include <map>

#include "unit/agent/agent/agent_test_objects.h"

namespace vc::agent {
namespace {

using nlohmann::json;
using testing::NodeNamed;
using testing::PodOf;
using testing::TenantOf;

std::vector<PodFacts> Facts(const std::vector<json>& pods) {
  std::vector<PodFacts> out;
  for (const json& p : pods) out.push_back(ParsePod(p));
  return out;
}

std::vector<TenantSettings> Settings(const std::vector<json>& tenants) {
  std::vector<TenantSettings> out;
  for (const json& t : tenants) out.push_back(ParseTenant(t).value());
  return out;
}

TEST(NodeViewTest, TenantsPodsAndProbeSources) {
  TenantIdAllocator ids;
  const json svc = {
      {"sharedServices",
       json::array({{{"cidr", "10.96.0.10/32"},
                     {"ports", json::array({{{"port", 53}, {"protocol", "UDP"}}})}}})}};
  NodePolicy p =
      BuildNodePolicy(NodeNamed("node-1"),
                      Facts({PodOf("a", "a1", "10.244.0.1"), PodOf("a", "a2", "10.244.0.2"),
                             PodOf("p", "p1", "10.244.0.3"), PodOf("", "web", "10.244.0.4")}),
                      Settings({TenantOf("a", "zero", svc), TenantOf("p", "partial")}), ids);
  ASSERT_EQ(p.segmentation.tenants.size(), 2u);
  EXPECT_EQ(p.segmentation.tenants[0].name, "vcluster-a/a");
  EXPECT_EQ(p.segmentation.tenants[0].trust, TrustLevel::kZero);
  ASSERT_EQ(p.segmentation.tenants[0].shared_services.size(), 1u);
  EXPECT_EQ(p.segmentation.tenants[1].trust, TrustLevel::kPartial);
  ASSERT_EQ(p.segmentation.pods.size(), 3u) << "the pod of no tenant is not entered";
  EXPECT_EQ(p.segmentation.pods[0].tenant, p.segmentation.tenants[0].id);
  ASSERT_EQ(p.segmentation.node.probe_sources.size(), 1u);
  EXPECT_EQ(p.segmentation.node.probe_sources[0].ToString(), "192.168.1.5/32");
  EXPECT_TRUE(p.quotas.empty()) << "no tenant has a node budget";
  EXPECT_TRUE(ComputeDesiredState(p.segmentation, {}).ok());
}

TEST(NodeViewTest, FailsClosed) {
  TenantIdAllocator ids;
  json host_net = PodOf("a", "hn", "192.168.1.5");
  host_net["spec"]["hostNetwork"] = true;
  NodePolicy p = BuildNodePolicy(
      NodeNamed("node-1"),
      Facts({PodOf("b", "b1", "10.244.0.5"), host_net, PodOf("a", "done", "10.244.0.6", "Failed"),
             PodOf("a", "dup1", "10.244.0.7"), PodOf("c", "dup2", "10.244.0.7"),
             PodOf("a", "pending", "", "Pending")}),
      {}, ids);
  // b has no Tenant object: zero trust, no shared services.
  std::map<std::string, TenantSpec> by_name;
  for (const TenantSpec& t : p.segmentation.tenants) by_name[t.name] = t;
  ASSERT_TRUE(by_name.count("vcluster-b/b"));
  EXPECT_EQ(by_name["vcluster-b/b"].trust, TrustLevel::kZero);
  EXPECT_TRUE(by_name["vcluster-b/b"].shared_services.empty());
  std::set<std::string> addresses;
  for (const PodEndpoint& e : p.segmentation.pods) addresses.insert(e.ip.ToString());
  EXPECT_EQ(addresses, (std::set<std::string>{"10.244.0.5", "10.244.0.7"}))
      << "no host-network or finished pod; a reused address once";
  EXPECT_FALSE(p.problems.empty());
  EXPECT_TRUE(ComputeDesiredState(p.segmentation, {}).ok());
}

TEST(NodeViewTest, PodsOfOtherNodesOnlyClassifyAddresses) {
  TenantIdAllocator ids;
  std::vector<PodFacts> pods = Facts({PodOf("a", "a1", "10.244.0.1")});
  for (const json& remote : {PodOf("a", "a9", "10.244.1.9"), PodOf("b", "b9", "10.244.1.10"),
                             PodOf("c", "dup", "10.244.0.1")}) {
    PodFacts f = ParsePod(remote);
    f.on_node = false;
    pods.push_back(f);
  }
  NodePolicy p =
      BuildNodePolicy(NodeNamed("n"), pods,
                      Settings({TenantOf("b", "zero", {{"nodeQuota", {{"pids", 10}}}})}), ids);
  ASSERT_EQ(p.segmentation.tenants.size(), 1u) << "only a has a pod here";
  EXPECT_EQ(p.segmentation.tenants[0].name, "vcluster-a/a");
  EXPECT_TRUE(p.quotas.empty()) << "b's budget is for nodes where b runs";
  std::map<std::string, std::pair<TenantId, bool>> by_ip;
  for (const PodEndpoint& e : p.segmentation.pods) by_ip[e.ip.ToString()] = {e.tenant, e.on_node};
  ASSERT_EQ(by_ip.size(), 3u);
  EXPECT_TRUE(by_ip["10.244.0.1"].second) << "the local pod keeps a reused address";
  EXPECT_EQ(by_ip["10.244.0.1"].first, ids.assigned().at("vcluster-a/a"));
  EXPECT_FALSE(by_ip["10.244.1.9"].second);
  EXPECT_EQ(by_ip["10.244.1.9"].first, ids.assigned().at("vcluster-a/a"));
  EXPECT_EQ(by_ip["10.244.1.10"].first, ids.assigned().at("vcluster-b/b"));
  EXPECT_TRUE(ComputeDesiredState(p.segmentation, {}).ok());
}

// A Service the syncer wrote for tenant `tenant` (its labels), with one EndpointSlice.
std::pair<json, json> TenantService(const std::string& tenant, const std::string& name,
                                    const std::string& cluster_ip,
                                    const std::vector<std::string>& endpoints) {
  const std::string ns = tenant.empty() ? "default" : "vcluster-" + tenant;
  json labels = json::object();
  if (!tenant.empty()) {
    labels = {{labels::kTenant, tenant},
              {labels::kTenantNamespace, ns},
              {labels::kComponent, labels::kComponentWorkload}};
  }
  json eps = json::array();
  for (const std::string& ip : endpoints) eps.push_back({{"addresses", json::array({ip})}});
  json svc = {{"metadata", {{"name", name}, {"namespace", ns}, {"labels", labels}}},
              {"spec", {{"clusterIP", cluster_ip}, {"ports", json::array({{{"port", 53}}})}}}};
  json slice = {
      {"metadata",
       {{"name", name + "-abc"}, {"namespace", ns}, {"labels", {{kServiceNameLabel, name}}}}},
      {"addressType", "IPv4"},
      {"endpoints", eps},
      {"ports", json::array({{{"port", 53}}})}};
  return {svc, slice};
}

TEST(NodeViewTest, ATenantsOwnServicesAreItsAddressesWhenTheyLeadOnlyToItsPods) {
  TenantIdAllocator ids;
  std::vector<json> services, slices;
  for (auto [svc, slice] : {
           // its virtual cluster's CoreDNS: a pod of its own behind it
           TenantService("a", "kube-dns-x-kube-system-x-a", "10.96.5.5", {"10.244.0.9"}),
           // Endpoints the tenant wrote by hand, at another tenant's pod
           TenantService("a", "evil", "10.96.5.6", {"10.244.0.5"}),
           // ... and at an address that is no tenant pod we know
           TenantService("a", "outside", "10.96.5.7", {"10.244.9.9"}),
           TenantService("a", "nothing-yet", "10.96.5.8", {}),
           TenantService("", "host-web", "10.96.0.80", {"10.244.0.9"}),
           TenantService("c", "no-pods", "10.96.7.7", {}),
       }) {
    services.push_back(svc);
    slices.push_back(slice);
  }
  std::vector<PodFacts> pods =
      Facts({PodOf("a", "a1", "10.244.0.1"), PodOf("b", "b1", "10.244.0.5")});
  PodFacts dns = ParsePod(PodOf("a", "coredns", "10.244.0.9"));
  dns.on_node = false;  // on another node: its address still counts as the tenant's
  pods.push_back(dns);
  NodePolicy p =
      BuildNodePolicy(NodeNamed("node-1"), pods, {}, ids, IndexServices(services, slices));
  std::map<std::string, TenantId> tenant_of;
  for (const PodEndpoint& e : p.segmentation.pods) tenant_of[e.ip.ToString()] = e.tenant;
  const TenantId a = tenant_of.at("10.244.0.1");
  EXPECT_EQ(tenant_of.at("10.96.5.5"), a);
  EXPECT_EQ(tenant_of.at("10.96.5.8"), a) << "nothing behind it yet: nothing to reach";
  for (const char* closed : {"10.96.5.6", "10.96.5.7", "10.96.0.80", "10.96.7.7"}) {
    EXPECT_EQ(tenant_of.count(closed), 0u) << closed;
  }
  std::string problems;
  for (const std::string& s : p.problems) problems += s + "\n";
  EXPECT_NE(problems.find("service vcluster-a/evil of tenant vcluster-a/a has endpoint 10.244.0.5"),
            std::string::npos)
      << problems;
  EXPECT_NE(problems.find("vcluster-a/outside"), std::string::npos) << problems;
  EXPECT_TRUE(ComputeDesiredState(p.segmentation, {}).ok());
}

// Every tenant reaches its own API server: the control plane's Service (named like the
// virtual cluster, in its host namespace) at its cluster IP and at the pod behind it.
TEST(NodeViewTest, ATenantReachesItsOwnApiServer) {
  TenantIdAllocator ids;
  json svc = {
      {"metadata", {{"name", "a"}, {"namespace", "vcluster-a"}}},
      {"spec",
       {{"clusterIP", "10.96.9.9"}, {"ports", json::array({{{"name", "https"}, {"port", 443}}})}}}};
  json slice = {
      {"metadata",
       {{"name", "a-xyz"}, {"namespace", "vcluster-a"}, {"labels", {{kServiceNameLabel, "a"}}}}},
      {"addressType", "IPv4"},
      {"endpoints", json::array({{{"addresses", json::array({"10.244.5.5"})}}})},
      {"ports", json::array({{{"name", "https"}, {"port", 8443}}})}};
  NodePolicy p = BuildNodePolicy(
      NodeNamed("node-1"), Facts({PodOf("a", "a1", "10.244.0.1"), PodOf("b", "b1", "10.244.0.2")}),
      {}, ids, IndexServices({svc}, {slice}));
  std::map<std::string, std::set<std::string>> rules;
  for (const TenantSpec& t : p.segmentation.tenants) {
    for (const SharedService& s : t.shared_services) {
      rules[t.name].insert(s.prefix.ToString() + ":" + std::to_string(s.port));
    }
  }
  EXPECT_EQ(rules["vcluster-a/a"],
            (std::set<std::string>{"10.96.9.9/32:443", "10.244.5.5/32:8443"}));
  EXPECT_TRUE(rules["vcluster-b/b"].empty()) << "b has no control plane Service here";
  EXPECT_TRUE(p.problems.empty()) << p.problems[0];
}

TEST(NodeViewTest, IdsAreStableAndFreedWhenATenantLeaves) {
  TenantIdAllocator ids;
  auto view = [&](std::vector<json> pods) {
    return BuildNodePolicy(NodeNamed("n"), Facts(pods), {}, ids);
  };
  NodePolicy first = view({PodOf("a", "a1", "10.244.0.1"), PodOf("b", "b1", "10.244.0.2")});
  const TenantId b = ids.assigned().at("vcluster-b/b");
  view({PodOf("b", "b1", "10.244.0.2")});
  EXPECT_EQ(ids.assigned().at("vcluster-b/b"), b);
  EXPECT_EQ(ids.assigned().count("vcluster-a/a"), 0u);
}

TEST(NodeViewTest, QuotasForTenantsWithABudget) {
  TenantIdAllocator ids;
  NodePolicy p = BuildNodePolicy(
      NodeNamed("n"),
      Facts({PodOf("a", "a1", "10.244.0.1"), PodOf("a", "a2", ""), PodOf("b", "b1", "10.244.0.3")}),
      Settings({TenantOf("a", "zero", {{"nodeQuota", {{"cpu", "1"}, {"pids", 100}}}}),
                TenantOf("b", "zero")}),
      ids);
  ASSERT_EQ(p.quotas.size(), 1u);
  EXPECT_EQ(p.quotas[0].tenant, "vcluster-a/a");
  EXPECT_EQ(p.quotas[0].budget.cpu_millicores, 1000);
  EXPECT_EQ(p.quotas[0].budget.pids, 100);
  EXPECT_EQ(p.quotas[0].pods.size(), 2u) << "a pod without an address still has a cgroup";
}

}  // namespace
}  // namespace vc::agent
