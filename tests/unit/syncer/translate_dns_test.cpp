// SPDX-License-Identifier: Apache-2.0
// The virtual cluster's CoreDNS: the rendered Corefile for networking.resolveDNS and
// replicateServices.fromHost, the objects deployed, and the DNS settings of host pods. There
// is no pod network on the test machine: resolution itself is not tested.
#include <gtest/gtest.h>

#include "vc/syncer/translate/dns_config.h"
#include "vc/syncer/translate/pod_translator.h"

namespace vc::syncer::translate {
namespace {

using nlohmann::json;

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(SyncerDnsTest, DefaultCorefileServesTheClusterDomain) {
  const std::string c = RenderCorefile(SyncConfig{});
  EXPECT_TRUE(Has(c, ".:1053 {\n"));
  EXPECT_TRUE(Has(c, "    kubernetes cluster.local in-addr.arpa ip6.arpa {\n"));
  EXPECT_TRUE(Has(c, "    forward . /etc/resolv.conf\n"));
  EXPECT_FALSE(Has(c, "rewrite"));
  EXPECT_FALSE(Has(c, "hosts"));
}

TEST(SyncerDnsTest, ResolveDnsAndReplicatedServices) {
  SyncConfig c;
  c.cluster_domain = "dev.local";
  c.resolve_dns = json::parse(R"([
    {"hostname": "db.example.com", "target": {"ip": "10.1.2.3"}},
    {"hostname": "api.internal", "target": {"hostname": "api.example.com"}},
    {"service": "default/prod-api", "target": {"vClusterService": "vcluster-prod/prod/default/api"}},
    {"service": "default/metrics", "target": {"hostService": "monitoring/prometheus"}},
    {"namespace": "platform", "target": {"hostNamespace": "platform-services"}}])");
  c.replicate_services_from_host =
      json::parse(R"([{"from": "shared/registry", "to": "tools/registry"}])");
  const std::string f = RenderCorefile(c);
  EXPECT_TRUE(Has(f, "    hosts {\n        10.1.2.3 db.example.com\n        fallthrough\n    }\n"))
      << f;
  EXPECT_TRUE(Has(f, "    rewrite name exact api.internal api.example.com answer auto\n")) << f;
  EXPECT_TRUE(Has(f, "    kubernetes dev.local in-addr.arpa ip6.arpa {\n")) << f;
  // Another virtual cluster's service: the host service its syncer made.
  EXPECT_TRUE(Has(f,
                  "prod-api.default.svc.dev.local:1053 {\n    errors\n"
                  "    rewrite name exact prod-api.default.svc.dev.local "
                  "api-x-default-x-prod.vcluster-prod.svc.cluster.local answer auto\n"
                  "    forward . /etc/resolv.conf\n"))
      << f;
  EXPECT_TRUE(Has(f,
                  "rewrite name exact metrics.default.svc.dev.local "
                  "prometheus.monitoring.svc.cluster.local answer auto"))
      << f;
  EXPECT_TRUE(Has(f,
                  "platform.svc.dev.local:1053 {\n    errors\n    rewrite name suffix "
                  ".platform.svc.dev.local .platform-services.svc.cluster.local answer auto\n"))
      << f;
  EXPECT_TRUE(Has(f,
                  "rewrite name exact registry.tools.svc.dev.local "
                  "registry.shared.svc.cluster.local answer auto"))
      << f;
}

TEST(SyncerDnsTest, ObjectsDeployCoreDnsRestrictedCompliant) {
  const auto objects = CoreDnsObjects(SyncConfig{});
  ASSERT_EQ(objects.size(), 6u);
  EXPECT_EQ(objects[3]["kind"], "ConfigMap");
  EXPECT_EQ(objects[3]["data"]["Corefile"], RenderCorefile(SyncConfig{}));
  const json& deploy = objects[4];
  EXPECT_EQ(deploy["kind"], "Deployment");
  const json& svc = objects[5];
  EXPECT_EQ(svc["metadata"]["name"], "kube-dns");
  EXPECT_EQ(svc["spec"]["ports"][0]["targetPort"], kCoreDnsPort);
  // It must run for zero-trust tenants too.
  json pod = {{"metadata",
               {{"namespace", "kube-system"},
                {"labels", deploy["spec"]["template"]["metadata"]["labels"]}}},
              {"spec", deploy["spec"]["template"]["spec"]}};
  EXPECT_TRUE(IsClusterDnsPod(pod));
}

TEST(SyncerDnsTest, ClusterFirstPodsResolveThroughTheVirtualDns) {
  const json pod = json::parse(R"({"metadata": {"name": "p", "namespace": "shop"},
    "spec": {"dnsConfig": {"options": [{"name": "timeout", "value": "2"}]},
             "containers": [{"name": "c"}]}})");
  const Tenant tenant{.name = "t", .host_namespace = "vcluster-t"};
  const PodEnvironment env{.apiserver_host = "10.96.0.9", .dns_ip = "10.96.0.53"};
  const json spec = TranslatePod(pod, tenant, SyncConfig{}, env).host_pod["spec"];
  EXPECT_EQ(spec["dnsPolicy"], "None");
  EXPECT_EQ(spec["dnsConfig"]["nameservers"], json::array({"10.96.0.53"}));
  EXPECT_EQ(spec["dnsConfig"]["searches"],
            json::array({"shop.svc.cluster.local", "svc.cluster.local", "cluster.local"}));
  EXPECT_EQ(spec["dnsConfig"]["options"].size(), 2u);
  json host_dns = pod;
  host_dns["spec"]["dnsPolicy"] = "Default";
  EXPECT_EQ(TranslatePod(host_dns, tenant, SyncConfig{}, env).host_pod["spec"]["dnsPolicy"],
            "Default");
  EXPECT_FALSE(TranslatePod(pod, tenant, SyncConfig{}, PodEnvironment{})
                   .host_pod["spec"]
                   .contains("dnsPolicy"))
      << "no virtual DNS yet: the host's";
}

}  // namespace
}  // namespace vc::syncer::translate
