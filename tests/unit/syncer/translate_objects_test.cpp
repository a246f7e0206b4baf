// SPDX-License-Identifier: Apache-2.0
// Translators of the other kinds, SyncConfig from values, and the host ConfigMap mapping.
#include <gtest/gtest.h>

#include "vc/syncer/sync/event_syncer.h"
#include "vc/syncer/sync/host_class_syncer.h"
#include "vc/syncer/sync/host_config_map_syncer.h"
#include "vc/syncer/sync/manifests.h"
#include "vc/syncer/translate/node_translator.h"
#include "vc/syncer/translate/object_translator.h"
#include "vc/syncer/translate/sync_config.h"

namespace vc::syncer::translate {
namespace {

using nlohmann::json;

const Tenant kTenant{.name = "t1", .host_namespace = "vcluster-t1", .trust_level = "high"};

TEST(SyncerTranslateObjectsTest, ServiceSelectorTranslatedAddressLeftToTheHostNodePortAskedFor) {
  const json v = json::parse(R"({"apiVersion": "v1", "kind": "Service",
    "metadata": {"name": "web", "namespace": "shop", "uid": "u"},
    "spec": {"type": "NodePort", "clusterIP": "10.96.5.5", "clusterIPs": ["10.96.5.5"],
             "selector": {"app": "web"},
             "ports": [{"port": 80, "targetPort": 8080, "nodePort": 30080}]}})");
  const json h = TranslateService(v, kTenant);
  EXPECT_EQ(h["metadata"]["name"], "web-x-shop-x-t1");
  EXPECT_FALSE(h["spec"].contains("clusterIP"));
  EXPECT_FALSE(h["spec"].contains("clusterIPs"));
  // Asked for as the virtual Service has it: a client that read it reaches it on a node.
  EXPECT_EQ(h["spec"]["ports"][0]["nodePort"], 30080);
  EXPECT_EQ(h["spec"]["selector"]["label.kubectl-vc.dev/app"], "web");
  EXPECT_EQ(h["spec"]["selector"]["kubectl-vc.dev/object-namespace"], "shop");
  json headless = v;
  headless["spec"]["clusterIP"] = "None";
  EXPECT_EQ(TranslateService(headless, kTenant)["spec"]["clusterIP"], "None");
}

TEST(SyncerTranslateObjectsTest, TheHostsNodePortsWhereTheyDifferByPosition) {
  const json v = json::parse(R"({"spec": {"type": "NodePort", "ports": [
      {"name": "a", "port": 80, "nodePort": 30080}, {"name": "b", "port": 81, "nodePort": 30081}]}})");
  json h = v;
  EXPECT_FALSE(HostNodePorts(v, h).has_value());
  h["spec"]["ports"][1]["nodePort"] = 31999;
  const auto ports = HostNodePorts(v, h);
  ASSERT_TRUE(ports.has_value());
  EXPECT_EQ((*ports)[0]["nodePort"], 30080);
  EXPECT_EQ((*ports)[1]["nodePort"], 31999);
  EXPECT_EQ((*ports)[1]["name"], "b");
  // A host Service without node ports (a ClusterIP, a LoadBalancer without them) says nothing;
  // nor do ports that no longer line up.
  json none = v;
  for (auto& p : none["spec"]["ports"]) p.erase("nodePort");
  EXPECT_FALSE(HostNodePorts(v, none).has_value());
  json fewer = h;
  fewer["spec"]["ports"].erase(1);
  EXPECT_FALSE(HostNodePorts(v, fewer).has_value());
}

TEST(SyncerTranslateObjectsTest, ServiceSelectorDroppedInTheVirtualClusterIsRemovedOnTheHost) {
  const json host = {
      {"metadata", json::object()},
      {"spec", {{"selector", {{"label.kubectl-vc.dev/app", "pg"}}}, {"clusterIP", "10.96.0.7"}}}};
  const json v = json::parse(R"({"metadata": {"name": "db", "namespace": "shop"},
                                 "spec": {"ports": [{"port": 5432}]}})");
  const json want = TranslateService(v, kTenant);
  EXPECT_TRUE(want["spec"]["selector"].is_null());
  const json patch = HostObjectPatch(want, host, {"spec"});
  ASSERT_TRUE(patch.contains("spec")) << patch.dump();
  EXPECT_TRUE(patch["spec"].contains("selector"));
  EXPECT_TRUE(patch["spec"]["selector"].is_null());
  // Once gone on the host, nothing more to patch for it.
  json without = host;
  without["spec"].erase("selector");
  const json again = HostObjectPatch(want, without, {"spec"});
  EXPECT_FALSE(again.is_object() && again.contains("spec") && again["spec"].contains("selector"))
      << again.dump();
}

TEST(SyncerTranslateObjectsTest, ServiceTypesLimitedByValues) {
  SyncConfig c;
  c.service_types = {"ClusterIP"};
  const json lb = {{"spec", {{"type", "LoadBalancer"}}}};
  EXPECT_NE(ServiceRefusal(lb, c).find("LoadBalancer is not allowed"), std::string::npos);
  EXPECT_NE(ServiceRefusal(lb, c).find("isolation.serviceTypes: ClusterIP"), std::string::npos);
  EXPECT_EQ(ServiceRefusal(json{{"spec", json::object()}}, c), "");
}

TEST(SyncerTranslateObjectsTest, DataObjectsKeepDataAndNeverBecomeHostTokens) {
  const json v = json::parse(R"({"apiVersion": "v1", "kind": "Secret",
    "metadata": {"name": "s", "namespace": "a", "uid": "u", "resourceVersion": "9"},
    "type": "kubernetes.io/service-account-token", "data": {"k": "dg=="}})");
  const json h = TranslateDataObject(v, kTenant);
  EXPECT_EQ(h["type"], "Opaque");
  EXPECT_EQ(h["data"], v["data"]);
  EXPECT_FALSE(h["metadata"].contains("resourceVersion"));
}

// ingress-nginx reads the Secret an auth annotation names in the Ingress's host namespace,
// where the control plane's Secrets are: the host copy names the tenant's copy instead.
TEST(SyncerTranslateObjectsTest, IngressSecretAnnotationsNameTheTenantsCopies) {
  const json v = {{"metadata",
                   {{"name", "web"},
                    {"namespace", "shop"},
                    {"annotations",
                     {{"nginx.ingress.kubernetes.io/auth-secret", "basic-auth"},
                      {"nginx.ingress.kubernetes.io/auth-tls-secret", "shop/client-ca"},
                      {"nginx.ingress.kubernetes.io/auth-type", "basic"}}}}},
                  {"spec", json::object()}};
  const json h = TranslateIngress(v, kTenant);
  const json& annotations = h["metadata"]["annotations"];
  EXPECT_EQ(annotations["nginx.ingress.kubernetes.io/auth-secret"],
            kTenant.host_namespace + "/" + HostName("basic-auth", "shop", kTenant.name));
  EXPECT_EQ(annotations["nginx.ingress.kubernetes.io/auth-tls-secret"],
            kTenant.host_namespace + "/" + HostName("client-ca", "shop", kTenant.name));
  EXPECT_EQ(annotations["nginx.ingress.kubernetes.io/auth-type"], "basic");
  EXPECT_EQ(IngressSecrets(v), (std::vector<std::string>{"basic-auth", "client-ca"}));
  EXPECT_EQ(IngressAnnotationSecret("other/x", "shop"), "");
}

TEST(SyncerTranslateObjectsTest, IngressBackendsAndTlsSecretsTranslated) {
  const json v = json::parse(R"({"metadata": {"name": "i", "namespace": "shop"}, "spec": {
    "defaultBackend": {"service": {"name": "web", "port": {"number": 80}}},
    "tls": [{"hosts": ["a.example"], "secretName": "cert"}],
    "rules": [{"http": {"paths": [{"path": "/", "backend": {"service": {"name": "api"}}}]}}]}})");
  const json h = TranslateIngress(v, kTenant);
  EXPECT_EQ(h["spec"]["defaultBackend"]["service"]["name"], "web-x-shop-x-t1");
  EXPECT_EQ(h["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"],
            "api-x-shop-x-t1");
  EXPECT_EQ(h["spec"]["tls"][0]["secretName"], "cert-x-shop-x-t1");
  EXPECT_EQ(IngressSecrets(v), std::vector<std::string>{"cert"});
  // A resource backend names the tenant's own copy too, not an object of the host namespace.
  const json r = json::parse(R"({"metadata": {"name": "i", "namespace": "shop"}, "spec": {
    "defaultBackend": {"resource": {"apiGroup": "k8s.example", "kind": "Bucket", "name": "vc-t1"}},
    "tls": [{"hosts": ["b.example"]}, {"secretName": 3}, "junk"]}})");
  EXPECT_EQ(TranslateIngress(r, kTenant)["spec"]["defaultBackend"]["resource"]["name"],
            "vc-t1-x-shop-x-t1");
  EXPECT_TRUE(IngressSecrets(r).empty());
}

TEST(SyncerTranslateObjectsTest, PatchOnlyWhatDiffersAndKeepsHostDefaults) {
  const json want = {{"metadata", {{"labels", {{"a", "1"}}}}},
                     {"data", {{"k", "v2"}}},
                     {"spec", {{"ports", json::array({1})}}}};
  const json host = {{"metadata", {{"labels", {{"a", "1"}, {"host", "x"}}}}},
                     {"data", {{"k", "v1"}}},
                     {"spec", {{"ports", json::array({1})}, {"clusterIP", "10.96.0.9"}}}};
  EXPECT_EQ(HostObjectPatch(want, host, {"data", "spec"}), (json{{"data", {{"k", "v2"}}}}));
  EXPECT_TRUE(
      HostObjectPatch(
          want,
          json{{"metadata", want["metadata"]}, {"data", want["data"]}, {"spec", host["spec"]}},
          {"data", "spec"})
          .is_null());
}

TEST(SyncerTranslateObjectsTest, PseudoNodeIsSanitizedAndPointsAtTheSyncer) {
  const json host = json::parse(R"({"metadata": {"name": "w1", "labels": {
      "kubernetes.io/os": "linux", "team": "secret-infra", "kubernetes.io/arch": "arm64"}},
    "status": {"capacity": {"cpu": "4"}, "addresses": [{"type": "InternalIP", "address": "10.0.0.5"}]}})");
  const json n = PseudoNode("w1", host, {.address = "127.0.0.1", .port = 41000});
  EXPECT_EQ(n["metadata"]["labels"], (json{{"kubernetes.io/hostname", "w1"},
                                           {"kubernetes.io/os", "linux"},
                                           {"kubernetes.io/arch", "arm64"},
                                           {kPseudoNodeLabel, "true"}}));
  EXPECT_EQ(n["status"]["daemonEndpoints"]["kubeletEndpoint"]["Port"], 41000);
  // Only the relay's address: the host node's is not shown.
  EXPECT_EQ(n["status"]["addresses"],
            json::parse(R"([{"type": "InternalDNS", "address": "127.0.0.1"},
                            {"type": "InternalIP", "address": "127.0.0.1"},
                            {"type": "Hostname", "address": "w1"}])"));
  EXPECT_EQ(n["status"]["capacity"]["cpu"], "4");
  EXPECT_EQ(n["status"]["conditions"][0]["type"], "Ready");
  const json real = RealNode(host, {.address = "127.0.0.1", .port = 41000});
  EXPECT_EQ(real["metadata"]["labels"]["team"], "secret-infra");
  // The relay first under the type the virtual API server prefers, then the node's own.
  EXPECT_EQ(real["status"]["addresses"],
            json::parse(R"([{"type": "InternalDNS", "address": "127.0.0.1"},
                            {"type": "InternalIP", "address": "10.0.0.5"}])"));
  EXPECT_TRUE(NodeMatches(host, {{"team", "secret-infra"}}));
  EXPECT_FALSE(NodeMatches(host, {{"team", "other"}}));
  // Both are the syncer's; a Node the tenant made (even with a host node's labels) is not.
  EXPECT_TRUE(SyncedNode(n));
  EXPECT_TRUE(SyncedNode(real));
  json tenants = real;
  tenants["metadata"].erase("annotations");
  EXPECT_FALSE(SyncedNode(tenants));
}

TEST(SyncerTranslateObjectsTest, ARealNodeDedicatedToTheTenantLosesOnlyItsOwnDedicationTaint) {
  const json host = json::parse(R"({"metadata": {"name": "w2"}, "spec": {"taints": [
      {"key": "kubectl-vc.dev/dedicated", "value": "t1", "effect": "NoSchedule"},
      {"key": "kubectl-vc.dev/dedicated", "value": "t2", "effect": "NoSchedule"},
      {"key": "gpu", "value": "yes", "effect": "NoSchedule"}]}})");
  const KubeletEndpoint kubelet{.address = "127.0.0.1", .port = 41000};
  // Its own taint the host lets its pods onto, so its virtual scheduler may use the node.
  const json mine = RealNode(host, kubelet, "t1");
  ASSERT_EQ(mine["spec"]["taints"].size(), 2u) << mine["spec"].dump();
  EXPECT_EQ(mine["spec"]["taints"][0]["value"], "t2");
  EXPECT_EQ(mine["spec"]["taints"][1]["key"], "gpu");
  EXPECT_EQ(RealNode(host, kubelet)["spec"]["taints"].size(), 3u);
}

TEST(SyncerSyncConfigTest, TheVirtualSchedulerIsReadFromTheValues) {
  EXPECT_FALSE(SyncConfigFromValues(json::object()).virtual_scheduler);
  EXPECT_TRUE(
      SyncConfigFromValues(
          json::parse(R"({"controlPlane": {"advanced": {"virtualScheduler": {"enabled": true}}}})"))
          .virtual_scheduler);
}

TEST(SyncerSyncConfigTest, DefaultsMatchTheSchemaAndValuesOverride) {
  const SyncConfig d = SyncConfigFromValues(json::object());
  EXPECT_TRUE(d.pods);
  EXPECT_FALSE(d.ingresses);
  EXPECT_EQ(d.nodes, NodeSyncMode::kPseudo);
  EXPECT_EQ(d.service_types.size(), 4u);
  const SyncConfig c = SyncConfigFromValues(json::parse(R"({
    "sync": {"toHost": {"ingresses": {"enabled": true}, "configMaps": {"all": true},
                        "pods": {"enforceTolerations": ["a=b:NoExecute"]}},
             "fromHost": {"nodes": {"enabled": true, "selector": {"labels": {"team": "prod"}}},
                          "configMaps": {"enabled": true, "mappings": {"byName": {"p/x": "v/x"}}}}},
    "isolation": {"trustLevel": "zero", "serviceTypes": ["ClusterIP"],
                  "dedicatedNodes": {"enabled": true}},
    "experimental": {"deploy": {"vcluster": {"manifests": "kind: ConfigMap"}}}})"));
  EXPECT_TRUE(c.ingresses);
  EXPECT_TRUE(c.config_maps_all);
  ASSERT_EQ(c.enforce_tolerations.size(), 1u);
  EXPECT_EQ(c.enforce_tolerations[0].effect, "NoExecute");
  EXPECT_EQ(c.nodes, NodeSyncMode::kSelected);
  EXPECT_EQ(c.node_selector.at("team"), "prod");
  EXPECT_EQ(c.config_map_mappings.at("p/x"), "v/x");
  EXPECT_EQ(c.trust_level, "zero");
  EXPECT_EQ(c.service_types, std::vector<std::string>{"ClusterIP"});
  EXPECT_TRUE(c.dedicated_nodes);
  EXPECT_EQ(c.manifests, "kind: ConfigMap");
}

TEST(SyncerHostConfigMapTest, MappingsByNameAndWholeNamespace) {
  const std::map<std::string, std::string> m = {{"platform/settings", "shared/platform"},
                                                {"certs/*", "trust/*"}};
  EXPECT_EQ(sync::MapHostConfigMap(m, "platform", "settings"), "shared/platform");
  EXPECT_EQ(sync::MapHostConfigMap(m, "platform", "other"), "");
  EXPECT_EQ(sync::MapHostConfigMap(m, "certs", "ca"), "trust/ca");
  EXPECT_EQ(sync::MapHostConfigMap(m, "kube-system", "ca"), "");
}

TEST(SyncerEventsTest, HostEventBecomesAnEventAboutTheVirtualPod) {
  const json host =
      json::parse(R"({"metadata": {"name": "e1", "namespace": "vcluster-t1", "uid": "h-uid"},
    "involvedObject": {"kind": "Pod", "name": "web-x-shop-x-t1", "namespace": "vcluster-t1",
                       "fieldPath": "spec.containers{web}"},
    "type": "Normal", "reason": "Scheduled", "count": 2, "source": {"component": "default-scheduler"},
    "message": "Successfully assigned vcluster-t1/web-x-shop-x-t1 to worker"})");
  const json vpod = {{"metadata", {{"name", "web"}, {"namespace", "shop"}, {"uid", "v-uid"}}}};
  const json e = sync::VirtualEventFor(host, vpod);
  EXPECT_EQ(e["metadata"]["namespace"], "shop");
  EXPECT_EQ(e["metadata"]["name"], "web." + Sha256Hex("h-uid").substr(0, 16));
  EXPECT_EQ(e["involvedObject"]["name"], "web");
  EXPECT_EQ(e["involvedObject"]["uid"], "v-uid");
  EXPECT_EQ(e["involvedObject"]["fieldPath"], "spec.containers{web}");
  EXPECT_EQ(e["reason"], "Scheduled");
  EXPECT_EQ(e["count"], 2);
  EXPECT_EQ(e["message"], "Successfully assigned shop/web to worker");
}

TEST(SyncerHostClassTest, IngressClassCopiedAndMarked) {
  const json host = json::parse(R"({"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
    "metadata": {"name": "nginx", "uid": "u", "resourceVersion": "5",
                 "annotations": {"ingressclass.kubernetes.io/is-default-class": "true"}},
    "spec": {"controller": "k8s.io/ingress-nginx"}})");
  const json v = sync::VirtualClassObject(host);
  EXPECT_EQ(v["metadata"], json::parse(R"({"name": "nginx",
    "labels": {"kubectl-vc.dev/from-host": "true"},
    "annotations": {"ingressclass.kubernetes.io/is-default-class": "true"}})"));
  EXPECT_EQ(v["spec"]["controller"], "k8s.io/ingress-nginx");
}

// sync.toHost.podDisruptionBudgets.
TEST(SyncerTranslateObjectsTest, ADisruptionBudgetSelectsOnlyTheTenantsPodsOfItsNamespace) {
  const json v = json::parse(R"({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
      "metadata": {"name": "web", "namespace": "shop", "uid": "u1"},
      "spec": {"minAvailable": "50%", "unhealthyPodEvictionPolicy": "AlwaysAllow",
               "selector": {"matchLabels": {"app": "web", "kubectl-vc.dev/tenant": "other"},
                            "matchExpressions": [{"key": "tier", "operator": "In",
                                                  "values": ["a"]}]}}})");
  const json h = TranslatePodDisruptionBudget(v, kTenant);
  EXPECT_EQ(h["metadata"]["name"], "web-x-shop-x-t1");
  EXPECT_EQ(h["metadata"]["namespace"], "vcluster-t1");
  // A percentage: the number the virtual cluster's disruption controller worked out, once it
  // has (0 before); the host cannot count it over pods without a controller.
  EXPECT_EQ(h["spec"]["minAvailable"], 0);
  json counted = v;
  counted["metadata"]["generation"] = 2;
  counted["status"] = {{"observedGeneration", 2}, {"desiredHealthy", 3}};
  EXPECT_EQ(TranslatePodDisruptionBudget(counted, kTenant)["spec"]["minAvailable"], 3);
  counted["status"]["observedGeneration"] = 1;
  EXPECT_EQ(TranslatePodDisruptionBudget(counted, kTenant)["spec"]["minAvailable"], 0)
      << "a count of an older spec is not used";
  EXPECT_TRUE(h["spec"]["maxUnavailable"].is_null()) << "never on the host: dropped there";
  EXPECT_EQ(h["spec"]["unhealthyPodEvictionPolicy"], "AlwaysAllow");
  // The tenant's keys cannot name host labels: every one is under the tenant prefix, and the
  // tenant and namespace labels are the syncer's.
  const json& labels = h["spec"]["selector"]["matchLabels"];
  EXPECT_EQ(labels["label.kubectl-vc.dev/app"], "web");
  EXPECT_EQ(labels["kubectl-vc.dev/tenant"], "t1");
  EXPECT_EQ(labels["kubectl-vc.dev/component"], "workload");
  EXPECT_EQ(labels["kubectl-vc.dev/object-namespace"], "shop");
  EXPECT_EQ(h["spec"]["selector"]["matchExpressions"][0]["key"], "label.kubectl-vc.dev/tier");
  // An empty selector (every pod of the namespace) is the tenant's pods of that namespace.
  const json every = TranslatePodDisruptionBudget(
      json{{"metadata", {{"name", "all"}, {"namespace", "shop"}}},
           {"spec", {{"minAvailable", 2}, {"selector", json::object()}}}},
      kTenant);
  EXPECT_EQ(every["spec"]["selector"]["matchLabels"].size(), 3u) << every.dump();
  EXPECT_EQ(every["spec"]["minAvailable"], 2) << "an integer as given";
  // None: selects nothing, as in Kubernetes.
  const json none = TranslatePodDisruptionBudget(
      json{{"metadata", {{"name", "n"}, {"namespace", "shop"}}}, {"spec", {{"maxUnavailable", 1}}}},
      kTenant);
  EXPECT_TRUE(none["spec"]["selector"].is_null());
  // At trust high only.
  for (const auto& [trust, on] : {std::pair{"high", true}, {"partial", false}, {"zero", false}}) {
    EXPECT_EQ(SyncConfigFromValues(
                  json{{"sync", {{"toHost", {{"podDisruptionBudgets", {{"enabled", true}}}}}}},
                       {"isolation", {{"trustLevel", trust}}}})
                  .pod_disruption_budgets,
              on)
        << trust;
  }
}

TEST(SyncerTranslateObjectsTest, APatchMakesASelectorMapExactlyTheVirtualOnes) {
  const json want = {{"spec", {{"selector", {{"matchLabels", {{"a", "1"}}}}}, {"x", 1}}}};
  const json host = {
      {"spec",
       {{"selector", {{"matchLabels", {{"a", "1"}, {"gone", "2"}}}, {"matchExpressions", {}}}},
        {"x", 1},
        {"defaulted", true}}}};
  const json patch = HostObjectPatch(want, host, {"spec"});
  EXPECT_EQ(patch,
            (json{{"spec",
                   {{"selector",
                     {{"matchLabels", {{"gone", nullptr}}}, {"matchExpressions", nullptr}}}}}}))
      << patch.dump();
}

// sync.toHost.priorityClasses: a tenant's class as a host class of its own name, never the
// host's default; the built-in system-* classes stay (the host has its own).
TEST(SyncerTranslateObjectsTest, APriorityClassIsCopiedUnderATenantNameAndNeverAsDefault) {
  const json v = json::parse(R"({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
      "metadata": {"name": "high", "uid": "u1", "labels": {"tier": "a"},
                   "annotations": {"kubectl-vc.dev/tenant": "other"}},
      "value": 1000, "globalDefault": true, "preemptionPolicy": "Never",
      "description": "for the important ones"})");
  const json h = TranslatePriorityClass(v, kTenant);
  EXPECT_EQ(h["metadata"]["name"], "high-x-t1-" + Sha256Hex("vcluster-t1/t1").substr(0, 8));
  // Tenants of other namespaces never get the name, whatever their names hold: the tenant in
  // namespace "b-x-t1" (hash of "b-x-t1/t1") and a class "high-x-t1-HASH_OF_A" of another.
  const Tenant other{.name = "t1", .host_namespace = "vcluster-t2"};
  EXPECT_NE(HostClusterName("high", other), HostClusterName("high", kTenant));
  EXPECT_NE(HostClusterName(h["metadata"]["name"].get<std::string>(), other),
            h["metadata"]["name"].get<std::string>());
  EXPECT_FALSE(h["metadata"].contains("namespace"));
  EXPECT_EQ(h["metadata"]["labels"]["kubectl-vc.dev/tenant"], "t1");
  EXPECT_FALSE(h["metadata"]["annotations"].contains("kubectl-vc.dev/tenant")) << h.dump();
  EXPECT_EQ(VirtualKeyOf(h), "high");
  EXPECT_EQ(h["value"], 1000);
  EXPECT_EQ(h["globalDefault"], false);
  EXPECT_EQ(h["preemptionPolicy"], "Never");
  EXPECT_EQ(h["description"], "for the important ones");
  EXPECT_TRUE(SyncsPriorityClass(v));
  EXPECT_FALSE(SyncsPriorityClass(json{{"metadata", {{"name", "system-node-critical"}}}}));

  // Only a trusted tenant's syncer copies them.
  const auto config = [](const std::string& trust) {
    return SyncConfigFromValues(
        json{{"sync", {{"toHost", {{"priorityClasses", {{"enabled", true}}}}}}},
             {"isolation", {{"trustLevel", trust}}}});
  };
  EXPECT_TRUE(config("high").priority_classes);
  EXPECT_FALSE(config("partial").priority_classes);
  EXPECT_FALSE(SyncConfigFromValues(json::object()).priority_classes);
}

TEST(SyncerHostClassTest, RuntimeClassCopiedWithHandlerOverheadAndScheduling) {
  const json host = json::parse(R"({"apiVersion": "node.k8s.io/v1", "kind": "RuntimeClass",
    "metadata": {"name": "gvisor", "uid": "u", "resourceVersion": "5"},
    "handler": "runsc", "overhead": {"podFixed": {"memory": "20Mi"}},
    "scheduling": {"nodeSelector": {"sandbox": "gvisor"}}})");
  const json v = sync::VirtualClassObject(host);
  EXPECT_EQ(v["metadata"], json::parse(R"({"name": "gvisor",
    "labels": {"kubectl-vc.dev/from-host": "true"}})"));
  EXPECT_EQ(v["handler"], "runsc");
  EXPECT_EQ(v["overhead"], host["overhead"]);
  EXPECT_EQ(v["scheduling"], host["scheduling"]);
  EXPECT_EQ(v["kind"], "RuntimeClass");
}

// sync.fromHost.{storageClasses,csiDrivers,csiNodes,priorityClasses}: {host object -> virtual
// copy} for each kind; what makes the object what it is (fields outside metadata) is kept, the
// host's bookkeeping (uid, resourceVersion, owners, managed fields) is not.
TEST(SyncerHostClassTest, StorageCsiAndPriorityClassesAreCopiedAsTheHostHasThem) {
  struct Case {
    std::string host;
    std::vector<std::string> kept;  // top-level fields besides metadata
  };
  const std::vector<Case> cases = {
      {R"({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
           "metadata": {"name": "local-path", "uid": "u", "resourceVersion": "9",
                        "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
           "provisioner": "rancher.io/local-path", "reclaimPolicy": "Delete",
           "volumeBindingMode": "WaitForFirstConsumer", "parameters": {"path": "/x"}})",
       {"provisioner", "reclaimPolicy", "volumeBindingMode", "parameters"}},
      {R"({"apiVersion": "storage.k8s.io/v1", "kind": "CSIDriver",
           "metadata": {"name": "csi.example.com", "uid": "u"},
           "spec": {"attachRequired": false, "podInfoOnMount": true}})",
       {"spec"}},
      {R"({"apiVersion": "storage.k8s.io/v1", "kind": "CSINode",
           "metadata": {"name": "node-1", "uid": "u",
                        "ownerReferences": [{"kind": "Node", "name": "node-1", "uid": "n"}]},
           "spec": {"drivers": [{"name": "csi.example.com", "nodeID": "node-1"}]}})",
       {"spec"}},
      {R"({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
           "metadata": {"name": "platform-high", "uid": "u", "managedFields": []},
           "value": 100000, "preemptionPolicy": "PreemptLowerPriority", "globalDefault": false,
           "description": "the platform's"})",
       {"value", "preemptionPolicy", "description"}},
  };
  for (const auto& c : cases) {
    const json host = json::parse(c.host);
    const json v = sync::VirtualClassObject(host);
    SCOPED_TRACE(host.value("kind", ""));
    EXPECT_EQ(v["kind"], host["kind"]);
    EXPECT_EQ(v["apiVersion"], host["apiVersion"]);
    EXPECT_EQ(v["metadata"]["name"], host["metadata"]["name"]);
    EXPECT_EQ(v["metadata"]["labels"], json({{"kubectl-vc.dev/from-host", "true"}}));
    for (const char* gone : {"uid", "resourceVersion", "ownerReferences", "managedFields"}) {
      EXPECT_FALSE(v["metadata"].contains(gone)) << gone;
    }
    for (const auto& field : c.kept) EXPECT_EQ(v[field], host[field]) << field;
  }
  // The host's default class is not the virtual cluster's (it may have its own).
  const json default_class = json::parse(R"({"apiVersion": "scheduling.k8s.io/v1",
      "kind": "PriorityClass", "metadata": {"name": "d"}, "value": 5, "globalDefault": true})");
  EXPECT_EQ(sync::VirtualClassObject(default_class)["globalDefault"], false);
  // Another tenant's synced copy (toHost.priorityClasses) is not the host's own: never shown.
  EXPECT_TRUE(sync::SyncedByATenant(json::parse(
      R"({"metadata": {"name": "high-x-t2-1234abcd", "labels": {"kubectl-vc.dev/tenant": "t2"}}})")));
  EXPECT_FALSE(sync::SyncedByATenant(default_class));
  // Read by the syncer only when the values ask; PriorityClasses and CSINodes (every host
  // node's name) at trust high only, PriorityClasses not beside toHost.priorityClasses.
  const auto config = [](const std::string& values) {
    return SyncConfigFromValues(json::parse(values));
  };
  const auto all = config(R"({"sync": {"fromHost": {"storageClasses": {"enabled": true},
      "csiDrivers": {"enabled": true}, "csiNodes": {"enabled": true},
      "priorityClasses": {"enabled": true}}}})");
  EXPECT_TRUE(all.storage_classes && all.csi_drivers && all.csi_nodes && all.host_priority_classes);
  const auto none = SyncConfigFromValues(json::object());
  EXPECT_FALSE(none.storage_classes || none.csi_drivers || none.csi_nodes ||
               none.host_priority_classes);
  EXPECT_FALSE(config(R"({"sync": {"fromHost": {"priorityClasses": {"enabled": true}}},
                          "isolation": {"trustLevel": "partial"}})")
                   .host_priority_classes);
  EXPECT_FALSE(config(R"({"sync": {"fromHost": {"priorityClasses": {"enabled": true}},
                                   "toHost": {"priorityClasses": {"enabled": true}}}})")
                   .host_priority_classes);
  EXPECT_FALSE(config(R"({"sync": {"fromHost": {"csiNodes": {"enabled": true}}},
                          "isolation": {"trustLevel": "partial"}})")
                   .csi_nodes);
}

TEST(SyncerManifestsTest, KnownKindsOnly) {
  auto cm = sync::ResourceOfObject({{"apiVersion", "v1"}, {"kind", "ConfigMap"}});
  ASSERT_TRUE(cm.ok());
  EXPECT_EQ(cm->resource, "configmaps");
  auto deploy = sync::ResourceOfObject({{"apiVersion", "apps/v1"}, {"kind", "Deployment"}});
  ASSERT_TRUE(deploy.ok());
  EXPECT_EQ(deploy->group, "apps");
  EXPECT_EQ(sync::ResourceOfObject({{"apiVersion", "x/v1"}, {"kind", "Widget"}}).status().code(),
            Code::kNotFound);
}

}  // namespace
}  // namespace vc::syncer::translate
