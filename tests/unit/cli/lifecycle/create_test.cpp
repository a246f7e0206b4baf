// SPDX-License-Identifier: Apache-2.0
// lifecycle::Create against the in-process fake API server: what it checks on the host before
// it applies anything, what it applies, and how a second create, an upgrade's check and an
// interrupted create end.
#include <gtest/gtest.h>

#include <memory>
#include <sstream>

#include "support/fake_apiserver.h"
#include "vc/cli/lifecycle/lifecycle.h"
#include "vc/kube/client.h"

namespace vc::cli::lifecycle {
namespace {

using nlohmann::json;
using testing::FakeApiServer;
namespace r = kube::resources;

const kube::Resource kServiceCidrs{"networking.k8s.io", "v1", "servicecidrs", "ServiceCIDR", false};

// The Kubernetes version this build's control plane runs: the tag of its kube-apiserver image.
std::string VirtualVersion() {
  const std::string image = render::Images{}.apiserver;
  return image.substr(image.rfind(':') + 1);
}

// The fake API server, plus the GET /version it does not serve: a host of `version`.
class HostOfVersion : public kube::HttpTransport {
 public:
  HostOfVersion(std::shared_ptr<FakeApiServer> server, std::string version)
      : server_(std::move(server)), version_(std::move(version)) {}

  StatusOr<kube::HttpResponse> Do(const kube::HttpRequest& request) override {
    const std::string path = "/version";
    if (request.url.size() >= path.size() &&
        request.url.compare(request.url.size() - path.size(), path.size(), path) == 0) {
      return kube::HttpResponse{.status = 200,
                                .headers = {{"content-type", "application/json"}},
                                .body = json{{"gitVersion", version_}}.dump()};
    }
    return server_->Do(request);
  }
  StatusOr<kube::HttpResponse> Stream(const kube::HttpRequest& request,
                                      const kube::ChunkHandler& on_chunk,
                                      const CancelToken* cancel) override {
    return server_->Stream(request, on_chunk, cancel);
  }

 private:
  std::shared_ptr<FakeApiServer> server_;
  std::string version_;
};

class LifecycleCreateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kube::RestConfig config;
    config.server = "https://host.test";
    client_ = std::make_shared<kube::Client>(
        config, std::make_shared<HostOfVersion>(server_, VirtualVersion()));
    // What a host has before create: its Service range, and (as the fake answers no
    // CustomResourceDefinition's status itself) the Tenant definition established.
    server_->Put(kServiceCidrs, {{"apiVersion", "networking.k8s.io/v1"},
                                 {"kind", "ServiceCIDR"},
                                 {"metadata", {{"name", "kubernetes"}}},
                                 {"spec", {{"cidrs", json::array({"10.96.0.0/12"})}}}});
    json crd = render::TenantCustomResourceDefinition();
    crd["status"]["conditions"] = json::array({{{"type", "Established"}, {"status", "True"}}});
    server_->Put(r::kCustomResourceDefinitions, crd);
  }

  // The pod the StatefulSet would make: create without --wait returns once it exists.
  void PutControlPlanePod(const std::string& name, const std::string& ns) {
    server_->Put(r::kPods, {{"apiVersion", "v1"},
                            {"kind", "Pod"},
                            {"metadata", {{"name", name + "-0"}, {"namespace", ns}}}});
  }

  static CreateOptions Options(const std::string& name) {
    CreateOptions options;
    options.name = name;
    options.wait = false;
    options.timeout = std::chrono::seconds(5);
    return options;
  }

  StatusOr<CreateResult> Create(const CreateOptions& options, const CancelToken* cancel = nullptr) {
    return lifecycle::Create(*client_, options, progress_, cancel);
  }

  std::shared_ptr<FakeApiServer> server_ = std::make_shared<FakeApiServer>();
  std::shared_ptr<kube::Client> client_;
  std::ostringstream err_;
  output::Progress progress_{err_};
};

TEST_F(LifecycleCreateTest, ANewClusterIsAppliedWithTheHostsRangeAndMarkedFinished) {
  PutControlPlanePod("ds", "vcluster-ds");
  auto result = Create(Options("ds"));
  ASSERT_TRUE(result.ok()) << result.status().message() << "\n" << err_.str();
  EXPECT_EQ(result->namespace_, "vcluster-ds");
  EXPECT_FALSE(result->existed);
  EXPECT_FALSE(result->resumed);
  EXPECT_GT(result->changed, 0);
  EXPECT_EQ(result->unchanged, 0);
  EXPECT_EQ(result->pruned, 0);

  const auto sts = server_->Get(r::kStatefulSets, "vcluster-ds", "ds");
  ASSERT_TRUE(sts.has_value());
  EXPECT_NE(sts->dump().find("--service-cluster-ip-range=10.96.0.0/12"), std::string::npos);
  const auto ns = server_->Get(r::kNamespaces, "", "vcluster-ds");
  ASSERT_TRUE(ns.has_value());
  EXPECT_EQ(ns->value("/metadata/labels/kubectl-vc.dev~1created-namespace"_json_pointer, ""),
            "true");
  const auto secret = server_->Get(r::kSecrets, "vcluster-ds", "vc-config-ds");
  ASSERT_TRUE(secret.has_value());
  EXPECT_FALSE(
      secret->value("/metadata/annotations/kubectl-vc.dev~1created-at"_json_pointer, "").empty());
  EXPECT_NE(err_.str().find("new"), std::string::npos) << err_.str();
}

TEST_F(LifecycleCreateTest, ASecondCreateSaysItExistsAndAnUpgradesCheckChangesNothing) {
  PutControlPlanePod("ds", "vcluster-ds");
  ASSERT_TRUE(Create(Options("ds")).ok()) << err_.str();
  const int64_t before = server_->ResourceVersion();

  auto again = Create(Options("ds"));
  ASSERT_EQ(again.status().code(), Code::kAlreadyExists) << again.status().message();
  EXPECT_NE(again.status().message().find("kubectl vc upgrade ds -n vcluster-ds"),
            std::string::npos)
      << again.status().message();

  CreateOptions check = Options("ds");
  check.upgrade = true;
  check.check_only = true;
  auto checked = Create(check);
  ASSERT_TRUE(checked.ok()) << checked.status().message() << "\n" << err_.str();
  EXPECT_TRUE(checked->existed);
  EXPECT_TRUE(checked->would_change.empty()) << checked->would_change[0];
  EXPECT_EQ(server_->ResourceVersion(), before) << "a check applies nothing";
}

TEST_F(LifecycleCreateTest, ANamespaceHoldingAnotherVirtualClusterIsRefusedBeforeAnything) {
  server_->Put(r::kStatefulSets, {{"apiVersion", "apps/v1"},
                                  {"kind", "StatefulSet"},
                                  {"metadata",
                                   {{"name", "other"},
                                    {"namespace", "team-a"},
                                    {"labels", {{"app", "vcluster"}, {"release", "other"}}}}}});
  CreateOptions options = Options("ds");
  options.namespace_ = "team-a";
  auto result = Create(options);
  ASSERT_EQ(result.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(result.status().message().find("already holds virtual cluster other"),
            std::string::npos)
      << result.status().message();
  EXPECT_FALSE(server_->Get(r::kSecrets, "team-a", "vc-config-ds").has_value());
}

TEST_F(LifecycleCreateTest, AMappedNamespaceThatIsMissingStopsCreateBeforeAnyApply) {
  CreateOptions options = Options("ds");
  options.values.sources = {values::ValuesSource::Text("mappings.yaml", R"(sync:
  fromHost:
    configMaps:
      enabled: true
      mappings:
        byName:
          "platform/*": "default/*"
)")};
  auto result = Create(options);
  ASSERT_EQ(result.status().code(), Code::kFailedPrecondition) << result.status().message();
  EXPECT_NE(result.status().message().find("host namespace platform, which does not exist"),
            std::string::npos)
      << result.status().message();
  EXPECT_FALSE(server_->Get(r::kNamespaces, "", "vcluster-ds").has_value());
}

TEST_F(LifecycleCreateTest, ACustomResourceTheHostHasNoCrdOfStopsCreateBeforeAnyApply) {
  CreateOptions options = Options("cr");
  options.values.sources = {values::ValuesSource::Text("certs.yaml", R"(sync:
  toHost:
    customResources:
      certificates.cert-manager.io:
        enabled: true
)")};
  auto result = Create(options);
  ASSERT_EQ(result.status().code(), Code::kFailedPrecondition) << result.status().message();
  EXPECT_NE(result.status().message().find(
                "sync.toHost.customResources names certificates.cert-manager.io, which the host "
                "cluster has no CustomResourceDefinition of"),
            std::string::npos)
      << result.status().message();
  EXPECT_FALSE(server_->Get(r::kNamespaces, "", "vcluster-cr").has_value());
  // With the CRD on the host, the same values go through.
  server_->Put(r::kCustomResourceDefinitions,
               {{"apiVersion", "apiextensions.k8s.io/v1"},
                {"kind", "CustomResourceDefinition"},
                {"metadata", {{"name", "certificates.cert-manager.io"}}}});
  PutControlPlanePod("cr", "vcluster-cr");
  auto again = Create(options);
  EXPECT_TRUE(again.ok()) << again.status().message();
}

TEST_F(LifecycleCreateTest, AnInterruptedCreateSaysHowToFinishOrRemoveIt) {
  CancelToken cancel;
  cancel.Cancel();
  auto result = Create(Options("ds"), &cancel);
  ASSERT_EQ(result.status().code(), Code::kCancelled) << result.status().message();
  EXPECT_NE(result.status().message().find("partly created in namespace vcluster-ds"),
            std::string::npos)
      << result.status().message();
  EXPECT_NE(result.status().message().find("kubectl vc delete ds -n vcluster-ds"),
            std::string::npos);
}

TEST_F(LifecycleCreateTest, APausedClusterIsUpgradedAtZeroReplicasWithoutWaiting) {
  PutControlPlanePod("ds", "vcluster-ds");
  ASSERT_TRUE(Create(Options("ds")).ok()) << err_.str();
  json sts = *server_->Get(r::kStatefulSets, "vcluster-ds", "ds");
  sts["metadata"]["annotations"][kPausedReplicasAnnotation] = "1";
  sts["spec"]["replicas"] = 0;
  server_->Put(r::kStatefulSets, sts);
  server_->Remove(r::kPods, "vcluster-ds", "ds-0");

  CreateOptions upgrade = Options("ds");
  upgrade.upgrade = true;
  auto result = Create(upgrade);
  ASSERT_TRUE(result.ok()) << result.status().message() << "\n" << err_.str();
  EXPECT_TRUE(result->existed);
  EXPECT_EQ((*server_->Get(r::kStatefulSets, "vcluster-ds", "ds"))["spec"]["replicas"], 0);
}

}  // namespace
}  // namespace vc::cli::lifecycle
