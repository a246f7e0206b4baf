// SPDX-License-Identifier: Apache-2.0
// A hostile tenant, end to end: cluster-admin in its virtual cluster, it writes objects meant to
// reach beyond what its trust level allows, and the host gets only what it may (with a
// SyncRefused Event naming the rule where an object is refused). The translation rules one by
// one: tests/unit/syncer/hostile_tenant_test.cpp. The map onto the Multi-Tenancy Benchmarks:
// README.md "Trust levels against a hostile tenant".
#include "integration/syncer/syncer_e2e_fixture.h"

namespace vc::testing {
namespace {

// Trust level high, the most a tenant gets: still no externalIPs (CVE-2020-8554), no node
// ports beyond isolation.serviceTypes, no ingress annotations that inject controller
// configuration (CVE-2021-25742 family), no toleration that reaches dedicated nodes, none of
// our annotations on host objects.
TEST_F(SyncerE2eTest, AHostileHighTrustTenantGetsOnlyWhatItsValuesAllowOnTheHost) {
  const std::string name = "sync-hostile";
  ASSERT_NO_FATAL_FAILURE(
      CreateVirtualCluster(name,
                           "isolation:\n  serviceTypes: [ClusterIP, LoadBalancer]\n"
                           "sync:\n  toHost:\n    ingresses:\n      enabled: true\n"));
  const std::string hns = "vcluster-" + name;
  auto applied = ApplyInVirtual(name, "hostile.yaml", R"(apiVersion: v1
kind: Service
metadata: {name: mitm, namespace: default}
spec:
  externalIPs: [192.0.2.10]
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: lb, namespace: default}
spec:
  type: LoadBalancer
  allocateLoadBalancerNodePorts: true
  ports: [{port: 80}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: snippet
  namespace: default
  annotations:
    nginx.ingress.kubernetes.io/server-snippet: "location /steal { return 200; }"
spec:
  defaultBackend: {service: {name: lb, port: {number: 80}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: plain, namespace: default}
spec:
  defaultBackend: {service: {name: lb, port: {number: 80}}}
---
apiVersion: v1
kind: Pod
metadata:
  name: everywhere
  namespace: default
  annotations: {kubectl-vc.dev/tenant: someone-else, kubectl-vc.dev/object-name: other}
spec:
  tolerations: [{operator: Exists}, {key: kubectl-vc.dev/dedicated, operator: Exists}]
  containers: [)" + Sleeper("c") + "]\n");
  ASSERT_EQ(applied.code, 0) << applied.Both();

  // Refused with an Event that names the rule, and nothing on the host.
  for (const auto& [object, rule] : std::vector<std::pair<std::string, std::string>>{
           {"mitm", "CVE-2020-8554"}, {"snippet", "server-snippet"}}) {
    json events;
    EXPECT_TRUE(Eventually(
        [&] {
          events = VirtualJson({"get", "events", "-n", "default", "--field-selector",
                                "involvedObject.name=" + object + ",reason=SyncRefused"});
          return events.is_object() && !events["items"].empty();
        },
        std::chrono::seconds(60)))
        << object << "\n"
        << events.dump() << "\n"
        << SyncerLog(name);
    if (events.is_object() && !events["items"].empty()) {
      EXPECT_NE(events["items"][0].value("message", "").find(rule), std::string::npos)
          << events["items"][0].dump();
    }
  }
  // What is allowed arrived (so the absences below are not just slowness).
  EXPECT_TRUE(
      Eventually([&] { return client_->Get(r::kIngresses, hns, "plain-x-default-x-" + name).ok(); },
                 std::chrono::seconds(60)))
      << SyncerLog(name);
  EXPECT_EQ(client_->Get(r::kServices, hns, "mitm-x-default-x-" + name).status().code(),
            Code::kNotFound);
  EXPECT_EQ(client_->Get(r::kIngresses, hns, "snippet-x-default-x-" + name).status().code(),
            Code::kNotFound);

  // The LoadBalancer is there without node ports (NodePort is not in serviceTypes).
  StatusOr<json> lb = json();
  EXPECT_TRUE(Eventually(
      [&] {
        lb = client_->Get(r::kServices, hns, "lb-x-default-x-" + name);
        return lb.ok();
      },
      std::chrono::seconds(60)))
      << SyncerLog(name);
  if (lb.ok()) {
    EXPECT_EQ((*lb)["spec"].value("allocateLoadBalancerNodePorts", true), false) << lb->dump();
    for (const auto& p : (*lb)["spec"]["ports"]) EXPECT_FALSE(p.contains("nodePort")) << p.dump();
  }

  // The pod runs, but tolerates neither every taint nor the dedication taint, and carries our
  // annotations only as the syncer wrote them.
  StatusOr<json> pod = json();
  EXPECT_TRUE(Eventually(
      [&] {
        pod = client_->Get(r::kPods, hns, "everywhere-x-default-x-" + name);
        return pod.ok();
      },
      std::chrono::seconds(60)))
      << SyncerLog(name);
  if (pod.ok()) {
    for (const auto& t : (*pod)["spec"].value("tolerations", json::array())) {
      EXPECT_FALSE(t.value("key", "").empty() && t.value("operator", "") == "Exists") << t.dump();
      EXPECT_NE(t.value("key", ""), labels::kDedicatedTaintKey) << t.dump();
    }
    const json& annotations = (*pod)["metadata"]["annotations"];
    EXPECT_FALSE(annotations.contains(labels::kTenant)) << annotations.dump();
    EXPECT_EQ(annotations.value(labels::kVirtualName, ""), "everywhere");
    EXPECT_EQ((*pod)["metadata"]["labels"].value(labels::kTenant, ""), name);
  }

  // Node and kubelet proxy paths: a node's kubelet, for the virtual API server, is the syncer's
  // relay on the pod's loopback. The API server's node proxy refuses loopback addresses
  // outright ("address not allowed"), so none of the kubelet API (every tenant's pods on the
  // node, stats, configz, metrics) is reachable that way; the relay itself serves only logs,
  // exec, attach and port-forward of the tenant's own pods (unit tests: kubelet_server_test).
  json node_list;
  ASSERT_TRUE(Eventually(
      [&] {
        node_list = VirtualJson({"get", "nodes"});
        return node_list.is_object() && !node_list["items"].empty();
      },
      std::chrono::seconds(60)))
      << node_list.dump();
  const std::string node = node_list["items"][0]["metadata"].value("name", "");
  for (const std::string& path : std::vector<std::string>{
           "pods", "runningpods/", "configz", "stats/summary", "metrics", "metrics/cadvisor",
           "spec/", "logs/", "containerLogs/kube-system/kube-proxy/kube-proxy",
           "containerLogs/default/everywhere/c"}) {
    auto raw = Kubectl({"get", "--raw", "/api/v1/nodes/" + node + "/proxy/" + path});
    EXPECT_NE(raw.code, 0) << path << ": " << raw.out.substr(0, 300);
    EXPECT_TRUE(raw.err.find("address not allowed") != std::string::npos ||
                raw.err.find("NotFound") != std::string::npos)
        << path << ": " << raw.err;
  }
  // The tenant's own pod's log comes through the relay (the API server's kubelet client).
  CliResult own;
  EXPECT_TRUE(Eventually(
      [&] {
        own = Kubectl({"logs", "everywhere", "-n", "default"});
        return own.code == 0;
      },
      std::chrono::seconds(60)))
      << own.Both();

  // The tolerations left out are named in an Event on the virtual pod.
  json adjusted;
  EXPECT_TRUE(Eventually(
      [&] {
        adjusted = VirtualJson({"get", "events", "-n", "default", "--field-selector",
                                "involvedObject.name=everywhere,reason=SyncAdjusted"});
        return adjusted.is_object() && !adjusted["items"].empty();
      },
      std::chrono::seconds(60)))
      << adjusted.dump();
  if (adjusted.is_object() && !adjusted["items"].empty()) {
    EXPECT_NE(adjusted["items"][0].value("message", "").find("dedicated nodes"), std::string::npos)
        << adjusted.dump();
  }

  // An Ingress that gains an injecting annotation loses its host copy.
  auto annotated = Kubectl({"annotate", "ingress", "plain", "-n", "default",
                            "nginx.ingress.kubernetes.io/auth-url=http://10.0.0.1/"});
  ASSERT_EQ(annotated.code, 0) << annotated.Both();
  EXPECT_TRUE(Eventually(
      [&] {
        return client_->Get(r::kIngresses, hns, "plain-x-default-x-" + name).status().code() ==
               Code::kNotFound;
      },
      std::chrono::seconds(60)))
      << SyncerLog(name);
}

}  // namespace
}  // namespace vc::testing
