// SPDX-License-Identifier: Apache-2.0
// `kubectl vc node dedicate|release|list` against the local host cluster. The node is released
// in TearDown, also when the test fails, so other tests find every node shared.
#include <nlohmann/json.hpp>

#include "integration/cli/cli_fixture.h"
#include "vc/labels.h"
#include "vc/node/dedicated_nodes.h"

namespace vc::testing {
namespace {

using nlohmann::json;

class NodeCliTest : public CliTest {
 protected:
  void TearDown() override {
    if (!node_.empty() && client_) {
      Status s = node::ReleaseNode(*client_, node_);
      EXPECT_TRUE(s.ok()) << s.ToString();
    }
    CliTest::TearDown();
  }
  std::string node_;
};

TEST_F(NodeCliTest, DedicateListRelease) {
  auto listed = Run({"node", "list", "-o", "json"});
  ASSERT_EQ(listed.code, 0) << listed.Both();
  const json before = json::parse(listed.out);
  ASSERT_GE(before["items"].size(), 1u);
  node_ = before["items"].back()["name"];
  EXPECT_EQ(before["items"].back()["tenant"], "");

  auto dedicated = Run({"node", "dedicate", node_, "--tenant", "it-tenant"});
  ASSERT_EQ(dedicated.code, 0) << dedicated.Both();
  EXPECT_EQ(dedicated.out, "") << "progress goes to stderr";
  auto node = client_->Get(kube::resources::kNodes, "", node_);
  ASSERT_TRUE(node.ok()) << node.status().ToString();
  EXPECT_EQ((*node)["metadata"]["labels"][labels::kDedicatedNodeLabel], "it-tenant");
  bool tainted = false;
  for (const json& t : (*node)["spec"]["taints"]) {
    tainted = tainted || (t["key"] == labels::kDedicatedTaintKey && t["value"] == "it-tenant" &&
                          t["effect"] == "NoSchedule");
  }
  EXPECT_TRUE(tainted) << node->dump();

  auto table = Run({"node", "list"});
  ASSERT_EQ(table.code, 0) << table.Both();
  EXPECT_EQ(table.out.rfind("NAME", 0), 0u) << table.out;
  EXPECT_NE(table.out.find("TENANT"), std::string::npos);
  EXPECT_NE(table.out.find("AGENT"), std::string::npos);
  EXPECT_NE(table.out.find("it-tenant"), std::string::npos) << table.out;

  auto bad = Run({"node", "dedicate", node_, "--tenant", "Not_A-Name!"});
  EXPECT_EQ(bad.code, 1);
  EXPECT_EQ(bad.err.rfind("error: invalid tenant", 0), 0u) << bad.Both();

  auto released = Run({"node", "release", node_});
  ASSERT_EQ(released.code, 0) << released.Both();
  auto after = Run({"node", "list", "-o", "json"});
  ASSERT_EQ(after.code, 0) << after.Both();
  const json after_list = json::parse(after.out);  // the range below must not outlive it
  for (const json& n : after_list["items"]) {
    if (n["name"] == node_) {
      EXPECT_EQ(n["tenant"], "");
    }
  }
  auto missing = Run({"node", "release", "no-such-node"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("not found"), std::string::npos) << missing.Both();
}

}  // namespace
}  // namespace vc::testing
