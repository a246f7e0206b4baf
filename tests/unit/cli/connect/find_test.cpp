// SPDX-License-Identifier: Apache-2.0
// Connect's questions to the host cluster, answered by a scripted transport.
#include <gtest/gtest.h>

#include <sstream>

#include "unit/shared/kube/fake_transport.h"
#include "unit/syncer/syncer_test_util.h"
#include "vc/cli/connect/connect.h"

namespace vc::cli::connect {
namespace {

using kube::testing::ApiStatus;
using kube::testing::FakeTransport;
using kube::testing::JsonResponse;

nlohmann::json StatefulSet(const std::string& name, const std::string& ns) {
  return {
      {"metadata",
       {{"name", name}, {"namespace", ns}, {"labels", {{"app", "vcluster"}, {"release", name}}}}}};
}

nlohmann::json List(std::vector<nlohmann::json> items) {
  return {{"kind", "StatefulSetList"},
          {"metadata", {{"resourceVersion", "7"}}},
          {"items", std::move(items)}};
}

class ConnectFindTest : public ::testing::Test {
 protected:
  void SetUp() override {
    transport_ = std::make_shared<FakeTransport>();
    kube::RestConfig config;
    config.server = "https://host:6443";
    host_.client = std::make_shared<kube::Client>(config, transport_);
    host_.context = "prod";
    host_.namespace_ = "default";
    options_.state_dir = tmp_.path();
    options_.env = {{"HOME", tmp_.path()}};
  }

  Status Run() {
    std::ostringstream out, err;
    return Connect(host_, options_, out, err).status();
  }

  syncer::testing::TempDir tmp_;
  std::shared_ptr<FakeTransport> transport_;
  HostCluster host_;
  ConnectOptions options_;
};

TEST_F(ConnectFindTest, NoneFound) {
  options_.name = "dev";
  transport_->Reply(JsonResponse(200, List({})));
  const Status s = Run();
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_NE(s.message().find("virtual cluster dev not found in any namespace; see kubectl vc list"),
            std::string::npos)
      << s.message();
  ASSERT_EQ(transport_->requests().size(), 1u);
  EXPECT_NE(transport_->requests()[0].url.find("/apis/apps/v1/statefulsets?"), std::string::npos)
      << transport_->requests()[0].url;
}

TEST_F(ConnectFindTest, SameNameInTwoNamespacesAsksForNamespace) {
  options_.name = "dev";
  transport_->Reply(JsonResponse(200, List({StatefulSet("dev", "a"), StatefulSet("dev", "b")})));
  const Status s = Run();
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("a/dev, b/dev"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("-n"), std::string::npos);
}

TEST_F(ConnectFindTest, NoNameAndSeveralClustersListsThem) {
  transport_->Reply(JsonResponse(200, List({StatefulSet("one", "a"), StatefulSet("two", "b")})));
  const Status s = Run();
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("a/one, b/two"), std::string::npos) << s.message();
}

TEST_F(ConnectFindTest, NamespaceFlagSearchesOnlyThereAndMissingSecretExplains) {
  host_.namespace_given = true;
  host_.namespace_ = "team";
  transport_->Reply(JsonResponse(200, List({StatefulSet("dev", "team")})));
  transport_->Reply(JsonResponse(404, ApiStatus(404, "NotFound", "secrets \"vc-dev\" not found")));
  const Status s = Run();
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_NE(s.message().find("has not finished starting"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("kubectl -n team logs dev-0 -c syncer"), std::string::npos);
  ASSERT_EQ(transport_->requests().size(), 2u);
  EXPECT_NE(transport_->requests()[0].url.find("/namespaces/team/statefulsets"), std::string::npos);
  EXPECT_NE(transport_->requests()[1].url.find("/namespaces/team/secrets/vc-dev"),
            std::string::npos);
}

}  // namespace
}  // namespace vc::cli::connect
