// SPDX-License-Identifier: Apache-2.0
// vc-syncer end to end, workloads: a Deployment applied in the virtual cluster -> host pods
// with translated names, tenant labels and rewritten references -> Running on the host ->
// Running in the virtual cluster with the host's pod IPs and node names (pseudo nodes); the
// virtual DNS; a Service gets the host ClusterIP; deletes on either side; and the syncer killed
// with -9 mid-rollout converging without duplicates or orphans.
#include "integration/syncer/syncer_e2e_fixture.h"

namespace vc::testing {
namespace {

TEST_F(SyncerE2eTest, DeploymentRunsOnHostAndStatusFlowsBack) {
  const std::string name = "sync-web";
  ASSERT_NO_FATAL_FAILURE(
      CreateVirtualCluster(name,
                           "isolation:\n  trustLevel: high\n"
                           "sync:\n  toHost:\n    podDisruptionBudgets:\n      enabled: true\n"));
  const std::string hns = "vcluster-" + name;
  auto applied = ApplyInVirtual(name, "web-app.yaml", std::string(kWebApp) + "---\n" + kIngress);
  ASSERT_EQ(applied.code, 0) << applied.Both();

  // Three host pods, named and labelled for the tenant, references rewritten.
  std::vector<json> host_pods;
  ASSERT_TRUE(Eventually(
      [&] {
        host_pods = HostWorkloadPods(name);
        return host_pods.size() == 3;
      },
      std::chrono::seconds(90)))
      << host_pods.size() << " host pods\n"
      << SyncerLog(name);
  for (const auto& p : host_pods) {
    const json& meta = p["metadata"];
    const std::string vname = meta["annotations"].value(labels::kVirtualName, "");
    EXPECT_EQ(meta.value("name", ""), vname + "-x-default-x-" + name);
    EXPECT_EQ(vname.rfind("web-app-", 0), 0u) << vname;
    EXPECT_EQ(meta["annotations"].value(labels::kVirtualNamespace, ""), "default");
    EXPECT_FALSE(meta["annotations"].value(labels::kVirtualUid, "").empty());
    EXPECT_EQ(meta["labels"].value(labels::kTenant, ""), name);
    EXPECT_EQ(meta["labels"].value(labels::kTenantNamespace, ""), hns);
    EXPECT_EQ(meta["labels"].value(labels::kComponent, ""), "workload");
    EXPECT_EQ(meta["labels"].value("label.kubectl-vc.dev/app", ""), "web-app");
    EXPECT_FALSE(meta["labels"].contains("app"))
        << "virtual labels must not reach the host as they are";
    const json& spec = p["spec"];
    EXPECT_EQ(spec.value("automountServiceAccountToken", true), false);
    const json& env = spec["containers"][0]["env"];
    bool greeting = false, ns_field = false, apiserver = false;
    for (const auto& e : env) {
      if (e.value("name", "") == "GREETING") {
        greeting =
            e["valueFrom"]["configMapKeyRef"].value("name", "") == "web-config-x-default-x-" + name;
      }
      if (e.value("name", "") == "MY_NAMESPACE") {
        ns_field = e["valueFrom"]["fieldRef"].value("fieldPath", "") ==
                   "metadata.annotations['kubectl-vc.dev/object-namespace']";
      }
      if (e.value("name", "") == "KUBERNETES_SERVICE_HOST") apiserver = true;
    }
    EXPECT_TRUE(greeting) << env.dump();
    EXPECT_TRUE(ns_field) << env.dump();
    EXPECT_TRUE(apiserver) << env.dump();
    // The service-account token volume now reads a Secret filled by the virtual API server.
    bool token_secret = false;
    for (const auto& v : spec.value("volumes", json::array())) {
      for (const auto& s : v.value("projected", json::object()).value("sources", json::array())) {
        EXPECT_FALSE(s.contains("serviceAccountToken")) << v.dump();
        if (s.contains("secret") &&
            s["secret"].value("name", "").find("-sa-token-x-default-x-") != std::string::npos) {
          token_secret = true;
        }
      }
    }
    EXPECT_TRUE(token_secret) << spec.dump();
  }
  // sync.toHost.podDisruptionBudgets: the tenant's budget guards exactly its pods on the host,
  // as the host's own disruption controller counts them.
  const std::string pdb = "web-app-x-default-x-" + name;
  ASSERT_EQ(ApplyInVirtual(name, "pdb.yaml",
                           "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n"
                           "  name: web-app\nspec:\n  minAvailable: 2\n  selector:\n"
                           "    matchLabels: {app: web-app}\n")
                .code,
            0);
  json host_pdb;
  EXPECT_TRUE(Eventually(
      [&] {
        auto got = client_->Get(r::kPodDisruptionBudgets, hns, pdb);
        if (!got.ok()) return false;
        host_pdb = *got;
        return host_pdb.value("/status/expectedPods"_json_pointer, 0) == 3 &&
               host_pdb.value("/status/disruptionsAllowed"_json_pointer, -1) == 1;
      },
      std::chrono::seconds(60)))
      << host_pdb.dump() << "\n"
      << SyncerLog(name);
  EXPECT_EQ(host_pdb.value("/spec/minAvailable"_json_pointer, 0), 2);
  EXPECT_EQ(host_pdb.value("/spec/selector/matchLabels"_json_pointer, json()),
            (json{{"label.kubectl-vc.dev/app", "web-app"},
                  {labels::kTenant, name},
                  {labels::kComponent, "workload"},
                  {labels::kVirtualNamespaceLabel, "default"}}));
  // maxUnavailable: the host's controller could not count it over pods without a controller
  // (it would allow every eviction), so the host gets the number the virtual cluster worked out.
  ASSERT_EQ(ApplyInVirtual(name, "pdb.yaml",
                           "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n"
                           "  name: web-app\nspec:\n  maxUnavailable: 2\n  selector:\n"
                           "    matchLabels: {app: web-app}\n")
                .code,
            0);
  EXPECT_TRUE(Eventually(
      [&] {
        auto got = client_->Get(r::kPodDisruptionBudgets, hns, pdb);
        if (got.ok()) host_pdb = *got;
        return got.ok() && !host_pdb.contains("/spec/maxUnavailable"_json_pointer) &&
               host_pdb.value("/spec/minAvailable"_json_pointer, 0) == 1 &&
               host_pdb.value("/status/observedGeneration"_json_pointer, 0) ==
                   host_pdb.value("/metadata/generation"_json_pointer, -1) &&
               host_pdb.value("/status/disruptionsAllowed"_json_pointer, -1) == 2;
      },
      std::chrono::seconds(30)))
      << host_pdb.dump() << "\n"
      << SyncerLog(name);
  ASSERT_EQ(Kubectl({"delete", "pdb", "web-app"}).code, 0);
  EXPECT_TRUE(Eventually(
      [&] {
        auto got = client_->Get(r::kPodDisruptionBudgets, hns, pdb);
        return !got.ok() && got.status().code() == Code::kNotFound;
      },
      std::chrono::seconds(30)))
      << "the host budget outlived the virtual one";

  auto cm = client_->Get(r::kConfigMaps, hns, "web-config-x-default-x-" + name);
  ASSERT_TRUE(cm.ok()) << cm.status().message();
  EXPECT_EQ((*cm)["data"].value("GREETING", ""), "hello");

  // Running on the host (kubelet) -> Running in the virtual cluster, bound to pseudo nodes named
  // after the host nodes, with the host pod IPs.
  json vpods;
  ASSERT_TRUE(Eventually(
      [&] {
        vpods = VirtualJson({"get", "pods", "-n", "default", "-l", "app=web-app"});
        if (!vpods.is_object() || vpods["items"].size() != 3) return false;
        for (const auto& p : vpods["items"]) {
          if (p["status"].value("phase", "") != "Running" ||
              p["spec"].value("nodeName", "").empty()) {
            return false;
          }
        }
        return true;
      },
      std::chrono::seconds(90)))
      << vpods.dump() << "\n"
      << SyncerLog(name);
  host_pods = HostWorkloadPods(name);
  for (const auto& vp : vpods["items"]) {
    const std::string vname = vp["metadata"].value("name", "");
    auto hp = client_->Get(r::kPods, hns, vname + "-x-default-x-" + name);
    ASSERT_TRUE(hp.ok()) << hp.status().message();
    EXPECT_EQ(vp["status"].value("podIP", "a"), (*hp)["status"].value("podIP", "b"));
    EXPECT_EQ(vp["spec"].value("nodeName", "a"), (*hp)["spec"].value("nodeName", "b"));
  }
  json nodes = VirtualJson({"get", "nodes"});
  ASSERT_TRUE(nodes.is_object()) << "get nodes failed";
  std::set<std::string> node_names;
  for (const auto& n : nodes["items"]) {
    node_names.insert(n["metadata"].value("name", ""));
    EXPECT_EQ(n["metadata"]["labels"].value("kubectl-vc.dev/pseudo-node", ""), "true");
    bool ready = false;
    for (const auto& c : n["status"].value("conditions", json::array())) {
      ready = ready || (c.value("type", "") == "Ready" && c.value("status", "") == "True");
    }
    EXPECT_TRUE(ready) << n.dump();
  }
  for (const auto& vp : vpods["items"]) {
    EXPECT_EQ(node_names.count(vp["spec"].value("nodeName", "")), 1u) << nodes.dump();
  }

  // The virtual cluster's CoreDNS runs as a synced workload; its Service has the host's
  // ClusterIP, and workload pods created after it resolve through it. (No pod network here:
  // the configuration is what can be checked.)
  const std::string dns_svc = "kube-dns-x-kube-system-x-" + name;
  json host_dns;
  ASSERT_TRUE(Eventually(
      [&] {
        auto got = client_->Get(r::kServices, hns, dns_svc);
        if (!got.ok()) return false;
        host_dns = *got;
        return true;
      },
      std::chrono::seconds(60)))
      << SyncerLog(name);
  const std::string dns_ip = host_dns["spec"].value("clusterIP", "");
  json vdns;
  EXPECT_TRUE(Eventually(
      [&] {
        vdns = VirtualJson({"get", "service", "kube-dns", "-n", "kube-system"});
        return vdns.is_object() && vdns["spec"].value("clusterIP", "") == dns_ip;
      },
      std::chrono::seconds(60)))
      << vdns.dump();
  json corefile = VirtualJson({"get", "configmap", "coredns", "-n", "kube-system"});
  EXPECT_TRUE(corefile.is_object() &&
              corefile["data"].value("Corefile", "").find("kubernetes cluster.local") !=
                  std::string::npos)
      << corefile.dump();
  EXPECT_TRUE(Eventually(
      [&] {
        auto dns_pods = VirtualJson({"get", "pods", "-n", "kube-system", "-l", "k8s-app=kube-dns"});
        return dns_pods.is_object() && dns_pods["items"].size() == 1 &&
               dns_pods["items"][0]["status"].value("phase", "") == "Running";
      },
      std::chrono::seconds(60)))
      << SyncerLog(name);
  auto late = ApplyInVirtual(name, "late.yaml", R"(apiVersion: v1
kind: Pod
metadata: {name: late, namespace: default}
spec:
  containers: [)" + Sleeper("c") + "]\n");
  ASSERT_EQ(late.code, 0) << late.Both();
  json late_host;
  EXPECT_TRUE(Eventually(
      [&] {
        auto got = client_->Get(r::kPods, hns, "late-x-default-x-" + name);
        if (!got.ok()) return false;
        late_host = *got;
        return true;
      },
      std::chrono::seconds(60)))
      << SyncerLog(name);
  EXPECT_EQ(late_host["spec"].value("dnsPolicy", ""), "None") << late_host["spec"].dump();
  EXPECT_EQ(late_host["spec"]["dnsConfig"]["nameservers"], json::array({dns_ip}));
  EXPECT_EQ(Kubectl({"delete", "pod", "late", "-n", "default", "--wait=false"}).code, 0);

  // Host events about the pods reach the virtual cluster, about the virtual pods.
  const std::string first = vpods["items"][0]["metadata"].value("name", "");
  json vevents;
  EXPECT_TRUE(Eventually(
      [&] {
        vevents = VirtualJson({"get", "events", "-n", "default", "--field-selector",
                               "involvedObject.name=" + first + ",reason=Scheduled"});
        return vevents.is_object() && !vevents["items"].empty();
      },
      std::chrono::seconds(60)))
      << vevents.dump() << "\n"
      << SyncerLog(name);
  if (vevents.is_object() && !vevents["items"].empty()) {
    EXPECT_NE(vevents["items"][0].value("message", "").find("default/" + first), std::string::npos)
        << vevents["items"][0].dump();
  }

  // The Service: synced with a translated selector; the virtual one carries the host ClusterIP.
  const std::string host_svc = "web-app-x-default-x-" + name;
  json hsvc;
  ASSERT_TRUE(Eventually(
      [&] {
        auto got = client_->Get(r::kServices, hns, host_svc);
        if (!got.ok()) return false;
        hsvc = *got;
        return true;
      },
      std::chrono::seconds(60)))
      << SyncerLog(name);
  EXPECT_EQ(hsvc["spec"]["selector"].value("label.kubectl-vc.dev/app", ""), "web-app");
  EXPECT_EQ(hsvc["spec"]["selector"].value(labels::kTenant, ""), name);
  const std::string host_ip = hsvc["spec"].value("clusterIP", "");
  json vsvc;
  EXPECT_TRUE(Eventually(
      [&] {
        vsvc = VirtualJson({"get", "service", "web-app", "-n", "default"});
        return vsvc.is_object() && vsvc["spec"].value("clusterIP", "") == host_ip;
      },
      std::chrono::seconds(60)))
      << host_ip << " vs " << vsvc.dump() << "\n"
      << SyncerLog(name);

  // Host side deleted behind the syncer's back: the virtual pod goes, its ReplicaSet makes a new
  // one, which gets a new host pod.
  const std::string victim = vpods["items"][0]["metadata"].value("name", "");
  ASSERT_TRUE(
      client_->Delete(r::kPods, hns, victim + "-x-default-x-" + name, {.grace_period_seconds = 0})
          .ok());
  EXPECT_TRUE(Eventually(
      [&] {
        auto now = VirtualJson({"get", "pods", "-n", "default", "-l", "app=web-app"});
        if (!now.is_object()) return false;
        int running = 0;
        for (const auto& p : now["items"]) {
          if (p["metadata"].value("name", "") == victim) return false;
          running += p["status"].value("phase", "") == "Running" ? 1 : 0;
        }
        return running == 3;
      },
      std::chrono::seconds(90)))
      << SyncerLog(name);

  // Ingresses are not synced unless the values ask (sync.toHost.ingresses.enabled): by now the
  // syncer has handled everything applied with it.
  EXPECT_EQ(client_->Get(r::kIngresses, hns, "web-app-x-default-x-" + name).status().code(),
            Code::kNotFound);

  // Virtual side deleted: the host pods and the host Service go.
  auto deleted = Kubectl({"delete", "deployment", "web-app", "-n", "default"});
  ASSERT_EQ(deleted.code, 0) << deleted.Both();
  auto svc_deleted = Kubectl({"delete", "service", "web-app", "-n", "default"});
  ASSERT_EQ(svc_deleted.code, 0) << svc_deleted.Both();
  EXPECT_TRUE(Eventually([&] { return HostWorkloadPods(name).empty(); }, std::chrono::seconds(90)))
      << HostWorkloadPods(name).size() << " host pods left\n"
      << SyncerLog(name);
  EXPECT_TRUE(Eventually(
      [&] { return client_->Get(r::kServices, hns, host_svc).status().code() == Code::kNotFound; },
      std::chrono::seconds(60)));
  // No pods left on a pseudo node: it goes too. Only the virtual DNS pod's node stays.
  auto dns_pod = VirtualJson({"get", "pods", "-n", "kube-system", "-l", "k8s-app=kube-dns"});
  ASSERT_TRUE(dns_pod.is_object() && dns_pod["items"].size() == 1) << dns_pod.dump();
  const std::string dns_node = dns_pod["items"][0]["spec"].value("nodeName", "");
  json left;
  EXPECT_TRUE(Eventually(
      [&] {
        left = VirtualJson({"get", "nodes"});
        return left.is_object() && left["items"].size() == 1 &&
               left["items"][0]["metadata"].value("name", "") == dns_node;
      },
      std::chrono::seconds(60)))
      << left.dump();
}

// Robustness: the syncer killed with -9 mid-rollout, and again while the tenant scales down,
// comes back (kubelet restarts the container) and converges without
// duplicates or orphans: the name mapping is a pure function plus the uid annotation, so a
// fresh process finds everything again.
TEST_F(SyncerE2eTest, SyncerKilledMidRolloutLeavesNoDuplicatesOrOrphans) {
  const std::string name = "sync-robust";
  ASSERT_NO_FATAL_FAILURE(
      CreateVirtualCluster(name,
                           "isolation:\n  trustLevel: high\n"
                           "sync:\n  toHost:\n    podDisruptionBudgets:\n      enabled: true\n"));
  const std::string hns = "vcluster-" + name;
  const pid_t first = SyncerPid(name);
  ASSERT_GT(first, 0) << "no syncer process for " << name;
  std::string deployment = kWebApp;
  deployment = deployment.substr(0, deployment.find("---\napiVersion: v1\nkind: Service"));
  auto applied = ApplyInVirtual(name, "web.yaml", deployment);
  ASSERT_EQ(applied.code, 0) << applied.Both();
  // Mid-rollout: some host pods may exist, some not.
  ASSERT_TRUE(
      Eventually([&] { return !HostWorkloadPods(name).empty(); }, std::chrono::seconds(60)));
  ASSERT_EQ(::kill(first, SIGKILL), 0);
  pid_t second = 0;
  ASSERT_TRUE(Eventually(
      [&] {
        second = SyncerPid(name);
        return second > 0 && second != first;
      },
      std::chrono::seconds(60)))
      << "the syncer was not restarted";

  auto converged = [&](size_t want) {
    auto vpods = VirtualJson({"get", "pods", "-n", "default", "-l", "app=web-app"});
    if (!vpods.is_object() || vpods["items"].size() != want) return false;
    std::set<std::string> uids;
    for (const auto& p : vpods["items"]) {
      if (p["status"].value("phase", "") != "Running") return false;
      uids.insert(p["metadata"].value("uid", ""));
    }
    const auto host = HostWorkloadPods(name);
    if (host.size() != want) return false;
    for (const auto& h : host) {
      if (uids.count(h["metadata"]["annotations"].value(labels::kVirtualUid, "")) == 0)
        return false;
    }
    return true;
  };
  EXPECT_TRUE(Eventually([&] { return converged(3); }, std::chrono::seconds(90)))
      << HostWorkloadPods(name).size() << " host pods\n"
      << SyncerLog(name);

  // Killed again, and the tenant scales down while it is gone.
  ASSERT_EQ(::kill(second, SIGKILL), 0);
  auto scaled = Kubectl({"scale", "deployment", "web-app", "-n", "default", "--replicas=1"});
  ASSERT_EQ(scaled.code, 0) << scaled.Both();
  EXPECT_TRUE(Eventually(
      [&] {
        const pid_t third = SyncerPid(name);
        return third > 0 && third != second;
      },
      std::chrono::seconds(60)));
  EXPECT_TRUE(Eventually([&] { return converged(1); }, std::chrono::seconds(90)))
      << HostWorkloadPods(name).size() << " host pods\n"
      << SyncerLog(name);
}

}  // namespace
}  // namespace vc::testing
