// SPDX-License-Identifier: Apache-2.0
// vc-syncer end to end, what the values ask: a pod the tenant's trust level forbids is refused
// with an Event; a host ConfigMap mapped in; pre-populated manifests; real nodes selected by
// label; Ingresses and IngressClasses.
#include "integration/syncer/syncer_e2e_fixture.h"
#include "support/rights.h"

namespace vc::testing {
namespace {

TEST_F(SyncerE2eTest, ForbiddenPodRefusedAndHostConfigMapMapped) {
  const std::string name = "sync-partner";
  const std::string platform = "platform-" + std::to_string(getpid());
  const json ns = {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", platform}}}};
  ASSERT_TRUE(client_->Create(r::kNamespaces, "", ns).ok());
  struct Cleanup {
    std::shared_ptr<kube::Client> c;
    std::string ns;
    ~Cleanup() { (void)c->Delete(r::kNamespaces, "", ns); }
  } cleanup{client_, platform};
  const json settings = {{"apiVersion", "v1"},
                         {"kind", "ConfigMap"},
                         {"metadata", {{"name", "settings"}, {"namespace", platform}}},
                         {"data", {{"registry", "registry.platform.local"}}}};
  ASSERT_TRUE(client_->Create(r::kConfigMaps, platform, settings).ok());

  ASSERT_NO_FATAL_FAILURE(CreateVirtualCluster(
      name,
      "isolation:\n  trustLevel: partial\n"
      "sync:\n  fromHost:\n    configMaps:\n      enabled: true\n      mappings:\n"
      "        byName:\n          \"" +
          platform +
          "/settings\": \"shared/platform-settings\"\n"
          "experimental:\n  deploy:\n    vcluster:\n      manifests: |\n"
          "        apiVersion: v1\n        kind: ConfigMap\n"
          "        metadata: {name: prepopulated, namespace: default}\n"
          "        data: {team: partner}\n"));

  // The mapped host ConfigMap and the pre-populated one are there.
  json mapped;
  EXPECT_TRUE(Eventually(
      [&] {
        mapped = VirtualJson({"get", "configmap", "platform-settings", "-n", "shared"});
        return mapped.is_object() &&
               mapped["data"].value("registry", "") == "registry.platform.local";
      },
      std::chrono::seconds(60)))
      << mapped.dump() << "\n"
      << SyncerLog(name);
  json pre;
  EXPECT_TRUE(Eventually(
      [&] {
        pre = VirtualJson({"get", "configmap", "prepopulated", "-n", "default"});
        return pre.is_object() && pre["data"].value("team", "") == "partner";
      },
      std::chrono::seconds(60)))
      << pre.dump();
  // A host change follows.
  ASSERT_TRUE(client_
                  ->Patch(r::kConfigMaps, platform, "settings", kube::PatchType::kMerge,
                          R"({"data":{"registry":"mirror.platform.local"}})")
                  .ok());
  EXPECT_TRUE(Eventually(
      [&] {
        mapped = VirtualJson({"get", "configmap", "platform-settings", "-n", "shared"});
        return mapped.is_object() &&
               mapped["data"].value("registry", "") == "mirror.platform.local";
      },
      std::chrono::seconds(60)))
      << mapped.dump();

  // The syncer's rights on the host, as the API server computes them, are the reviewed ones
  // (manifests/rights/vc-syncer.txt): in its namespace, in the mapped one (ConfigMaps, read
  // only), and in any other (nothing but what every authenticated user has).
  const std::string hns = "vcluster-" + name;
  const std::string reviewed = std::string(VC_MANIFESTS_DIR) + "/rights/vc-syncer.txt";
  for (const auto& [section, in_ns] :
       std::vector<std::pair<std::string, std::string>>{{"own-namespace", hns},
                                                        {"mapped-namespace", platform},
                                                        {"other-namespace", "default"}}) {
    auto listed =
        Exec({bin_ + "/kubectl", "--kubeconfig", host_dir_ + "/kubeconfig", "auth", "can-i",
              "--list", "-n", in_ns, "--as=system:serviceaccount:" + hns + ":vc-" + name});
    ASSERT_EQ(listed.code, 0) << listed.Both();
    const auto measured = NormalizeRights(listed.out, {{hns, "NAMESPACE"}, {name, "NAME"}});
    EXPECT_EQ(RightsDiff(ReviewedRights(reviewed, section), measured), "")
        << "the syncer's rights in " << in_ns << " differ from section @" << section << " of "
        << reviewed << " (+ measured, not reviewed; - reviewed, not measured)";
  }

  // hostNetwork at partial trust (baseline): refused, with an Event, and nothing on the host.
  auto applied = ApplyInVirtual(name, "bad.yaml", R"(apiVersion: v1
kind: Pod
metadata: {name: sneaky, namespace: default}
spec:
  hostNetwork: true
  containers: [)" + Sleeper("c") + "]\n");
  ASSERT_EQ(applied.code, 0) << applied.Both();
  json events;
  EXPECT_TRUE(Eventually(
      [&] {
        events = VirtualJson({"get", "events", "-n", "default", "--field-selector",
                              "involvedObject.name=sneaky,reason=SyncRefused"});
        return events.is_object() && !events["items"].empty();
      },
      std::chrono::seconds(60)))
      << events.dump() << "\n"
      << SyncerLog(name);
  if (events.is_object() && !events["items"].empty()) {
    EXPECT_NE(events["items"][0].value("message", "").find("hostNetwork"), std::string::npos);
  }
  EXPECT_EQ(
      client_->Get(r::kPods, "vcluster-" + name, "sneaky-x-default-x-" + name).status().code(),
      Code::kNotFound);
  // A harmless pod of the same tenant does run.
  auto ok_pod = ApplyInVirtual(name, "good.yaml", R"(apiVersion: v1
kind: Pod
metadata: {name: fine, namespace: default}
spec:
  containers: [)" + Sleeper("c") + "]\n");
  ASSERT_EQ(ok_pod.code, 0) << ok_pod.Both();
  EXPECT_TRUE(Eventually(
      [&] { return client_->Get(r::kPods, "vcluster-" + name, "fine-x-default-x-" + name).ok(); },
      std::chrono::seconds(60)))
      << SyncerLog(name);

  // delete takes the Role in the mapped namespace along.
  auto deleted = Run({"delete", name, "--wait", "--timeout", "90s"});
  ASSERT_EQ(deleted.code, 0) << deleted.Both();
  auto roles = client_->ListAll(r::kRoles, platform, {});
  ASSERT_TRUE(roles.ok()) << roles.status().message();
  EXPECT_TRUE(roles->items.empty()) << roles->items.size();
  auto bindings = client_->ListAll(r::kRoleBindings, platform, {});
  ASSERT_TRUE(bindings.ok()) << bindings.status().message();
  EXPECT_TRUE(bindings->items.empty()) << bindings->items.size();
}

// The prod team's values: real nodes chosen by label (with their labels, so `kubectl get nodes
// -L` shows them) and Ingresses synced with translated backends.
TEST_F(SyncerE2eTest, SelectedRealNodesAndIngresses) {
  const std::string name = "sync-prod";
  auto host_nodes = client_->ListAll(r::kNodes, "", {});
  ASSERT_TRUE(host_nodes.ok());
  ASSERT_GE(host_nodes->items.size(), 2u);
  const std::string chosen = host_nodes->items[0]["metadata"].value("name", "");
  const std::string other = host_nodes->items[1]["metadata"].value("name", "");
  ASSERT_NO_FATAL_FAILURE(
      CreateVirtualCluster(name,
                           "sync:\n  toHost:\n    ingresses:\n      enabled: true\n"
                           "  fromHost:\n    ingressClasses:\n      enabled: true\n    nodes:\n    "
                           "  enabled: true\n      selector:\n        labels:\n"
                           "          kubernetes.io/hostname: " +
                               chosen + "\n"));
  const std::string hns = "vcluster-" + name;
  struct Cleanup {
    std::shared_ptr<kube::Client> c;
    ~Cleanup() { (void)c->Delete(r::kIngressClasses, "", "platform-nginx"); }
  } cleanup{client_};

  // The selected node is there with its host labels before any pod runs on it; the other
  // host node is filtered out.
  json node;
  EXPECT_TRUE(Eventually(
      [&] {
        node = VirtualJson({"get", "node", chosen});
        return node.is_object() && node["metadata"]["labels"].value("type", "") == "real";
      },
      std::chrono::seconds(60)))
      << node.dump() << "\n"
      << SyncerLog(name);
  if (node.is_object()) {
    EXPECT_FALSE(node["metadata"]["labels"].contains("kubectl-vc.dev/pseudo-node"));
    // Its kubelet, for the virtual API server, is the syncer's relay beside it in the pod (on
    // the pod's loopback), under the address type that API server prefers; the host node's
    // own addresses follow (what pods reach the node at).
    EXPECT_EQ(node["status"]["addresses"][0].value("type", ""), "InternalDNS");
    EXPECT_EQ(node["status"]["addresses"][0].value("address", ""), "127.0.0.1");
  }
  auto nodes = VirtualJson({"get", "nodes"});
  ASSERT_TRUE(nodes.is_object());
  for (const auto& n : nodes["items"]) {
    const std::string n_name = n["metadata"].value("name", "");
    // The other node may only appear as a pseudo node, for a pod the host placed there.
    if (n_name == other) {
      EXPECT_EQ(n["metadata"]["labels"].value("kubectl-vc.dev/pseudo-node", ""), "true");
    }
  }

  // Host IngressClasses appear in the virtual cluster (created after the syncer started, too).
  const json ingress_class = {{"apiVersion", "networking.k8s.io/v1"},
                              {"kind", "IngressClass"},
                              {"metadata", {{"name", "platform-nginx"}}},
                              {"spec", {{"controller", "k8s.io/ingress-nginx"}}}};
  ASSERT_TRUE(client_->Create(r::kIngressClasses, "", ingress_class).ok());
  json vclass;
  EXPECT_TRUE(Eventually(
      [&] {
        vclass = VirtualJson({"get", "ingressclass", "platform-nginx"});
        return vclass.is_object() &&
               vclass["spec"].value("controller", "") == "k8s.io/ingress-nginx";
      },
      std::chrono::seconds(60)))
      << vclass.dump() << "\n"
      << SyncerLog(name);

  auto applied = ApplyInVirtual(name, "ingress.yaml", kIngress);
  ASSERT_EQ(applied.code, 0) << applied.Both();
  json ingress;
  EXPECT_TRUE(Eventually(
      [&] {
        auto got = client_->Get(r::kIngresses, hns, "web-app-x-default-x-" + name);
        if (!got.ok()) return false;
        ingress = *got;
        return true;
      },
      std::chrono::seconds(60)))
      << SyncerLog(name);
  if (ingress.is_object()) {
    EXPECT_EQ(
        ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"].value("name", ""),
        "web-app-x-default-x-" + name);
    EXPECT_EQ(ingress["metadata"]["labels"].value(labels::kTenant, ""), name);
  }
  // An Ingress's TLS certificate goes to the host with it, without secrets.all.
  auto tls = ApplyInVirtual(name, "tls.yaml", R"(apiVersion: v1
kind: Secret
metadata: {name: web-tls, namespace: default}
stringData: {tls.crt: not-a-real-certificate, tls.key: not-a-real-key}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web-tls, namespace: default}
spec:
  tls: [{hosts: [web.example.com], secretName: web-tls}]
  defaultBackend: {service: {name: web-app, port: {number: 80}}}
)");
  ASSERT_EQ(tls.code, 0) << tls.Both();
  EXPECT_TRUE(Eventually(
      [&] {
        auto ing = client_->Get(r::kIngresses, hns, "web-tls-x-default-x-" + name);
        return ing.ok() &&
               (*ing)["spec"]["tls"][0].value("secretName", "") == "web-tls-x-default-x-" + name &&
               client_->Get(r::kSecrets, hns, "web-tls-x-default-x-" + name).ok();
      },
      std::chrono::seconds(60)))
      << SyncerLog(name);
  // TLS the tenant takes away goes from the host copy too (the real API server takes the
  // copy's nulls as "no tls").
  auto plain = ApplyInVirtual(name, "plain.yaml", R"(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web-tls, namespace: default}
spec:
  defaultBackend: {service: {name: web-app, port: {number: 80}}}
)");
  ASSERT_EQ(plain.code, 0) << plain.Both();
  json host_ingress;
  EXPECT_TRUE(Eventually(
      [&] {
        auto ing = client_->Get(r::kIngresses, hns, "web-tls-x-default-x-" + name);
        if (!ing.ok()) return false;
        host_ingress = *ing;
        return !(*ing)["spec"].contains("tls") && (*ing)["spec"].contains("defaultBackend");
      },
      std::chrono::seconds(60)))
      << host_ingress.dump() << "\n"
      << SyncerLog(name);
  // Deleted in the virtual cluster, gone from the host.
  ASSERT_EQ(Kubectl({"delete", "ingress", "web-app", "-n", "default"}).code, 0);
  EXPECT_TRUE(Eventually(
      [&] {
        return client_->Get(r::kIngresses, hns, "web-app-x-default-x-" + name).status().code() ==
               Code::kNotFound;
      },
      std::chrono::seconds(60)));
}

// sync.fromHost.{storageClasses,csiDrivers,csiNodes,priorityClasses}: the host's objects of each
// kind appear in the virtual cluster marked from-host, and a pod naming a host PriorityClass
// runs with it on the host.
TEST_F(SyncerE2eTest, HostStorageCsiAndPriorityClassesAppearInTheVirtualCluster) {
  const std::string name = "sync-classes";
  const json driver = {{"apiVersion", "storage.k8s.io/v1"},
                       {"kind", "CSIDriver"},
                       {"metadata", {{"name", "csi.vc-test.example"}}},
                       {"spec", {{"attachRequired", false}}}};
  const json priority = {{"apiVersion", "scheduling.k8s.io/v1"},
                         {"kind", "PriorityClass"},
                         {"metadata", {{"name", "vc-test-platform-high"}}},
                         {"value", 100000}};
  struct Cleanup {
    std::shared_ptr<kube::Client> c;
    ~Cleanup() {
      (void)c->Delete(r::kCsiDrivers, "", "csi.vc-test.example");
      (void)c->Delete(r::kPriorityClasses, "", "vc-test-platform-high");
    }
  } cleanup{client_};
  ASSERT_TRUE(client_->Create(r::kCsiDrivers, "", driver).ok());
  ASSERT_TRUE(client_->Create(r::kPriorityClasses, "", priority).ok());
  auto storage = client_->ListAll(r::kStorageClasses, "", {});
  auto csi_nodes = client_->ListAll(r::kCsiNodes, "", {});
  ASSERT_TRUE(storage.ok() && csi_nodes.ok());
  ASSERT_FALSE(storage->items.empty()) << "the real-node host has local-path storage";
  ASSERT_FALSE(csi_nodes->items.empty()) << "real kubelets register CSINodes";
  ASSERT_NO_FATAL_FAILURE(CreateVirtualCluster(
      name,
      "sync:\n  fromHost:\n    storageClasses:\n      enabled: true\n"
      "    csiDrivers:\n      enabled: true\n    csiNodes:\n      enabled: true\n"
      "    priorityClasses:\n      enabled: true\n"));

  const std::vector<std::pair<std::string, std::string>> expected = {
      {"storageclass", storage->items[0]["metadata"].value("name", "")},
      {"csinode", csi_nodes->items[0]["metadata"].value("name", "")},
      {"csidriver", "csi.vc-test.example"},
      {"priorityclass", "vc-test-platform-high"}};
  for (const auto& [kind, object] : expected) {
    json got;
    EXPECT_TRUE(Eventually(
        [&] {
          got = VirtualJson({"get", kind, object});
          return got.is_object() &&
                 got["metadata"]["labels"].value("kubectl-vc.dev/from-host", "") == "true";
        },
        std::chrono::seconds(60)))
        << kind << " " << object << ": " << got.dump() << "\n"
        << SyncerLog(name);
  }

  auto applied = ApplyInVirtual(name, "important.yaml",
                                "apiVersion: v1\nkind: Pod\nmetadata: {name: important-0, "
                                "namespace: default}\nspec:\n  priorityClassName: "
                                "vc-test-platform-high\n  containers: [" +
                                    Sleeper("important") + "]\n");
  ASSERT_EQ(applied.code, 0) << applied.Both();
  json host_pod;
  EXPECT_TRUE(Eventually(
      [&] {
        auto got = client_->Get(r::kPods, "vcluster-" + name, "important-0-x-default-x-" + name);
        if (got.ok()) host_pod = *got;
        return got.ok();
      },
      std::chrono::seconds(60)))
      << SyncerLog(name);
  if (host_pod.is_object()) {
    EXPECT_EQ(host_pod["spec"].value("priorityClassName", ""), "vc-test-platform-high");
    EXPECT_EQ(host_pod["spec"].value("priority", 0), 100000);
  }
}

}  // namespace
}  // namespace vc::testing
