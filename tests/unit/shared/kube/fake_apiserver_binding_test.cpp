// SPDX-License-Identifier: Apache-2.0
// The fake API server's pod binding (tests/support/fake_apiserver.h), through the real
// kube::Client: what the pod syncer's Bind sends and what the API server answers.
#include <gtest/gtest.h>

#include "support/fake_apiserver.h"
#include "vc/kube/client.h"

namespace vc::testing {
namespace {

using nlohmann::json;
namespace r = kube::resources;

class FakeApiServerBindingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_->Put(r::kPods, {{"apiVersion", "v1"},
                            {"kind", "Pod"},
                            {"metadata", {{"name", "web"}, {"namespace", "shop"}, {"uid", "u1"}}},
                            {"spec", {{"containers", {{{"name", "app"}, {"image", "nginx"}}}}}},
                            {"status", {{"phase", "Pending"}}}});
  }

  StatusOr<kube::HttpResponse> Bind(const std::string& node, const std::string& uid = "u1") {
    kube::RawRequest raw;
    raw.method = "POST";
    raw.path = kube::ResourcePath(r::kPods, "shop", "web", "binding");
    raw.body = json{{"apiVersion", "v1"},
                    {"kind", "Binding"},
                    {"metadata", {{"name", "web"}, {"namespace", "shop"}, {"uid", uid}}},
                    {"target", {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", node}}}}
                   .dump();
    return client_->Raw(raw);
  }

  std::shared_ptr<FakeApiServer> server_ = std::make_shared<FakeApiServer>();
  std::shared_ptr<kube::Client> client_ = std::make_shared<kube::Client>(
      [] {
        kube::RestConfig config;
        config.server = "https://fake.test";
        return config;
      }(),
      server_);
};

TEST_F(FakeApiServerBindingTest, BindingSetsTheNodeAndPodScheduledOnce) {
  auto bound = Bind("node-1");
  ASSERT_TRUE(bound.ok()) << bound.status().message();
  auto pod = server_->Get(r::kPods, "shop", "web");
  ASSERT_TRUE(pod.has_value());
  EXPECT_EQ((*pod)["spec"]["nodeName"], "node-1");
  EXPECT_EQ((*pod)["status"]["phase"], "Pending") << "the rest of the status stays";
  EXPECT_EQ((*pod)["status"]["conditions"],
            json::array({{{"type", "PodScheduled"}, {"status", "True"}}}));

  EXPECT_EQ(Bind("node-2").status().code(), Code::kConflict) << "a pod is bound once";
  EXPECT_EQ((*server_->Get(r::kPods, "shop", "web"))["spec"]["nodeName"], "node-1");
}

TEST_F(FakeApiServerBindingTest, BindingOfAnotherUidOrAMissingPodIsRefused) {
  EXPECT_EQ(Bind("node-1", "u0").status().code(), Code::kConflict);
  EXPECT_FALSE((*server_->Get(r::kPods, "shop", "web"))["spec"].contains("nodeName"));
  server_->Remove(r::kPods, "shop", "web");
  EXPECT_EQ(Bind("node-1").status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace vc::testing
