// SPDX-License-Identifier: Apache-2.0
// The control-plane StatefulSet: how its pod stops (kine outlives the API server, the grace
// period covers the API server's drain), the service-account issuer, and the scheduling keys
// the schema accepts reaching the pod.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "vc/cli/render/host_objects.h"
#include "vc/cli/values/schema.h"
#include "vc/yaml.h"

namespace vc::cli::render {
namespace {

using nlohmann::json;

json PodSpec(const std::string& values_yaml) {
  auto values = yaml::Parse(values_yaml.empty() ? "{}" : values_yaml, "values");
  EXPECT_TRUE(values.ok()) << values_yaml;
  VirtualCluster vc{.name = "team", .namespace_ = "vcluster-team", .values = values->value};
  for (const auto& o : RenderHostObjects(vc)) {
    if (o.object.value("kind", "") == "StatefulSet") return o.object["spec"]["template"]["spec"];
  }
  ADD_FAILURE() << "no StatefulSet";
  return json();
}

std::vector<std::string> Names(const json& containers) {
  std::vector<std::string> out;
  for (const auto& c : containers) out.push_back(c.value("name", ""));
  return out;
}

const json* Container(const json& spec, const std::string& name) {
  for (const char* list : {"initContainers", "containers"}) {
    for (const auto& c : spec[list]) {
      if (c.value("name", "") == name) return &c;
    }
  }
  return nullptr;
}

TEST(RenderStatefulSetTest, KineAndTheApiServerAreSidecarsStartedInOrder) {
  const json spec = PodSpec("");
  // After the one-shot init (PKI, kubeconfigs), kine and then the API server as sidecars:
  // kubelet starts each after the one before has started, the main containers after both, and
  // stops them in reverse only after the main containers have exited.
  EXPECT_EQ(Names(spec["initContainers"]),
            (std::vector<std::string>{"init", "kine", "kube-apiserver"}));
  EXPECT_EQ(spec["initContainers"][0].value("restartPolicy", ""), "");
  EXPECT_EQ(spec["initContainers"][1].value("restartPolicy", ""), "Always");
  EXPECT_EQ(spec["initContainers"][2].value("restartPolicy", ""), "Always");
  // Started once ready: the bootstrap RBAC the controller-manager's first request needs is in.
  EXPECT_EQ(spec["initContainers"][2]["startupProbe"]["httpGet"]["path"], "/readyz");
  EXPECT_EQ(spec["initContainers"][2]["startupProbe"]["periodSeconds"], 1);
  const auto names = Names(spec["containers"]);
  EXPECT_EQ(std::count(names.begin(), names.end(), "kine"), 0);
  EXPECT_EQ(std::count(names.begin(), names.end(), "kube-apiserver"), 0);
  EXPECT_EQ(names.front(), "kube-controller-manager");
  EXPECT_EQ(spec.value("terminationGracePeriodSeconds", 0), 70);
}

TEST(RenderStatefulSetTest, TheServiceAccountIssuerFollowsTheClusterDomain) {
  auto issuers = [](const json& spec) {
    std::vector<std::string> out;
    for (const auto& arg : (*Container(spec, "kube-apiserver"))["args"]) {
      const std::string a = arg.get<std::string>();
      if (a.rfind("--service-account-issuer=", 0) == 0) out.push_back(a.substr(25));
    }
    return out;
  };
  EXPECT_EQ(issuers(PodSpec("")),
            std::vector<std::string>{"https://kubernetes.default.svc.cluster.local"});
  // The first signs; the old one is still accepted, so an upgrade keeps earlier tokens valid.
  EXPECT_EQ(issuers(PodSpec("networking: {advanced: {clusterDomain: team.internal}}")),
            (std::vector<std::string>{"https://kubernetes.default.svc.team.internal",
                                      "https://kubernetes.default.svc.cluster.local"}));
}

// Effective values carry networking.serviceCIDR "" until create fills in the host's range; a
// pod rendered from them (a test, a dry run) gets Kubernetes' default range, never an empty flag.
TEST(RenderStatefulSetTest, TheServiceRangeIsTheValuesOrTheDefaultNeverEmpty) {
  auto range = [](const json& spec) {
    for (const auto& arg : (*Container(spec, "kube-apiserver"))["args"]) {
      const std::string a = arg.get<std::string>();
      if (a.rfind("--service-cluster-ip-range=", 0) == 0) return a.substr(27);
    }
    return std::string("(none)");
  };
  EXPECT_EQ(range(PodSpec("")), "10.96.0.0/12");
  EXPECT_EQ(range(PodSpec("networking: {serviceCIDR: ''}")), "10.96.0.0/12");
  EXPECT_EQ(range(PodSpec("networking: {serviceCIDR: 172.20.0.0/16}")), "172.20.0.0/16");
}

// Every scheduling key the renderer copies into the pod is one the schema accepts (and one it
// refuses when malformed), so no key is read that a user could not write.
TEST(RenderStatefulSetTest, EverySchedulingKeyTheSchemaAcceptsReachesThePod) {
  const std::string values =
      "controlPlane:\n"
      "  statefulSet:\n"
      "    scheduling:\n"
      "      nodeSelector: {pool: control}\n"
      "      tolerations: [{key: dedicated, operator: Equal, value: cp, effect: NoSchedule}]\n"
      "      affinity:\n"
      "        podAntiAffinity:\n"
      "          preferredDuringSchedulingIgnoredDuringExecution:\n"
      "          - weight: 100\n"
      "            podAffinityTerm:\n"
      "              topologyKey: kubernetes.io/hostname\n"
      "              labelSelector: {matchLabels: {app: vcluster}}\n"
      "      priorityClassName: system-cluster-critical\n";
  auto doc = yaml::Parse(values, "values.yaml");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(values::ValidateDocument(*doc), std::vector<std::string>{});
  const json spec = PodSpec(values);
  EXPECT_EQ(spec["nodeSelector"], json({{"pool", "control"}}));
  EXPECT_EQ(spec["tolerations"].size(), 1u);
  EXPECT_TRUE(spec["affinity"].contains("podAntiAffinity"));
  EXPECT_EQ(spec.value("priorityClassName", ""), "system-cluster-critical");

  auto bad = yaml::Parse(
      "controlPlane: {statefulSet: {scheduling: {priorityClassName: Not_A_Name, affinity: []}}}",
      "values.yaml");
  ASSERT_TRUE(bad.ok());
  const auto errors = values::ValidateDocument(*bad);
  EXPECT_EQ(errors.size(), 2u) << ::testing::PrintToString(errors);
}

}  // namespace
}  // namespace vc::cli::render

namespace vc::cli::render {
namespace {

json ConfigSecretOf(const std::string& values_yaml) {
  auto values = yaml::Parse(values_yaml, "values");
  EXPECT_TRUE(values.ok()) << values_yaml;
  VirtualCluster vc{.name = "team", .namespace_ = "vcluster-team", .values = values->value};
  for (const auto& o : RenderHostObjects(vc)) {
    if (o.object.value("kind", "") == "Secret") return o.object;
  }
  return json();
}

TEST(RenderStatefulSetTest, TheVirtualSchedulerRunsOnlyWhenEnabledWithTheProfilesGiven) {
  EXPECT_EQ(Container(PodSpec(""), "kube-scheduler"), nullptr);
  EXPECT_FALSE(ConfigSecretOf("{}")["stringData"].contains("scheduler.yaml"));

  const std::string values =
      "controlPlane:\n"
      "  distro: {k8s: {version: v1.35.2}}\n"
      "  advanced:\n"
      "    virtualScheduler:\n"
      "      enabled: true\n"
      "      profiles:\n"
      "      - schedulerName: bin-packing\n"
      "        pluginConfig:\n"
      "        - name: NodeResourcesFit\n"
      "          args: {scoringStrategy: {type: MostAllocated}}\n";
  const json spec = PodSpec(values);
  const json* scheduler = Container(spec, "kube-scheduler");
  ASSERT_NE(scheduler, nullptr);
  EXPECT_EQ((*scheduler)["image"], "registry.k8s.io/kube-scheduler:v1.35.2");
  EXPECT_EQ((*scheduler)["args"][0], "--config=/etc/kubernetes/scheduler/config.yaml");
  EXPECT_EQ((*scheduler)["securityContext"]["readOnlyRootFilesystem"], true);
  EXPECT_TRUE(scheduler->contains("livenessProbe"));
  EXPECT_TRUE((*scheduler)["resources"].contains("requests"));
  bool mounted = false;
  for (const auto& v : spec["volumes"]) {
    if (v.value("name", "") != "scheduler-config") continue;
    mounted = true;
    EXPECT_EQ(v["secret"]["secretName"], "vc-config-team");
    EXPECT_EQ(v["secret"]["items"][0]["key"], "scheduler.yaml");
  }
  EXPECT_TRUE(mounted);

  auto config = yaml::Parse(ConfigSecretOf(values)["stringData"].value("scheduler.yaml", ""), "c");
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->value["kind"], "KubeSchedulerConfiguration");
  EXPECT_EQ(config->value["clientConnection"]["kubeconfig"], "/data/kubeconfig/scheduler.conf");
  EXPECT_EQ(config->value["leaderElection"]["leaderElect"], false);
  EXPECT_EQ(config->value["profiles"][0]["schedulerName"], "bin-packing");
}

TEST(RenderStatefulSetTest, SleepModeAuditsTheApiServerIntoTheSharedTmp) {
  auto audit_flags = [](const json& spec) {
    std::vector<std::string> out;
    for (const auto& arg : (*Container(spec, "kube-apiserver"))["args"]) {
      const std::string a = arg.get<std::string>();
      if (a.rfind("--audit-", 0) == 0) out.push_back(a);
    }
    return out;
  };
  EXPECT_TRUE(audit_flags(PodSpec("")).empty());
  const json spec = PodSpec("sleepMode: {enabled: true, autoSleep: {afterInactivity: 20m}}");
  const auto flags = audit_flags(spec);
  // syncer/src/sleep/activity.h: the policy init writes, the log the syncer watches.
  EXPECT_NE(std::find(flags.begin(), flags.end(), "--audit-policy-file=/data/audit-policy.yaml"),
            flags.end());
  EXPECT_NE(std::find(flags.begin(), flags.end(), "--audit-log-path=/tmp/vc-activity.log"),
            flags.end());
  EXPECT_NE(std::find(flags.begin(), flags.end(), "--audit-log-maxsize=1"), flags.end());
  bool syncer_sees_tmp = false;
  for (const auto& m : (*Container(spec, "syncer"))["volumeMounts"]) {
    syncer_sees_tmp = syncer_sees_tmp || m.value("mountPath", "") == "/tmp";
  }
  EXPECT_TRUE(syncer_sees_tmp) << "the syncer reads the audit log in the pod's shared /tmp";
}

}  // namespace
}  // namespace vc::cli::render
