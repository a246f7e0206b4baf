// SPDX-License-Identifier: Apache-2.0
#include "vc/node/dedicated_nodes.h"

#include <gtest/gtest.h>

#include "support/fake_clock.h"
#include "unit/shared/kube/fake_transport.h"
#include "vc/labels.h"

namespace vc::node {
namespace {

using kube::testing::ApiStatus;
using kube::testing::JsonResponse;
using nlohmann::json;

json Node(json labels = json::object(), json taints = json::array()) {
  json node = {{"metadata", {{"name", "n1"}, {"resourceVersion", "42"}, {"labels", labels}}},
               {"spec", json::object()}};
  if (!taints.empty()) node["spec"]["taints"] = taints;
  return node;
}

TEST(DedicatedNodesTest, DedicatePatchKeepsOtherTaintsAndReplacesOurs) {
  const json other = {{"key", "gpu"}, {"value", "yes"}, {"effect", "NoSchedule"}};
  const json ours_old = {
      {"key", labels::kDedicatedTaintKey}, {"value", "old"}, {"effect", "NoSchedule"}};
  auto patch = DedicatePatch(Node({}, json::array({other, ours_old})), "client-a");
  ASSERT_TRUE(patch.ok());
  EXPECT_EQ((*patch)["metadata"]["labels"][labels::kDedicatedNodeLabel], "client-a");
  EXPECT_EQ((*patch)["metadata"]["resourceVersion"], "42");
  const json taints = (*patch)["spec"]["taints"];
  ASSERT_EQ(taints.size(), 2u);
  EXPECT_EQ(taints[0], other);
  EXPECT_EQ(taints[1]["value"], "client-a");
  EXPECT_EQ(taints[1]["effect"], "NoSchedule");
  EXPECT_EQ(DedicatePatch(Node(), "Not A Label!").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(DedicatePatch(Node(), "").status().code(), Code::kInvalidArgument);
}

TEST(DedicatedNodesTest, ReleasePatchRemovesLabelAndTaint) {
  const json other = {{"key", "gpu"}, {"effect", "NoSchedule"}};
  const json node = Node({{labels::kDedicatedNodeLabel, "a"}},
                         json::array({other, {{"key", labels::kDedicatedTaintKey}}}));
  EXPECT_EQ(DedicatedTenant(node), "a");
  const json patch = ReleasePatch(node);
  EXPECT_TRUE(patch["metadata"]["labels"][labels::kDedicatedNodeLabel].is_null());
  EXPECT_EQ(patch["spec"]["taints"], json::array({other}));
  EXPECT_EQ(DedicatedTenant(Node()), "");
}

TEST(DedicatedNodesTest, SummarizeNodes) {
  json ready = Node({{labels::kDedicatedNodeLabel, "a"}});
  ready["status"]["conditions"] = json::array({{{"type", "Ready"}, {"status", "True"}}});
  json other = Node();
  other["metadata"]["name"] = "n0";
  json agent = {{"metadata", {{"name", "vc-node-agent-x"}, {"namespace", kAgentNamespace}}},
                {"spec", {{"nodeName", "n1"}}},
                {"status",
                 {{"phase", "Running"},
                  {"conditions", json::array({{{"type", "Ready"}, {"status", "False"}}})}}}};
  const auto nodes = SummarizeNodes({ready, other}, {agent});
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_EQ(nodes[0].name, "n0");
  EXPECT_EQ(nodes[0].agent, "Missing");
  EXPECT_EQ(nodes[0].tenant, "");
  EXPECT_EQ(nodes[1].tenant, "a");
  EXPECT_TRUE(nodes[1].ready);
  EXPECT_EQ(nodes[1].agent, "NotReady");
  EXPECT_EQ(nodes[1].agent_pod, std::string(kAgentNamespace) + "/vc-node-agent-x");
}

class DedicatedNodesClientTest : public ::testing::Test {
 protected:
  DedicatedNodesClientTest() {
    kube::RestConfig config;
    config.server = "https://api:6443/";
    client = std::make_unique<kube::Client>(config, transport, std::make_shared<FakeClock>());
  }
  std::shared_ptr<kube::testing::FakeTransport> transport =
      std::make_shared<kube::testing::FakeTransport>();
  std::unique_ptr<kube::Client> client;
};

TEST_F(DedicatedNodesClientTest, DedicateRetriesAConflictAndIsIdempotent) {
  transport->Reply(JsonResponse(200, Node()));
  transport->Reply(JsonResponse(409, ApiStatus(409, "Conflict", "the object has been modified")));
  transport->Reply(JsonResponse(200, Node()));
  transport->Reply(JsonResponse(200, Node()));
  ASSERT_TRUE(DedicateNode(*client, "n1", "a").ok());
  auto requests = transport->requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_EQ(requests[1].method, "PATCH");
  EXPECT_EQ(requests[3].method, "PATCH");
  EXPECT_EQ(json::parse(requests[3].body)["metadata"]["labels"][labels::kDedicatedNodeLabel], "a");

  // Already dedicated to a: one GET, no PATCH.
  transport->Reply(JsonResponse(200, Node({{labels::kDedicatedNodeLabel, "a"}},
                                          json::array({{{"key", labels::kDedicatedTaintKey},
                                                        {"value", "a"},
                                                        {"effect", "NoSchedule"}}}))));
  ASSERT_TRUE(DedicateNode(*client, "n1", "a").ok());
  EXPECT_EQ(transport->requests().size(), 5u);
}

TEST_F(DedicatedNodesClientTest, ReleaseOfASharedNodeWritesNothingAndMissingNodeIsAnError) {
  transport->Reply(JsonResponse(200, Node()));
  ASSERT_TRUE(ReleaseNode(*client, "n1").ok());
  EXPECT_EQ(transport->requests().size(), 1u);
  transport->Reply(JsonResponse(404, ApiStatus(404, "NotFound", "nodes \"nx\" not found")));
  EXPECT_EQ(ReleaseNode(*client, "nx").code(), Code::kNotFound);
}

}  // namespace
}  // namespace vc::node
