// SPDX-License-Identifier: Apache-2.0
// manifests/node-agent/: what must hold for the agent to work and to stay least-privileged.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <tuple>

#include "vc/node/dedicated_nodes.h"
#include "vc/yaml.h"

namespace vc {
namespace {

using nlohmann::json;

const std::string kDir = std::string(VC_MANIFESTS_DIR) + "/node-agent";

json Load(const std::string& file) {
  auto docs = yaml::ParseAllFile(kDir + "/" + file);
  EXPECT_TRUE(docs.ok()) << docs.status().ToString();
  if (!docs.ok() || docs->size() != 1) return json::object();
  return (*docs)[0].value;
}

std::map<std::string, json> ByKind() {
  std::map<std::string, json> out;
  const json kustomization = Load("kustomization.yaml");
  for (const json& r : kustomization["resources"]) {
    const json doc = Load(r.get<std::string>());
    out[doc.value("kind", "")] = doc;
  }
  return out;
}

TEST(NodeAgentManifestsTest, KustomizationListsEveryFileAndNamespace) {
  const json k = Load("kustomization.yaml");
  EXPECT_EQ(k["namespace"], node::kAgentNamespace);
  std::set<std::string> listed;
  for (const json& r : k["resources"]) listed.insert(r.get<std::string>());
  for (const auto& entry : std::filesystem::directory_iterator(kDir)) {
    const std::string name = entry.path().filename().string();
    if (name != "kustomization.yaml") {
      EXPECT_TRUE(listed.count(name)) << name << " not listed";
    }
  }
  const auto kinds = ByKind();
  for (const char* kind :
       {"Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding",
        "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "DaemonSet"}) {
    EXPECT_TRUE(kinds.count(kind)) << kind;
  }
}

TEST(NodeAgentManifestsTest, DaemonSetUsesNamedCapabilitiesHostMountsAndProbes) {
  const json ds = ByKind()["DaemonSet"];
  const json pod = ds["spec"]["template"]["spec"];
  EXPECT_EQ(ds["spec"]["template"]["metadata"]["labels"][node::kAgentAppLabel],
            node::kAgentAppValue)
      << "kubectl vc node list finds agents by this label";
  EXPECT_EQ(pod["hostNetwork"], true) << "pod veths are in the node's network namespace";
  EXPECT_EQ(pod["serviceAccountName"], ByKind()["ServiceAccount"]["metadata"]["name"]);
  ASSERT_EQ(pod["tolerations"].size(), 1u);
  EXPECT_EQ(pod["tolerations"][0]["operator"], "Exists") << "dedicated nodes too";
  ASSERT_EQ(pod["containers"].size(), 1u);
  const json c = pod["containers"][0];
  const json sc = c["securityContext"];
  EXPECT_EQ(sc.value("privileged", false), false);
  EXPECT_EQ(sc["capabilities"]["drop"], json::array({"ALL"}));
  std::set<std::string> caps;
  for (const json& cap : sc["capabilities"]["add"]) caps.insert(cap.get<std::string>());
  EXPECT_EQ(caps, (std::set<std::string>{"BPF", "PERFMON", "NET_ADMIN", "SYS_ADMIN"}))
      << "SYS_RESOURCE only on kernels before 5.11 (RLIMIT_MEMLOCK), which the comment names";

  std::map<std::string, std::string> host_paths;  // volume -> host path
  for (const json& v : pod["volumes"]) host_paths[v["name"]] = v["hostPath"].value("path", "");
  std::map<std::string, std::string> mounts;     // mount path -> host path
  std::map<std::string, std::string> sub_paths;  // mount path -> subPathExpr
  for (const json& m : c["volumeMounts"]) {
    mounts[m["mountPath"]] = host_paths[m["name"]];
    sub_paths[m["mountPath"]] = m.value("subPathExpr", "");
  }
  EXPECT_EQ(mounts["/sys/fs/bpf"], "/sys/fs/bpf");
  EXPECT_EQ(mounts["/sys/fs/cgroup"], "/sys/fs/cgroup");
  EXPECT_EQ(mounts["/var/lib/vc-node-agent"], "/var/lib/vc-node-agent");
  // Per node: two nodes on one machine (local clusters) keep apart.
  EXPECT_EQ(sub_paths["/var/lib/vc-node-agent"], "$(NODE_NAME)");

  std::set<std::string> args;
  for (const json& a : c["args"]) args.insert(a.get<std::string>());
  EXPECT_TRUE(args.count("--state-dir=/var/lib/vc-node-agent"));
  EXPECT_TRUE(args.count("--bpffs-root=/sys/fs/bpf/vc/$(NODE_NAME)"));
  EXPECT_TRUE(args.count("--cgroup-root=/sys/fs/cgroup"));
  EXPECT_TRUE(args.count("--metrics-address=$(NODE_IP):9464")) << "the node's address only";
  ASSERT_EQ(c["ports"].size(), 1u);
  EXPECT_EQ(c["ports"][0]["containerPort"], 9464);
  EXPECT_EQ(c["livenessProbe"]["httpGet"]["path"], "/healthz");
  EXPECT_EQ(c["readinessProbe"]["httpGet"]["path"], "/readyz");
  EXPECT_EQ(c["livenessProbe"]["httpGet"]["port"], c["ports"][0]["name"]);
  bool node_name = false;
  bool node_ip = false;
  for (const json& e : c["env"]) {
    node_name = node_name || (e["name"] == "NODE_NAME" &&
                              e["valueFrom"]["fieldRef"]["fieldPath"] == "spec.nodeName");
    node_ip = node_ip || (e["name"] == "NODE_IP" &&
                          e["valueFrom"]["fieldRef"]["fieldPath"] == "status.hostIP");
  }
  EXPECT_TRUE(node_name) << "NODE_NAME from the downward API";
  EXPECT_TRUE(node_ip) << "NODE_IP from the downward API";
}

TEST(NodeAgentManifestsTest, RbacIsExactlyWhatTheAgentUses) {
  const auto kinds = ByKind();
  std::set<std::tuple<std::string, std::string, std::string>> granted;
  for (const json& rule : kinds.at("ClusterRole")["rules"]) {
    for (const json& g : rule["apiGroups"]) {
      for (const json& r : rule["resources"]) {
        for (const json& v : rule["verbs"]) {
          granted.insert({g.get<std::string>(), r.get<std::string>(), v.get<std::string>()});
        }
      }
    }
  }
  const std::set<std::tuple<std::string, std::string, std::string>> wanted = {
      {"", "pods", "get"},
      {"", "pods", "list"},
      {"", "pods", "watch"},
      {"", "pods", "delete"},
      {"", "nodes", "get"},
      {"", "nodes", "list"},
      {"", "nodes", "watch"},
      {"", "services", "get"},
      {"", "services", "list"},
      {"", "services", "watch"},
      {"discovery.k8s.io", "endpointslices", "list"},
      {"discovery.k8s.io", "endpointslices", "watch"},
      {"", "events", "create"},
      {"", "events", "patch"},
      {"kubectl-vc.dev", "tenants", "get"},
      {"kubectl-vc.dev", "tenants", "list"},
      {"kubectl-vc.dev", "tenants", "watch"}};
  EXPECT_EQ(granted, wanted);
  const json binding = kinds.at("ClusterRoleBinding");
  EXPECT_EQ(binding["roleRef"]["name"], kinds.at("ClusterRole")["metadata"]["name"]);
  ASSERT_EQ(binding["subjects"].size(), 1u);
  EXPECT_EQ(binding["subjects"][0]["name"], kinds.at("ServiceAccount")["metadata"]["name"]);
  EXPECT_EQ(binding["subjects"][0]["namespace"], node::kAgentNamespace);
}

// The API server holds the agent's deletes to its own node: the policy matches the agent's
// service account and compares the pod's node with the node its token is bound to.
TEST(NodeAgentManifestsTest, AnAdmissionPolicyHoldsTheAgentsDeletesToItsOwnNode) {
  const auto kinds = ByKind();
  const json policy = kinds.at("ValidatingAdmissionPolicy");
  const json sa = kinds.at("ServiceAccount");
  EXPECT_EQ(policy["spec"]["failurePolicy"], "Fail");
  EXPECT_EQ(policy["spec"]["matchConstraints"]["resourceRules"][0]["operations"],
            json::array({"DELETE"}));
  EXPECT_EQ(policy["spec"]["matchConstraints"]["resourceRules"][0]["resources"],
            json::array({"pods"}));
  const std::string who = policy["spec"]["matchConditions"][0]["expression"];
  EXPECT_NE(who.find("'system:serviceaccount:" + std::string(node::kAgentNamespace) + ":" +
                     sa["metadata"]["name"].get<std::string>() + "'"),
            std::string::npos)
      << who;
  const std::string rule = policy["spec"]["validations"][0]["expression"];
  EXPECT_NE(rule.find("oldObject.spec.nodeName == "
                      "request.userInfo.extra['authentication.kubernetes.io/node-name'][0]"),
            std::string::npos)
      << rule;
  const json binding = kinds.at("ValidatingAdmissionPolicyBinding");
  EXPECT_EQ(binding["spec"]["policyName"], policy["metadata"]["name"]);
  EXPECT_EQ(binding["spec"]["validationActions"], json::array({"Deny"}));
}

}  // namespace
}  // namespace vc
