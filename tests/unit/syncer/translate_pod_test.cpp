// SPDX-License-Identifier: Apache-2.0
// The pod translator, table style: a virtual pod in, the host pod (and what it references) out;
// and the status that flows back.
#include <gtest/gtest.h>

#include "vc/labels.h"
#include "vc/syncer/translate/pod_policy.h"
#include "vc/syncer/translate/pod_translator.h"

namespace vc::syncer::translate {
namespace {

using nlohmann::json;

const Tenant kTenant{.name = "t1", .host_namespace = "vcluster-t1", .trust_level = "high"};
const PodEnvironment kEnv{.apiserver_host = "10.96.0.42", .apiserver_port = 443};

// What the virtual API server's admission makes of a Deployment's pod.
json VirtualPod() {
  return json::parse(R"({
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "web-1", "namespace": "shop", "uid": "uid-1",
                 "labels": {"app": "web"}},
    "spec": {
      "serviceAccountName": "builder", "nodeName": "", "priority": 1000,
      "priorityClassName": "tenant-high",
      "tolerations": [{"key": "kubectl-vc.dev/dedicated", "operator": "Exists"},
                      {"key": "node.kubernetes.io/not-ready", "operator": "Exists",
                       "effect": "NoExecute", "tolerationSeconds": 300}],
      "imagePullSecrets": [{"name": "regcred"}],
      "containers": [{
        "name": "web", "image": "nginx",
        "env": [
          {"name": "A", "valueFrom": {"configMapKeyRef": {"name": "cfg", "key": "a"}}},
          {"name": "B", "valueFrom": {"secretKeyRef": {"name": "sec", "key": "b"}}},
          {"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
          {"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
          {"name": "KUBERNETES_SERVICE_HOST", "value": "10.0.0.1"}],
        "envFrom": [{"configMapRef": {"name": "bulk"}}, {"secretRef": {"name": "bulk-sec"}}]
      }],
      "volumes": [
        {"name": "data", "persistentVolumeClaim": {"claimName": "data"}},
        {"name": "conf", "configMap": {"name": "cfg"}},
        {"name": "certs", "secret": {"secretName": "tls"}},
        {"name": "kube-api-access-x", "projected": {"sources": [
          {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
          {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
          {"downwardAPI": {"items": [{"path": "namespace",
                                      "fieldRef": {"fieldPath": "metadata.namespace"}}]}}]}},
        {"name": "vault", "projected": {"sources": [
          {"serviceAccountToken": {"audience": "vault", "expirationSeconds": 600, "path": "vt"}}]}}
      ]
    }})");
}

TEST(SyncerTranslatePodTest, RewritesReferencesTokensAndIdentity) {
  const auto t = TranslatePod(VirtualPod(), kTenant, SyncConfig{}, kEnv);
  const json& h = t.host_pod;
  EXPECT_EQ(h["metadata"]["name"], "web-1-x-shop-x-t1");
  EXPECT_EQ(h["metadata"]["namespace"], "vcluster-t1");
  const json& spec = h["spec"];
  for (const char* gone : {"nodeName", "serviceAccountName", "priority", "priorityClassName"}) {
    EXPECT_FALSE(spec.contains(gone)) << gone;
  }
  EXPECT_EQ(spec["automountServiceAccountToken"], false);
  EXPECT_EQ(spec["enableServiceLinks"], false);
  EXPECT_EQ(spec["hostname"], "web-1");
  const json& env = spec["containers"][0]["env"];
  EXPECT_EQ(env[0]["valueFrom"]["configMapKeyRef"]["name"], "cfg-x-shop-x-t1");
  EXPECT_EQ(env[1]["valueFrom"]["secretKeyRef"]["name"], "sec-x-shop-x-t1");
  EXPECT_EQ(env[2]["valueFrom"]["fieldRef"]["fieldPath"],
            "metadata.annotations['kubectl-vc.dev/object-name']");
  EXPECT_EQ(env[3]["valueFrom"]["fieldRef"]["fieldPath"], "spec.nodeName");
  // The virtual API server in place of the host's, with every variable a kubelet sets for it.
  EXPECT_EQ(env[4], (json{{"name", "KUBERNETES_SERVICE_HOST"}, {"value", "10.96.0.42"}}));
  EXPECT_EQ(env[5], (json{{"name", "KUBERNETES_SERVICE_PORT"}, {"value", "443"}}));
  EXPECT_EQ(env[6], (json{{"name", "KUBERNETES_SERVICE_PORT_HTTPS"}, {"value", "443"}}));
  EXPECT_EQ(env[7], (json{{"name", "KUBERNETES_PORT"}, {"value", "tcp://10.96.0.42:443"}}));
  EXPECT_EQ(env[8], (json{{"name", "KUBERNETES_PORT_443_TCP"}, {"value", "tcp://10.96.0.42:443"}}));
  EXPECT_EQ(env[11], (json{{"name", "KUBERNETES_PORT_443_TCP_ADDR"}, {"value", "10.96.0.42"}}));
  EXPECT_EQ(env.size(), 12u) << "the virtual KUBERNETES_SERVICE_HOST is replaced, not kept";
  EXPECT_EQ(spec["containers"][0]["envFrom"][0]["configMapRef"]["name"], "bulk-x-shop-x-t1");
  EXPECT_EQ(spec["containers"][0]["envFrom"][1]["secretRef"]["name"], "bulk-sec-x-shop-x-t1");
  EXPECT_EQ(spec["imagePullSecrets"][0]["name"], "regcred-x-shop-x-t1");
  const json& vols = spec["volumes"];
  EXPECT_EQ(vols[0]["persistentVolumeClaim"]["claimName"], "data-x-shop-x-t1");
  EXPECT_EQ(vols[1]["configMap"]["name"], "cfg-x-shop-x-t1");
  EXPECT_EQ(vols[2]["secret"]["secretName"], "tls-x-shop-x-t1");
  const json& api = vols[3]["projected"]["sources"];
  EXPECT_EQ(api[0], json::parse(R"({"secret": {"name": "web-1-sa-token-x-shop-x-t1",
                                    "items": [{"key": "token-0", "path": "token"}]}})"));
  EXPECT_EQ(api[1]["configMap"]["name"], "kube-root-ca.crt-x-shop-x-t1");
  EXPECT_EQ(api[2]["downwardAPI"]["items"][0]["fieldRef"]["fieldPath"],
            "metadata.annotations['kubectl-vc.dev/object-namespace']");
  EXPECT_EQ(vols[4]["projected"]["sources"][0]["secret"]["items"][0],
            (json{{"key", "token-1"}, {"path", "vt"}}));

  EXPECT_EQ(t.refs.config_maps, (std::set<std::string>{"bulk", "cfg", "kube-root-ca.crt"}));
  EXPECT_EQ(t.refs.secrets, (std::set<std::string>{"bulk-sec", "regcred", "sec", "tls"}));
  EXPECT_EQ(t.refs.pvcs, (std::set<std::string>{"data"}));
  EXPECT_EQ(t.refs.service_account, "builder");
  ASSERT_EQ(t.refs.tokens.size(), 2u);
  EXPECT_EQ(t.refs.tokens[0].audience, "");
  EXPECT_EQ(t.refs.tokens[0].expiration_seconds, 3607);
  EXPECT_EQ(t.refs.tokens[1].audience, "vault");
  EXPECT_EQ(t.refs.tokens[1].key, "token-1");
}

// The host's RuntimeClass of the same handler, and the host class's overhead (its admission
// sets it; the virtual one's would be refused there).
TEST(SyncerTranslatePodTest, ARuntimeClassRunsAsTheHostsOfTheSameHandler) {
  json v = VirtualPod();
  v["spec"]["runtimeClassName"] = "tenant-fast";
  v["spec"]["overhead"] = {{"cpu", "10m"}};
  PodEnvironment env = kEnv;
  env.runtime_class = "runc-host";
  const json h = TranslatePod(v, kTenant, SyncConfig{}, env).host_pod;
  EXPECT_EQ(h["spec"]["runtimeClassName"], "runc-host");
  EXPECT_FALSE(h["spec"].contains("overhead"));
  EXPECT_FALSE(TranslatePod(VirtualPod(), kTenant, SyncConfig{}, kEnv)
                   .host_pod["spec"]
                   .contains("runtimeClassName"));

  const auto rc = [](const std::string& name, const std::string& handler) {
    return json{{"metadata", {{"name", name}}}, {"handler", handler}};
  };
  const std::vector<json> host = {rc("zeta", "runc"), rc("kata", "kata"), rc("alpha", "runc")};
  EXPECT_EQ(HostRuntimeClassFor(rc("tenant-fast", "runc"), host), "alpha");  // first by name
  EXPECT_EQ(HostRuntimeClassFor(rc("zeta", "runc"), host), "zeta");          // its own name
  EXPECT_EQ(HostRuntimeClassFor(rc("kata", "kata"), host), "kata");
  EXPECT_EQ(HostRuntimeClassFor(rc("x", "runsc"), host), "");  // none
  EXPECT_EQ(HostRuntimeClassFor(rc("x", ""), {rc("y", "")}), "");
}

// sync.toHost.priorityClasses: the host copy of the pod's class (the pod syncer names it);
// without it the host pod has no class and the host's default priority. The virtual
// admission's priority and preemptionPolicy never go: the host's admission sets its own.
TEST(SyncerTranslatePodTest, APriorityClassRunsAsItsHostCopyOrNotAtAll) {
  json v = VirtualPod();
  v["spec"]["priorityClassName"] = "high";
  v["spec"]["priority"] = 1000000;
  v["spec"]["preemptionPolicy"] = "PreemptLowerPriority";
  PodEnvironment env = kEnv;
  env.priority_class = "high-x-t1-0badc0de";
  const json h = TranslatePod(v, kTenant, SyncConfig{}, env).host_pod;
  EXPECT_EQ(h["spec"]["priorityClassName"], "high-x-t1-0badc0de");
  EXPECT_FALSE(h["spec"].contains("priority"));
  EXPECT_FALSE(h["spec"].contains("preemptionPolicy"));
  const json none = TranslatePod(v, kTenant, SyncConfig{}, kEnv).host_pod;
  EXPECT_FALSE(none["spec"].contains("priorityClassName"));
  EXPECT_FALSE(none["spec"].contains("priority"));
}

TEST(SyncerTranslatePodTest, TenantCannotTolerateItsWayOntoDedicatedNodes) {
  const auto t = TranslatePod(VirtualPod(), kTenant, SyncConfig{}, kEnv);
  const json& tol = t.host_pod["spec"]["tolerations"];
  ASSERT_EQ(tol.size(), 1u) << tol.dump();
  EXPECT_EQ(tol[0]["key"], "node.kubernetes.io/not-ready");
  EXPECT_FALSE(t.host_pod["spec"].contains("nodeSelector"));
}

TEST(SyncerTranslatePodTest, DedicatedNodesAddSelectorAndToleration) {
  SyncConfig config;
  config.dedicated_nodes = true;
  config.dedicated_node_selector = {{"pool", "zero"}};
  config.enforce_tolerations = {ParseToleration("gpu=yes:NoSchedule"), ParseToleration("spot")};
  const auto t = TranslatePod(VirtualPod(), kTenant, config, kEnv);
  const json& spec = t.host_pod["spec"];
  EXPECT_EQ(spec["nodeSelector"], (json{{labels::kDedicatedNodeLabel, "t1"}, {"pool", "zero"}}));
  const json& tol = spec["tolerations"];
  ASSERT_EQ(tol.size(), 4u) << tol.dump();
  EXPECT_EQ(tol[1], (json{{"key", labels::kDedicatedTaintKey},
                          {"operator", "Equal"},
                          {"value", "t1"},
                          {"effect", "NoSchedule"}}));
  EXPECT_EQ(
      tol[2],
      (json{{"key", "gpu"}, {"operator", "Equal"}, {"value", "yes"}, {"effect", "NoSchedule"}}));
  EXPECT_EQ(tol[3], (json{{"key", "spot"}, {"operator", "Exists"}}));
}

TEST(SyncerTranslatePodTest, ThePodTheVirtualSchedulerBoundIsPinnedToItsNodeNotPlacedThere) {
  json pod = VirtualPod();
  pod["spec"]["nodeName"] = "node-2";
  pod["spec"]["schedulerName"] = "bin-packing";
  pod["status"]["conditions"] = json::array({{{"type", "PodScheduled"}, {"status", "True"}}});
  pod["spec"]["affinity"] =
      json::parse(R"({"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution":
      {"nodeSelectorTerms": [{"matchExpressions": [{"key": "gpu", "operator": "Exists"}]},
                             {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]}]}}})");
  SyncConfig config;
  config.virtual_scheduler = true;
  config.dedicated_nodes = true;
  const json spec = TranslatePod(pod, kTenant, config, kEnv).host_pod["spec"];
  // Never nodeName (which skips the host's scheduler and its checks): every term gets the node.
  EXPECT_FALSE(spec.contains("nodeName"));
  EXPECT_FALSE(spec.contains("schedulerName"));
  const json& terms = spec["affinity"]["nodeAffinity"]
                          ["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"];
  ASSERT_EQ(terms.size(), 2u) << terms.dump();
  const json pin = {{"key", "metadata.name"}, {"operator", "In"}, {"values", {"node-2"}}};
  for (const auto& term : terms) {
    EXPECT_EQ(term["matchFields"], json::array({pin})) << term.dump();
    EXPECT_TRUE(term.contains("matchExpressions")) << term.dump();
  }
  // The tenant's placement still holds: the host refuses a node that is not its own.
  EXPECT_EQ(spec["nodeSelector"][labels::kDedicatedNodeLabel], "t1");

  // Without the virtual scheduler the node of a Binding (ours, after the host placed the pod)
  // is dropped, nothing pinned.
  config.virtual_scheduler = false;
  const json free = TranslatePod(pod, kTenant, config, kEnv).host_pod["spec"];
  EXPECT_FALSE(free.contains("nodeName"));
  EXPECT_FALSE(free["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
                   ["nodeSelectorTerms"][0]
                       .contains("matchFields"));
}

TEST(SyncerTranslatePodTest, AFieldRefToOneLabelReadsItsHostKey) {
  json pod = VirtualPod();
  pod["spec"]["containers"][0]["env"] = json::parse(R"([
      {"name": "JOB_COMPLETION_INDEX", "valueFrom": {"fieldRef":
          {"fieldPath": "metadata.labels['batch.kubernetes.io/job-completion-index']"}}},
      {"name": "ALL", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels"}}},
      {"name": "ODD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['"}}}])");
  pod["metadata"]["labels"] = {{"batch.kubernetes.io/job-completion-index", "1"}};
  const json h = TranslatePod(pod, kTenant, SyncConfig{}, kEnv).host_pod;
  const json& env = h["spec"]["containers"][0]["env"];
  const std::string key = HostLabelKey("batch.kubernetes.io/job-completion-index");
  EXPECT_EQ(env[0]["valueFrom"]["fieldRef"]["fieldPath"], "metadata.labels['" + key + "']");
  EXPECT_EQ(h["metadata"]["labels"][key], "1");
  EXPECT_EQ(env[1]["valueFrom"]["fieldRef"]["fieldPath"], "metadata.labels");
  EXPECT_EQ(env[2]["valueFrom"]["fieldRef"]["fieldPath"], "metadata.labels['");
}

TEST(SyncerTranslatePodTest, ServiceLinksAreTheVirtualServicesAsTheKubeletWritesThem) {
  const std::vector<json> services = {
      json::parse(R"({"metadata": {"name": "redis-master"}, "spec": {"clusterIP": "10.0.0.11",
          "ports": [{"port": 6379}, {"name": "metrics", "port": 9121, "protocol": "TCP"},
                    {"name": "dns-udp", "port": 53, "protocol": "UDP"}]}})"),
      json::parse(R"({"metadata": {"name": "headless"}, "spec": {"clusterIP": "None",
          "ports": [{"port": 80}]}})"),
      json::parse(R"({"metadata": {"name": "v6"}, "spec": {"clusterIP": "fd00::1",
          "ports": [{"port": 80}]}})")};
  const json env = ServiceLinkEnv(services);
  std::map<std::string, std::string> vars;
  for (const auto& e : env) vars[e["name"]] = e["value"];
  EXPECT_EQ(vars["REDIS_MASTER_SERVICE_HOST"], "10.0.0.11");
  EXPECT_EQ(vars["REDIS_MASTER_SERVICE_PORT"], "6379");
  EXPECT_EQ(vars["REDIS_MASTER_SERVICE_PORT_METRICS"], "9121");
  EXPECT_EQ(vars["REDIS_MASTER_SERVICE_PORT_DNS_UDP"], "53");
  EXPECT_EQ(vars["REDIS_MASTER_PORT"], "tcp://10.0.0.11:6379");
  EXPECT_EQ(vars["REDIS_MASTER_PORT_6379_TCP"], "tcp://10.0.0.11:6379");
  EXPECT_EQ(vars["REDIS_MASTER_PORT_53_UDP"], "udp://10.0.0.11:53");
  EXPECT_EQ(vars["REDIS_MASTER_PORT_53_UDP_PROTO"], "udp");
  EXPECT_EQ(vars["REDIS_MASTER_PORT_53_UDP_PORT"], "53");
  EXPECT_EQ(vars["REDIS_MASTER_PORT_53_UDP_ADDR"], "10.0.0.11");
  EXPECT_EQ(vars.count("HEADLESS_SERVICE_HOST"), 0u);
  EXPECT_EQ(vars["V6_PORT"], "tcp://[fd00::1]:80");
  EXPECT_EQ(env.size(), 2u + 2 + 1 + 3 * 4 + 2 + 1 + 4);

  // In the pod: before the container's own variables, which override them.
  json pod = VirtualPod();
  PodEnvironment with = kEnv;
  with.service_links = env;
  const json host = TranslatePod(pod, kTenant, SyncConfig{}, with).host_pod;
  const json& out = host["spec"]["containers"][0]["env"];
  EXPECT_EQ(out[0]["name"], "REDIS_MASTER_SERVICE_HOST");
  EXPECT_EQ(out[env.size()]["name"], pod["spec"]["containers"][0]["env"][0]["name"]);
}

TEST(SyncerTranslatePodTest, APodCreatedOnANodeGoesThereByNameAndStaysOffDedicatedNodes) {
  json pod = VirtualPod();
  pod["spec"]["nodeName"] = "node-2";
  pod["spec"]["affinity"] =
      json::parse(R"({"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution":
      {"nodeSelectorTerms": [{"matchExpressions": [{"key": "gpu", "operator": "Exists"}]},
                             {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["node-2"]}]}]}}})");
  ASSERT_TRUE(CreatedOnANode(pod));
  for (bool virtual_scheduler : {false, true}) {
    SyncConfig config;
    config.virtual_scheduler = virtual_scheduler;
    const json spec = TranslatePod(pod, kTenant, config, kEnv).host_pod["spec"];
    // The kubelet admits it or fails it (a port taken, no room), as in any cluster.
    EXPECT_EQ(spec["nodeName"], "node-2");
    // And checks required node affinity when it does: every term keeps off dedicated nodes.
    const json& terms = spec["affinity"]["nodeAffinity"]
                            ["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"];
    ASSERT_EQ(terms.size(), 2u) << terms.dump();
    const json off = {{"key", labels::kDedicatedNodeLabel}, {"operator", "DoesNotExist"}};
    for (const auto& term : terms) {
      ASSERT_TRUE(term.contains("matchExpressions")) << term.dump();
      EXPECT_EQ(term["matchExpressions"].back(), off) << term.dump();
    }
  }
  // A tenant with dedicated nodes: its own nodes' label is the selector the kubelet checks.
  SyncConfig dedicated;
  dedicated.dedicated_nodes = true;
  const json spec = TranslatePod(pod, kTenant, dedicated, kEnv).host_pod["spec"];
  EXPECT_EQ(spec["nodeName"], "node-2");
  EXPECT_EQ(spec["nodeSelector"][labels::kDedicatedNodeLabel], "t1");
  // Once bound (the kubelet's status brings PodScheduled back), it is no longer "created on a
  // node": the syncer knows it ran on the host.
  pod["status"]["conditions"] = json::array({{{"type", "PodScheduled"}, {"status", "True"}}});
  EXPECT_FALSE(CreatedOnANode(pod));
  pod["spec"].erase("nodeName");
  EXPECT_FALSE(CreatedOnANode(pod));
}

TEST(SyncerTranslatePodTest, PodsRunOnTheNodesTheSelectorShows) {
  SyncConfig config;
  config.nodes = NodeSyncMode::kSelected;
  config.node_selector = {{"pool", "gpu"}};
  json pod = VirtualPod();
  pod["spec"]["nodeSelector"] = {{"pool", "cpu"}, {"disk", "ssd"}};
  const json spec = TranslatePod(pod, kTenant, config, kEnv).host_pod["spec"];
  EXPECT_EQ(spec["nodeSelector"], (json{{"pool", "gpu"}, {"disk", "ssd"}}));
  config.nodes = NodeSyncMode::kAll;
  EXPECT_EQ(TranslatePod(pod, kTenant, config, kEnv).host_pod["spec"]["nodeSelector"],
            (json{{"pool", "cpu"}, {"disk", "ssd"}}));
}

TEST(SyncerTranslatePodTest, StatusFlowsBackWithoutQosClass) {
  const json host = json::parse(R"({"status": {
    "phase": "Running", "podIP": "10.244.0.7", "podIPs": [{"ip": "10.244.0.7"}],
    "hostIP": "127.0.0.1", "qosClass": "BestEffort", "nominatedNodeName": "x",
    "conditions": [{"type": "Ready", "status": "True"}],
    "containerStatuses": [{"name": "web", "ready": true}]}})");
  const json s = VirtualPodStatus(host);
  EXPECT_EQ(s["phase"], "Running");
  EXPECT_EQ(s["podIP"], "10.244.0.7");
  EXPECT_FALSE(s.contains("qosClass"));
  EXPECT_FALSE(s.contains("nominatedNodeName"));
  json virt = {{"status", {{"phase", "Pending"}, {"qosClass", "BestEffort"}}}};
  EXPECT_TRUE(StatusDiffers(virt, host));
  virt["status"].update(s);
  EXPECT_FALSE(StatusDiffers(virt, host));
  // A condition only the virtual pod has (an eviction's DisruptionTarget) is no difference; a
  // host condition that changed, or a field it lost, is.
  virt["status"]["conditions"].push_back({{"type", "DisruptionTarget"}, {"status", "True"}});
  EXPECT_FALSE(StatusDiffers(virt, host));
  virt["status"]["conditions"][0]["message"] = "containers with unready status";
  EXPECT_TRUE(StatusDiffers(virt, host));
  virt["status"]["conditions"][0].erase("message");
  virt["status"]["conditions"][0]["status"] = "False";
  EXPECT_TRUE(StatusDiffers(virt, host));
  virt["status"]["conditions"][0]["status"] = "True";
  EXPECT_FALSE(StatusDiffers(virt, host));
  // A kubelet condition the host pod no longer has (a finished resize) is a difference.
  virt["status"]["conditions"].push_back({{"type", "PodResizeInProgress"}, {"status", "True"}});
  EXPECT_TRUE(StatusDiffers(virt, host));
}

TEST(SyncerTranslatePodTest, StatusPatchKeepsVirtualConditionsAndDropsWhatTheKubeletDropped) {
  const json host = json::parse(R"({"status": {"phase": "Running",
    "conditions": [{"type": "Ready", "status": "True"}]}})");
  const json virt = json::parse(R"({"status": {"phase": "Running", "conditions": [
    {"type": "Ready", "status": "False", "message": "containers with unready status"},
    {"type": "PodResizeInProgress", "status": "True"},
    {"type": "DisruptionTarget", "status": "True"}]}})");
  const json patch = VirtualStatusPatch(virt, host);
  EXPECT_EQ(patch["status"]["conditions"], json::parse(R"([
    {"type": "Ready", "status": "True", "message": null},
    {"type": "PodResizeInProgress", "$patch": "delete"}])"));
  EXPECT_EQ(patch["status"]["phase"], "Running");
  EXPECT_FALSE(VirtualStatusPatch(json::object(),
                                  json::parse(R"({"status": {"phase": "Pending"}})"))["status"]
                   .contains("conditions"));
}

TEST(SyncerTranslatePodTest, UpdatePatchesLabelsAndImages) {
  const json v = VirtualPod();
  json host = TranslatePod(v, kTenant, SyncConfig{}, kEnv).host_pod;
  host["metadata"]["labels"]["pod-template-hash-from-host"] = "keep";
  EXPECT_TRUE(HostPodUpdate(v, host, kTenant, SyncConfig{}, kEnv).is_null());
  json changed = v;
  changed["metadata"]["labels"] = {{"app", "web2"}};
  changed["spec"]["containers"][0]["image"] = "nginx:2";
  const json patch = HostPodUpdate(changed, host, kTenant, SyncConfig{}, kEnv);
  EXPECT_EQ(patch["metadata"]["labels"]["label.kubectl-vc.dev/app"], "web2");
  EXPECT_FALSE(patch["metadata"]["labels"].contains("pod-template-hash-from-host"));
  EXPECT_EQ(patch["spec"]["containers"], (json::array({{{"name", "web"}, {"image", "nginx:2"}}})));
  EXPECT_FALSE(patch["spec"].contains("activeDeadlineSeconds"));
}

TEST(SyncerTranslatePodTest, ObservedGenerationsAreTheVirtualPods) {
  json v = VirtualPod();
  v["metadata"]["generation"] = 3;
  json host = TranslatePod(v, kTenant, SyncConfig{}, kEnv).host_pod;
  EXPECT_EQ(host["metadata"]["annotations"][labels::kVirtualGeneration], "3");
  host["metadata"]["generation"] = 7;
  host["status"] = json::parse(R"({"phase": "Running", "observedGeneration": 7,
      "conditions": [{"type": "Ready", "status": "True", "observedGeneration": 7},
                     {"type": "PodScheduled", "status": "True", "observedGeneration": 5},
                     {"type": "Initialized", "status": "True"}]})");
  json status = VirtualPodStatus(host);
  EXPECT_EQ(status["observedGeneration"], 3);
  EXPECT_EQ(status["conditions"][0]["observedGeneration"], 3);
  EXPECT_FALSE(status["conditions"][1].contains("observedGeneration")) << "an older spec's";
  EXPECT_FALSE(status["conditions"][2].contains("observedGeneration"));
  // The kubelet has not seen the host pod's latest spec yet: nothing to say.
  host["metadata"]["generation"] = 8;
  EXPECT_FALSE(VirtualPodStatus(host).contains("observedGeneration"));
  // Nor when the annotation is not a generation.
  host["metadata"]["generation"] = 7;
  host["metadata"]["annotations"][labels::kVirtualGeneration] = "3x";
  EXPECT_FALSE(VirtualPodStatus(host).contains("observedGeneration"));
}

TEST(SyncerTranslatePodTest, UpdateAddsTolerationsAndTheNewGeneration) {
  json v = VirtualPod();
  v["metadata"]["generation"] = 1;
  v["spec"]["tolerations"] = json::parse(R"([{"key": "a", "operator": "Exists"}])");
  const json host = TranslatePod(v, kTenant, SyncConfig{}, kEnv).host_pod;
  EXPECT_TRUE(HostPodUpdate(v, host, kTenant, SyncConfig{}, kEnv).is_null());
  v["metadata"]["generation"] = 2;
  v["spec"]["tolerations"].push_back(json::parse(R"({"key": "b", "operator": "Exists"})"));
  const json patch = HostPodUpdate(v, host, kTenant, SyncConfig{}, kEnv);
  EXPECT_EQ(patch["spec"]["tolerations"], v["spec"]["tolerations"]);
  EXPECT_EQ(patch["metadata"]["annotations"], (json{{labels::kVirtualGeneration, "2"}}));
}

TEST(SyncerTranslatePodTest, AResizeGivesTheHostContainersTheVirtualResources) {
  json v = VirtualPod();
  v["metadata"]["generation"] = 1;
  v["spec"]["containers"][0]["resources"] =
      json::parse(R"({"requests": {"cpu": "100m"}, "limits": {"cpu": "200m"}})");
  json host = TranslatePod(v, kTenant, SyncConfig{}, kEnv).host_pod;
  EXPECT_TRUE(HostPodResize(v, host).is_null());
  // The host's admission defaulted a memory limit: not a resize to undo.
  host["spec"]["containers"][0]["resources"]["limits"]["memory"] = "1Gi";
  EXPECT_TRUE(HostPodResize(v, host).is_null());
  host["spec"]["containers"][0]["resources"]["limits"].erase("memory");
  v["metadata"]["generation"] = 2;
  v["spec"]["containers"][0]["resources"]["limits"]["cpu"] = "400m";
  EXPECT_EQ(HostPodResize(v, host), json::parse(R"({"spec": {"containers": [{"name": "web",
      "resources": {"requests": {"cpu": "100m"}, "limits": {"cpu": "400m"}}}]}})"));
  // Resources are not part of the ordinary update.
  EXPECT_FALSE(HostPodUpdate(v, host, kTenant, SyncConfig{}, kEnv).contains("spec"));
}

TEST(SyncerTranslatePodTest, EphemeralContainersAreAddedRewrittenAndOnlyOnce) {
  json v = VirtualPod();
  const json host = TranslatePod(v, kTenant, SyncConfig{}, kEnv).host_pod;
  PodReferences refs;
  EXPECT_TRUE(HostPodEphemeralContainers(v, host, kTenant, kEnv, &refs).is_null());
  v["spec"]["ephemeralContainers"] = json::parse(R"([{"name": "debugger", "image": "busybox",
      "targetContainerName": "web",
      "env": [{"name": "T", "valueFrom": {"secretKeyRef": {"name": "tok", "key": "t"}}}]}])");
  const json patch = HostPodEphemeralContainers(v, host, kTenant, kEnv, &refs);
  ASSERT_EQ(patch["spec"]["ephemeralContainers"].size(), 1u) << patch.dump();
  const json& added = patch["spec"]["ephemeralContainers"][0];
  EXPECT_EQ(added["targetContainerName"], "web");
  EXPECT_EQ(added["env"][0]["valueFrom"]["secretKeyRef"]["name"], "tok-x-shop-x-t1");
  EXPECT_EQ(refs.secrets.count("tok"), 1u);
  json has = host;
  has["spec"]["ephemeralContainers"] = patch["spec"]["ephemeralContainers"];
  EXPECT_TRUE(HostPodEphemeralContainers(v, has, kTenant, kEnv, &refs).is_null());
  // Their statuses come back with the pod's.
  has["status"]["ephemeralContainerStatuses"] = json::array({{{"name", "debugger"}}});
  EXPECT_EQ(VirtualPodStatus(has)["ephemeralContainerStatuses"][0]["name"], "debugger");
}

TEST(SyncerTranslatePodTest, UpdatePatchesANewActiveDeadline) {
  json v = VirtualPod();
  const json host = TranslatePod(v, kTenant, SyncConfig{}, kEnv).host_pod;
  v["spec"]["activeDeadlineSeconds"] = 5;
  const json patch = HostPodUpdate(v, host, kTenant, SyncConfig{}, kEnv);
  EXPECT_EQ(patch, json::parse(R"({"spec": {"activeDeadlineSeconds": 5}})"));
  json updated = host;
  updated["spec"]["activeDeadlineSeconds"] = 5;
  EXPECT_TRUE(HostPodUpdate(v, updated, kTenant, SyncConfig{}, kEnv).is_null());
}

TEST(SyncerPodPolicyTest, LevelIsTheStricterOfStandardAndTrust) {
  SyncConfig c;
  EXPECT_EQ(PodSecurityLevel(c), "privileged");
  c.trust_level = "partial";
  EXPECT_EQ(PodSecurityLevel(c), "baseline");
  c.pod_security_standard = "restricted";
  EXPECT_EQ(PodSecurityLevel(c), "restricted");
  c.trust_level = "zero";
  c.pod_security_standard = "privileged";
  EXPECT_EQ(PodSecurityLevel(c), "restricted") << "a standard cannot loosen the trust level";
}

TEST(SyncerPodPolicyTest, BaselineRefusesHostAccess) {
  const json pod = json::parse(R"({"spec": {
    "hostNetwork": true, "hostPID": true,
    "volumes": [{"name": "root", "hostPath": {"path": "/"}}],
    "containers": [{"name": "c", "securityContext": {"privileged": true,
                    "capabilities": {"add": ["SYS_ADMIN", "CHOWN"]}},
                    "ports": [{"containerPort": 80, "hostPort": 80}]}]}})");
  EXPECT_TRUE(PodPolicyViolations(pod, "privileged").empty());
  const auto v = PodPolicyViolations(pod, "baseline");
  const std::vector<std::string> want = {"hostNetwork=true",
                                         "hostPID=true",
                                         "volume \"root\": hostPath",
                                         "container \"c\": privileged=true",
                                         "container \"c\": adds capability SYS_ADMIN",
                                         "container \"c\": hostPort 80"};
  EXPECT_EQ(v, want);
}

TEST(SyncerPodPolicyTest, RestrictedWantsNonRootNoEscalationDropAllSeccomp) {
  const json plain = json::parse(R"({"spec": {"containers": [{"name": "c"}]}})");
  EXPECT_TRUE(PodPolicyViolations(plain, "baseline").empty());
  EXPECT_EQ(PodPolicyViolations(plain, "restricted").size(), 4u);
  const json hardened = json::parse(R"({"spec": {
    "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
    "volumes": [{"name": "d", "emptyDir": {}}],
    "containers": [{"name": "c", "securityContext": {"allowPrivilegeEscalation": false,
                    "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}}}]}})");
  EXPECT_TRUE(PodPolicyViolations(hardened, "restricted").empty());
  json nfs = hardened;
  nfs["spec"]["volumes"].push_back({{"name", "n"}, {"nfs", {{"server", "x"}}}});
  EXPECT_EQ(PodPolicyViolations(nfs, "restricted"),
            (std::vector<std::string>{"volume \"n\": nfs"}));
}

}  // namespace
}  // namespace vc::syncer::translate
