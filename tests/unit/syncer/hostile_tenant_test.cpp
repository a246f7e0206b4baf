// SPDX-License-Identifier: Apache-2.0
// A hostile tenant's objects, translated: what of them may reach the host (host_policy.h, the
// pod translator's placement and references, host metadata). The end-to-end side is
// tests/integration/syncer/hostile_tenant_test.cpp.
#include <gtest/gtest.h>

#include "vc/labels.h"
#include "vc/syncer/translate/host_policy.h"
#include "vc/syncer/translate/object_translator.h"
#include "vc/syncer/translate/pod_translator.h"

namespace vc::syncer::translate {
namespace {

using nlohmann::json;

const Tenant kTenant{.name = "t1", .host_namespace = "vcluster-t1", .trust_level = "high"};
const PodEnvironment kEnv{.apiserver_host = "10.96.0.42", .apiserver_port = 443};

SyncConfig AtTrust(const std::string& level) {
  SyncConfig c;
  c.trust_level = level;
  return c;
}

json IngressWith(const json& annotations) {
  return {{"metadata", {{"name", "web"}, {"namespace", "shop"}, {"annotations", annotations}}},
          {"spec", json::object()}};
}

TEST(HostileTenantTest, ExternalIpsAreRefusedAtEveryTrustLevel) {  // CVE-2020-8554
  const json svc = json::parse(R"({"metadata": {"name": "mitm", "namespace": "a"},
    "spec": {"type": "ClusterIP", "externalIPs": ["8.8.8.8"], "ports": [{"port": 53}]}})");
  for (const char* level : {"high", "partial", "zero"}) {
    const std::string why = ServiceRefusal(svc, AtTrust(level));
    EXPECT_NE(why.find("externalIPs"), std::string::npos) << level << ": " << why;
    EXPECT_NE(why.find("CVE-2020-8554"), std::string::npos) << why;
  }
  json empty = svc;
  empty["spec"]["externalIPs"] = json::array();
  EXPECT_EQ(ServiceRefusal(empty, AtTrust("high")), "");
}

TEST(HostileTenantTest, AnExternalNameIntoTheClustersDnsIsRefused) {
  auto with = [](const std::string& target) {
    return json{{"metadata", {{"name", "x"}, {"namespace", "a"}}},
                {"spec", {{"type", "ExternalName"}, {"externalName", target}}}};
  };
  for (const char* target : {"kubernetes.default.svc", "kubernetes.default.svc.cluster.local.",
                             "db.other-tenant.svc.cluster.local", "cluster.local"}) {
    EXPECT_NE(ServiceRefusal(with(target), AtTrust("high")).find("cluster's DNS"),
              std::string::npos)
        << target;
  }
  EXPECT_EQ(ServiceRefusal(with("db.example.com"), AtTrust("high")), "");
}

TEST(HostileTenantTest, ALoadBalancerOpensNoNodePortsUnlessNodePortIsAllowed) {
  const json lb = json::parse(R"({"metadata": {"name": "lb", "namespace": "a"},
    "spec": {"type": "LoadBalancer", "allocateLoadBalancerNodePorts": true,
             "ports": [{"port": 80, "nodePort": 31000}]}})");
  SyncConfig only_lb;
  only_lb.service_types = {"ClusterIP", "LoadBalancer"};
  EXPECT_EQ(ServiceRefusal(lb, only_lb), "");
  const json h = TranslateService(lb, kTenant, only_lb);
  EXPECT_EQ(h["spec"]["allocateLoadBalancerNodePorts"], false);
  EXPECT_FALSE(h["spec"]["ports"][0].contains("nodePort"));
  SyncConfig both;
  both.service_types = {"ClusterIP", "NodePort", "LoadBalancer"};
  EXPECT_EQ(TranslateService(lb, kTenant, both)["spec"]["allocateLoadBalancerNodePorts"], true);
  SyncConfig none;
  none.service_types = {"ClusterIP"};
  json np = lb;
  np["spec"]["type"] = "NodePort";
  EXPECT_NE(ServiceRefusal(np, none).find("NodePort is not allowed"), std::string::npos);
  // externalTrafficPolicy Local would still open a health-check node port on every node.
  json local = lb;
  local["spec"]["externalTrafficPolicy"] = "Local";
  EXPECT_NE(ServiceRefusal(local, only_lb).find("healthCheckNodePort"), std::string::npos);
  EXPECT_EQ(ServiceRefusal(local, both), "");
}

TEST(HostileTenantTest, IngressAnnotationsThatInjectConfigurationAreRefusedAtEveryLevel) {
  const std::vector<std::pair<std::string, std::string>> injecting = {
      {"nginx.ingress.kubernetes.io/server-snippet", "location /x { return 200; }"},  // 25742
      {"nginx.ingress.kubernetes.io/configuration-snippet", "more_set_headers a:b"},
      {"nginx.ingress.kubernetes.io/auth-url", "http://x"},       // CVE-2025-24514
      {"nginx.ingress.kubernetes.io/auth-tls-match-cn", "CN=a"},  // CVE-2025-1097
      {"nginx.ingress.kubernetes.io/mirror-target", "http://x"},  // CVE-2025-1098
      {"nginx.org/server-snippets", "x"},
      {"haproxy.org/backend-config-snippet", "x"},
      {"nginx.ingress.kubernetes.io/auth-tls-secret", "kube-system/ca"},     // another namespace
      {"nginx.ingress.kubernetes.io/proxy-read-timeout", "60;}\nserver {"},  // a plain key
  };
  for (const auto& [key, value] : injecting) {
    const std::string why = IngressRefusal(IngressWith({{key, value}}), AtTrust("high"));
    EXPECT_NE(why.find(key), std::string::npos) << key << ": " << why;
    EXPECT_NE(why.find("no trust level allows it"), std::string::npos) << why;
  }
  // Harmless ones and other tools' annotations pass at high.
  EXPECT_EQ(IngressRefusal(IngressWith({{"nginx.ingress.kubernetes.io/proxy-read-timeout", "60"},
                                        {"traefik.ingress.kubernetes.io/router.middlewares",
                                         "vcluster-t1-auth@kubernetescrd"},
                                        {"cert-manager.io/cluster-issuer", "letsencrypt"}}),
                           AtTrust("high")),
            "");
}

TEST(HostileTenantTest, BelowHighOnlyHarmlessControllerAnnotationsPass) {
  for (const char* level : {"partial", "zero"}) {
    EXPECT_EQ(IngressRefusal(IngressWith({{"nginx.ingress.kubernetes.io/ssl-redirect", "true"},
                                          {"traefik.ingress.kubernetes.io/router.tls", "true"}}),
                             AtTrust(level)),
              "");
    const std::string why =
        IngressRefusal(IngressWith({{"traefik.ingress.kubernetes.io/router.middlewares",
                                     "platform-admin-bypass@kubernetescrd"}}),
                       AtTrust(level));
    EXPECT_NE(why.find("router.middlewares"), std::string::npos) << why;
    EXPECT_NE(why.find("isolation.trustLevel high"), std::string::npos) << why;
  }
}

TEST(HostileTenantTest, NoTolerationShapeReachesAnotherTenantsDedicatedNode) {
  const json pod = json::parse(R"({"metadata": {"name": "p", "namespace": "a", "uid": "u"},
    "spec": {"containers": [{"name": "c", "image": "busybox"}],
      "nodeName": "victim-node",
      "nodeSelector": {"node-restriction.kubernetes.io/kubectl-vc-tenant": "victim"},
      "tolerations": [{"operator": "Exists"},
                      {"key": "", "operator": "Exists", "effect": "NoSchedule"},
                      {"key": "kubectl-vc.dev/dedicated", "operator": "Equal", "value": "victim"},
                      {"key": "kubectl-vc.dev/dedicated", "operator": "Exists"},
                      {"key": "team", "operator": "Exists"}]}})");
  const auto t = TranslatePod(pod, kTenant, SyncConfig{}, kEnv);
  const json spec = t.host_pod["spec"];
  ASSERT_EQ(t.adjustments.size(), 4u);
  EXPECT_NE(t.adjustments[0].find("{\"operator\":\"Exists\"}"), std::string::npos)
      << t.adjustments[0];
  ASSERT_EQ(spec["tolerations"].size(), 1u) << spec["tolerations"].dump();
  EXPECT_EQ(spec["tolerations"][0]["key"], "team");
  // Created on the victim's node by name, it goes there past the host's scheduler, but with a
  // required node affinity that no dedicated node meets: the victim's kubelet refuses it.
  EXPECT_EQ(spec["nodeName"], "victim-node");
  const json off = {{"key", "node-restriction.kubernetes.io/kubectl-vc-tenant"},
                    {"operator", "DoesNotExist"}};
  EXPECT_EQ(spec["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
                ["nodeSelectorTerms"],
            json::parse(R"([{"matchExpressions": [)" + off.dump() + "]}]"));
}

TEST(HostileTenantTest, VolumeDriverSecretsAreTheTenantsOwnNotTheHostNamespaces) {
  const json pod = json::parse(R"({"metadata": {"name": "p", "namespace": "a", "uid": "u"},
    "spec": {"containers": [{"name": "c", "image": "busybox"}],
      "volumes": [
        {"name": "v1", "csi": {"driver": "x", "nodePublishSecretRef": {"name": "vc-t1"}}},
        {"name": "v2", "cephfs": {"monitors": ["m"], "secretRef": {"name": "vc-config-t1"}}},
        {"name": "v3", "azureFile": {"shareName": "s", "secretName": "vc-t1-certs"}}]}})");
  const auto t = TranslatePod(pod, kTenant, SyncConfig{}, kEnv);
  const json& v = t.host_pod["spec"]["volumes"];
  EXPECT_EQ(v[0]["csi"]["nodePublishSecretRef"]["name"], "vc-t1-x-a-x-t1");
  EXPECT_EQ(v[1]["cephfs"]["secretRef"]["name"], "vc-config-t1-x-a-x-t1");
  EXPECT_EQ(v[2]["azureFile"]["secretName"], "vc-t1-certs-x-a-x-t1");
  EXPECT_EQ(t.refs.secrets, (std::set<std::string>{"vc-t1", "vc-config-t1", "vc-t1-certs"}));
}

TEST(HostileTenantTest, TheTenantCannotWriteOurAnnotationsOnHostObjects) {
  const json pod = json::parse(R"({"metadata": {"name": "p", "namespace": "a", "uid": "u",
      "labels": {"kubectl-vc.dev/tenant": "victim", "kubectl-vc.dev/trust-level": "high"},
      "annotations": {"kubectl-vc.dev/object-name": "other", "kubectl-vc.dev/tenant": "victim",
                      "kubectl-vc.dev/token-0-expires-at": "2999-01-01T00:00:00Z",
                      "team": "a"}},
    "spec": {"containers": [{"name": "c", "image": "busybox"}]}})");
  SyncConfig partial = AtTrust("partial");
  const Tenant tenant{.name = "t1", .host_namespace = "vcluster-t1", .trust_level = "partial"};
  const json meta = TranslatePod(pod, tenant, partial, kEnv).host_pod["metadata"];
  EXPECT_EQ(meta["labels"][labels::kTenant], "t1");
  EXPECT_EQ(meta["labels"][labels::kTrustLevel], "partial");
  EXPECT_EQ(meta["annotations"][labels::kVirtualName], "p");
  EXPECT_FALSE(meta["annotations"].contains("kubectl-vc.dev/tenant"));
  EXPECT_FALSE(meta["annotations"].contains("kubectl-vc.dev/token-0-expires-at"));
  EXPECT_EQ(meta["annotations"]["team"], "a");
}

TEST(HostileTenantTest, ASyncConfigTheSyncerCannotCheckAgainstStopsIt) {
  EXPECT_TRUE(CheckSyncConfig(SyncConfigFromValues(nlohmann::json::object())).ok());
  for (const char* values : {R"({"isolation": {"trustLevel": "Zero"}})",
                             R"({"policies": {"podSecurityStandard": "strict"}})",
                             R"({"isolation": {"serviceTypes": ["ClusterIP", "HostPort"]}})"}) {
    const Status s = CheckSyncConfig(SyncConfigFromValues(json::parse(values)));
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << values;
    EXPECT_NE(s.message().find("does not start"), std::string::npos) << s.message();
  }
}

}  // namespace
}  // namespace vc::syncer::translate
