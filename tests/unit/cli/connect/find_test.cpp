// SPDX-License-Identifier: Apache-2.0
// Connect's questions to the host cluster, answered by a scripted transport.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "unit/shared/kube/fake_transport.h"
#include "unit/syncer/syncer_test_util.h"
#include "vc/cli/connect/connect.h"
#include "vc/cli/connect/discovery.h"
#include "vc/cli/connect/state_store.h"

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
  EXPECT_NE(s.message().find("virtual cluster dev not found in any namespace\nsee which exist: "
                             "kubectl vc list"),
            std::string::npos)
      << s.message();
  ASSERT_EQ(transport_->requests().size(), 1u);
  EXPECT_NE(transport_->requests()[0].url.find("/apis/apps/v1/statefulsets?"), std::string::npos)
      << transport_->requests()[0].url;
}

TEST_F(ConnectFindTest, SameNameInTwoNamespacesAsksForNamespace) {
  options_.name = "dev";
  transport_->Reply(JsonResponse(200, List({StatefulSet("dev", "a"), StatefulSet("dev", "b")})));
  transport_->Reply(JsonResponse(200, List({})));  // their pods
  const Status s = Run();
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("a/dev, b/dev"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("-n"), std::string::npos);
}

TEST_F(ConnectFindTest, NoNameAndSeveralClustersListsThem) {
  transport_->Reply(JsonResponse(200, List({StatefulSet("one", "a"), StatefulSet("two", "b")})));
  transport_->Reply(JsonResponse(200, List({})));
  const Status s = Run();
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("a/one, b/two"), std::string::npos) << s.message();
}

TEST_F(ConnectFindTest, NamespaceFlagSearchesOnlyThereAndMissingSecretExplains) {
  host_.namespace_given = true;
  host_.namespace_ = "team";
  options_.timeout = std::chrono::milliseconds(0);  // no time to wait for the Secret
  transport_->Reply(JsonResponse(200, List({StatefulSet("dev", "team")})));
  transport_->Reply(JsonResponse(200, List({})));
  transport_->Reply(JsonResponse(404, ApiStatus(404, "NotFound", "secrets \"vc-dev\" not found")));
  const Status s = Run();
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_NE(s.message().find("has not finished starting"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("kubectl -n team logs dev-0 -c syncer"), std::string::npos);
  ASSERT_EQ(transport_->requests().size(), 3u);
  EXPECT_NE(transport_->requests()[0].url.find("/namespaces/team/statefulsets"), std::string::npos);
  EXPECT_NE(transport_->requests()[1].url.find("/namespaces/team/pods"), std::string::npos);
  EXPECT_NE(transport_->requests()[2].url.find("/namespaces/team/secrets/vc-dev"),
            std::string::npos);
}

nlohmann::json Secret() {
  return {{"metadata", {{"name", "vc-dev"}, {"namespace", "team"}}},
          {"data",
           {{"certificate-authority", "Y2E="},
            {"client-certificate", "Y2VydA=="},
            {"client-key", "a2V5"}}}};
}

// --server that never answers: connect polls until its deadline, then fails saying where it
// tried, and neither the kubeconfig nor the state records a connection.
TEST_F(ConnectFindTest, UnreachableServerTimesOutAndRecordsNothing) {
  options_.name = "dev";
  options_.server = "https://127.0.0.1:1";
  options_.timeout = std::chrono::milliseconds(700);
  transport_->Reply(JsonResponse(200, List({StatefulSet("dev", "team")})));
  transport_->Reply(JsonResponse(200, List({})));
  transport_->Reply(JsonResponse(200, Secret()));
  const auto start = std::chrono::steady_clock::now();
  const Status s = Run();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(s.code(), Code::kTimeout) << s.message();
  EXPECT_NE(s.message().find("https://127.0.0.1:1 did not answer in time"), std::string::npos)
      << s.message();
  EXPECT_FALSE(std::filesystem::exists(tmp_.path() + "/.kube/config"));
  auto store = StateStore::Open(tmp_.path());
  ASSERT_TRUE(store.ok());
  EXPECT_TRUE((*store)->List()->empty());
}

class ExposedServerTest : public ConnectFindTest {
 protected:
  StatusOr<std::optional<std::string>> Exposed(const nlohmann::json& service) {
    transport_->Reply(JsonResponse(200, service));
    return ExposedServer(host_, {"dev", "team"});
  }
  static nlohmann::json Service(const std::string& type, nlohmann::json status = {}) {
    nlohmann::json s = {
        {"metadata", {{"name", "dev"}, {"namespace", "team"}}},
        {"spec",
         {{"type", type},
          {"ports",
           {{{"name", "metrics"}, {"port", 9000}, {"targetPort", 9000}, {"nodePort", 30001}},
            {{"name", "https"}, {"port", 443}, {"targetPort", 8443}, {"nodePort", 30443}}}}}}};
    if (!status.is_null()) s["status"] = std::move(status);
    return s;
  }
};

TEST_F(ExposedServerTest, LoadBalancerIngressIpOrHostname) {
  auto ip =
      Exposed(Service("LoadBalancer", {{"loadBalancer", {{"ingress", {{{"ip", "1.2.3.4"}}}}}}}));
  ASSERT_TRUE(ip.ok()) << ip.status().message();
  EXPECT_EQ(ip->value_or(""), "https://1.2.3.4:443");
  auto name = Exposed(
      Service("LoadBalancer", {{"loadBalancer", {{"ingress", {{{"hostname", "lb.example"}}}}}}}));
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(name->value_or(""), "https://lb.example:443");
}

TEST_F(ExposedServerTest, NodePortOnAnInternalIp) {
  transport_->Reply(JsonResponse(200, Service("NodePort")));
  transport_->Reply(
      JsonResponse(200, {{"kind", "NodeList"},
                         {"metadata", {{"resourceVersion", "3"}}},
                         {"items",
                          {{{"metadata", {{"name", "n1"}}},
                            {"status",
                             {{"addresses",
                               {{{"type", "Hostname"}, {"address", "n1"}},
                                {{"type", "InternalIP"}, {"address", "fd00::5"}}}}}}}}}}));
  auto server = ExposedServer(host_, {"dev", "team"});
  ASSERT_TRUE(server.ok()) << server.status().message();
  EXPECT_EQ(server->value_or(""), "https://[fd00::5]:30443");
}

TEST_F(ExposedServerTest, ClusterIpOrPendingLoadBalancerIsNotExposed) {
  auto cluster_ip = Exposed(Service("ClusterIP"));
  ASSERT_TRUE(cluster_ip.ok());
  EXPECT_FALSE(cluster_ip->has_value());
  transport_->Reply(JsonResponse(404, ApiStatus(404, "NotFound", "services \"dev\" not found")));
  auto missing = ExposedServer(host_, {"dev", "team"});
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

}  // namespace
}  // namespace vc::cli::connect
