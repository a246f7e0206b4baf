// SPDX-License-Identifier: Apache-2.0
// The node agent's rights as the API server enforces them, with the manifests a user applies:
// its service account may delete a pod on the node its token is bound to, and no other
// (manifests/node-agent/admission-policy.yaml). Needs root (the real-node cluster).
#include <nlohmann/json.hpp>

#include "realnodes/real_cluster.h"
#include "support/rights.h"

namespace vc::testing {
namespace {

const std::string kAgentNs = "kubectl-vc-system";
const std::string kManifests = std::string(VC_MANIFESTS_DIR) + "/node-agent/";
// What the test applies: the agent's identity and the policy, not its DaemonSet.
const std::vector<std::string> kFiles = {"namespace.yaml",        "serviceaccount.yaml",
                                         "clusterrole.yaml",      "clusterrolebinding.yaml",
                                         "admission-policy.yaml", "admission-policy-binding.yaml"};

class NodeAgentRightsTest : public RealClusterTest {
 protected:
  void TearDown() override {
    Kubectl({"-n", kAgentNs, "delete", "pod", anchor_, "--wait=false", "--ignore-not-found"},
            false);
    RealClusterTest::TearDown();
  }

  // A kubeconfig for this cluster that authenticates with `token` only.
  std::string KubeconfigWithToken(const std::string& token, const std::string& name) {
    Ran raw = Kubectl({"config", "view", "--raw", "-o", "json"}, false);
    const std::string file = scratch_->path() + "/" + name + ".kubeconfig";
    EXPECT_TRUE(WriteTokenKubeconfig(raw.out, token, file)) << raw.out;
    return file;
  }

  // Deletes pod NAME of the test's namespace with `kubeconfig`.
  Ran DeleteAs(const std::string& kubeconfig, const std::string& name) {
    return RunCommand(
        {kubectl_, "--kubeconfig", kubeconfig, "-n", ns_, "delete", "pod", name, "--wait=false"},
        scratch_->path());
  }

  std::string Sleeper(const std::string& name, const std::string& node,
                      const std::string& extra = "") {
    return "apiVersion: v1\nkind: Pod\nmetadata: {name: " + name + "}\nspec:\n  nodeName: " + node +
           "\n  terminationGracePeriodSeconds: 0\n" + extra +
           "  containers: [{name: c, image: busybox:1.36, command: [sleep, '3600']}]\n";
  }

  std::string anchor_ = "agent-anchor";
};

TEST_F(NodeAgentRightsTest, TheApiServerHoldsTheAgentToPodsOnItsOwnNode) {
  for (const std::string& f : kFiles) {
    Ran applied = Kubectl({"apply", "-f", kManifests + f}, false);
    ASSERT_EQ(applied.code, 0) << f << ": " << applied.out;
  }
  // Its rights as the API server computes them are the reviewed ones
  // (manifests/rights/vc-node-agent.txt), the same in its namespace and in any other.
  const std::string reviewed = std::string(VC_MANIFESTS_DIR) + "/rights/vc-node-agent.txt";
  for (const std::string& in_ns : {kAgentNs, ns_}) {
    const std::string section = "cluster";
    Ran listed = Kubectl({"auth", "can-i", "--list", "-n", in_ns,
                          "--as=system:serviceaccount:" + kAgentNs + ":vc-node-agent"},
                         false);
    ASSERT_EQ(listed.code, 0) << listed.out;
    EXPECT_EQ(RightsDiff(ReviewedRights(reviewed, section), NormalizeRights(listed.out, {})), "")
        << "vc-node-agent's rights in " << in_ns << " differ from section @" << section << " of "
        << reviewed << " (+ measured, not reviewed; - reviewed, not measured)";
  }
  // The agent's pod on node 1 (as the DaemonSet would place one), for a token bound to it.
  const std::string anchor_file = scratch_->path() + "/anchor.yaml";
  std::ofstream(anchor_file) << Sleeper(anchor_, NodeName(1),
                                        "  serviceAccountName: vc-node-agent\n");
  ASSERT_EQ(Kubectl({"-n", kAgentNs, "apply", "-f", anchor_file}, false).code, 0);
  for (const char* v : {"here", "here-too"}) ASSERT_EQ(Apply(Sleeper(v, NodeName(1))).code, 0);
  ASSERT_EQ(Apply(Sleeper("elsewhere", NodeName(2))).code, 0);

  Ran bound = Kubectl({"-n", kAgentNs, "create", "token", "vc-node-agent", "--bound-object-kind",
                       "Pod", "--bound-object-name", anchor_},
                      false);
  ASSERT_EQ(bound.code, 0) << bound.out;
  const std::string agent = KubeconfigWithToken(bound.out, "bound");
  ASSERT_FALSE(agent.empty());

  // The policy is enforced once the API server has loaded it: poll until the foreign delete
  // is refused (before that RBAC alone would let it through, so it is retried on a new pod).
  Ran elsewhere;
  ASSERT_TRUE(Eventually(
      [&] {
        if (Get("pod/elsewhere", "{.metadata.name}").empty()) {
          // An earlier round's delete went through before the policy was live: put it back.
          Apply(Sleeper("elsewhere", NodeName(2)));
        }
        elsewhere = DeleteAs(agent, "elsewhere");
        return elsewhere.code != 0;
      },
      std::chrono::seconds(60)))
      << elsewhere.out;
  EXPECT_NE(elsewhere.out.find("vc-node-agent may delete only pods on its own node"),
            std::string::npos)
      << elsewhere.out;
  EXPECT_FALSE(Get("pod/elsewhere", "{.metadata.name}").empty()) << "still there";

  // On its own node: allowed.
  Ran here = DeleteAs(agent, "here");
  EXPECT_EQ(here.code, 0) << here.out;

  // A token bound to no pod names no node: refused everywhere.
  Ran unbound = Kubectl({"-n", kAgentNs, "create", "token", "vc-node-agent"}, false);
  ASSERT_EQ(unbound.code, 0) << unbound.out;
  Ran loose = DeleteAs(KubeconfigWithToken(unbound.out, "unbound"), "here-too");
  EXPECT_NE(loose.code, 0) << loose.out;
  EXPECT_NE(loose.out.find("vc-node-agent may delete only pods on its own node"), std::string::npos)
      << loose.out;
}

}  // namespace
}  // namespace vc::testing
