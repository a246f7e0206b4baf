// SPDX-License-Identifier: Apache-2.0
// kubectl vc node dedicate|release|list, run in-process against a fake host.
#include "unit/cli/cmd/verb_test.h"
#include "vc/node/dedicated_nodes.h"

namespace vc::cli::cmd::testing {
namespace {

using nlohmann::json;
namespace r = kube::resources;

class NodeVerbTest : public VerbTest {
 protected:
  void AddNode(const std::string& name) {
    api_->Put(r::kNodes, {{"metadata",
                           {{"name", name},
                            {"creationTimestamp", Timestamp(std::chrono::system_clock::now() -
                                                            std::chrono::hours(50))}}},
                          {"status", {{"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}});
  }
  std::string TenantOf(const std::string& name) {
    const auto node = api_->Get(r::kNodes, "", name);
    if (!node) return "<no node>";
    return node->value(json::json_pointer("/metadata/labels/" + EscapedLabel()), "");
  }
  static std::string EscapedLabel() {
    std::string label = labels::kDedicatedNodeLabel;
    return label.replace(label.find('/'), 1, "~1");
  }
};

TEST_F(NodeVerbTest, DedicateLabelsTheNodeForTheTenantAndReleaseUndoesIt) {
  AddNode("worker-3");
  RunResult r = Run({"node", "dedicate", "worker-3", "--tenant", "client-a"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "node/worker-3 dedicated to tenant client-a: other pods are evicted by "
            "vc-node-agent\n");
  EXPECT_EQ(TenantOf("worker-3"), "client-a");

  r = Run({"node", "release", "worker-3"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "node/worker-3 released\n");
  EXPECT_EQ(TenantOf("worker-3"), "");
}

TEST_F(NodeVerbTest, ListShowsEachNodesTenant) {
  AddNode("worker-1");
  AddNode("worker-2");
  ASSERT_EQ(Run({"node", "dedicate", "worker-2", "--tenant", "client-a"}).code, 0);
  const RunResult r = Run({"node", "list"});
  EXPECT_EQ(r.code, 0) << r.err;
  // No vc-node-agent pods on the fake host: the agent is Missing everywhere.
  EXPECT_EQ(Lines(r.out), (std::vector<std::string>{
                              "NAME       TENANT     STATUS   AGENT     AGE",
                              "worker-1   <shared>   Ready    Missing   2d2h",
                              "worker-2   client-a   Ready    Missing   2d2h",
                          }));
  EXPECT_EQ(Run({"node", "ls", "-o", "name"}).out, "node/worker-1\nnode/worker-2\n");
}

TEST_F(NodeVerbTest, DedicateNeedsATenant) {
  AddNode("worker-3");
  const RunResult r = Run({"node", "dedicate", "worker-3"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("--tenant"), std::string::npos) << r.err;
  EXPECT_EQ(TenantOf("worker-3"), "");
}

TEST_F(NodeVerbTest, ANodeThatDoesNotExistIsAnError) {
  const RunResult r = Run({"node", "dedicate", "nope", "--tenant", "client-a"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("nope"), std::string::npos) << r.err;
}

TEST_F(NodeVerbTest, NodeAloneAsksForWhatToDo) {
  const RunResult r = Run({"node"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(connects_, 0);
}

}  // namespace
}  // namespace vc::cli::cmd::testing
