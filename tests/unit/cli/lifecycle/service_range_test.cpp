// SPDX-License-Identifier: Apache-2.0
// Finding the host's Service range: its ServiceCIDR object, else its API server's refusal of an
// address outside the range, else an error that says what was tried.
#include "vc/cli/lifecycle/service_range.h"

#include <gtest/gtest.h>

#include "unit/shared/kube/fake_transport.h"

namespace vc::cli::lifecycle {
namespace {

using kube::testing::ApiStatus;
using kube::testing::FakeTransport;
using kube::testing::JsonResponse;
using nlohmann::json;

class ServiceRangeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    transport_ = std::make_shared<FakeTransport>();
    kube::RestConfig config;
    config.server = "https://host:6443";
    client_ = std::make_shared<kube::Client>(config, transport_);
  }

  std::shared_ptr<FakeTransport> transport_;
  std::shared_ptr<kube::Client> client_;
};

const json kNotFound =
    ApiStatus(404, "NotFound", "the server could not find the requested resource");

TEST_F(ServiceRangeTest, TheServiceCidrObjectNamesTheRangeOnCurrentHosts) {
  transport_->Reply(JsonResponse(
      200, {{"kind", "ServiceCIDR"},
            {"metadata", {{"name", "kubernetes"}}},
            {"spec", {{"cidrs", json::array({"34.118.224.0/20", "fd00:10:96::/108"})}}}}));
  auto range = DetectHostServiceRange(*client_);
  ASSERT_TRUE(range.ok()) << range.status().ToString();
  EXPECT_EQ(*range, "34.118.224.0/20,fd00:10:96::/108");
  const auto requests = transport_->requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_NE(requests[0].url.find("/apis/networking.k8s.io/v1/servicecidrs/kubernetes"),
            std::string::npos)
      << requests[0].url;
}

TEST_F(ServiceRangeTest, AnOlderHostNamesItInItsRefusalOfADryRunService) {
  transport_->Reply(JsonResponse(404, kNotFound));
  transport_->Reply(JsonResponse(
      422,
      ApiStatus(422, "Invalid",
                "Service \"kubectl-vc-range-probe-x\" is invalid: spec.clusterIPs: Invalid "
                "value: []string{\"203.0.113.254\"}: failed to allocate IP 203.0.113.254: the "
                "provided IP (203.0.113.254) is not in the valid range. The range of valid IPs "
                "is 172.20.0.0/16")));
  auto range = DetectHostServiceRange(*client_);
  ASSERT_TRUE(range.ok()) << range.status().ToString();
  EXPECT_EQ(*range, "172.20.0.0/16");
  const auto requests = transport_->requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].method, "POST");
  EXPECT_NE(requests[1].url.find("dryRun=All"), std::string::npos) << requests[1].url;
}

const json kMismatch = ApiStatus(422, "Invalid",
                                 "failed to allocate IP 203.0.113.254: the provided network does "
                                 "not match the current range");

// A namespace's admin on a current host: no right on ServiceCIDRs, a refusal that names no
// range; dry runs in the namespace measure it: the network address, then addresses at growing
// offsets (network + 2^k - 2) until one is refused.
TEST_F(ServiceRangeTest, ANamespaceAdminOnACurrentHostMeasuresItWithDryRuns) {
  transport_->Reply(JsonResponse(403, ApiStatus(403, "Forbidden", "servicecidrs is forbidden")));
  transport_->Reply(JsonResponse(422, kMismatch));
  transport_->Reply(JsonResponse(201, {{"spec", {{"clusterIP", "172.20.0.0"}}}}));
  for (int k = 4; k <= 16; ++k) {
    transport_->Reply(JsonResponse(201, {{"spec", {{"clusterIP", "x"}}}}));
  }
  transport_->Reply(JsonResponse(422, kMismatch));
  auto range = DetectHostServiceRange(*client_, "team");
  ASSERT_TRUE(range.ok()) << range.status().ToString();
  EXPECT_EQ(*range, "172.20.0.0/16");
  const auto requests = transport_->requests();
  ASSERT_EQ(requests.size(), 17u);
  for (size_t i = 1; i < requests.size(); ++i) {
    EXPECT_NE(requests[i].url.find("/api/v1/namespaces/team/services?"), std::string::npos)
        << requests[i].url;
    EXPECT_NE(requests[i].url.find("dryRun=All"), std::string::npos) << requests[i].url;
  }
  EXPECT_EQ(requests[2].body.find("clusterIP"), std::string::npos) << requests[2].body;
  EXPECT_NE(requests[3].body.find("\"172.20.0.14\""), std::string::npos) << requests[3].body;
  EXPECT_NE(requests[15].body.find("\"172.20.255.254\""), std::string::npos) << requests[15].body;
  EXPECT_NE(requests[16].body.find("\"172.21.255.254\""), std::string::npos) << requests[16].body;
}

TEST_F(ServiceRangeTest, AHostThatTellsNoWayIsAnErrorNamingEach) {
  transport_->Reply(JsonResponse(403, ApiStatus(403, "Forbidden", "servicecidrs is forbidden")));
  transport_->Reply(JsonResponse(422, kMismatch));
  transport_->Reply(
      JsonResponse(403, ApiStatus(403, "Forbidden", "services is forbidden: cannot create")));
  auto range = DetectHostServiceRange(*client_);
  ASSERT_FALSE(range.ok());
  EXPECT_NE(range.status().message().find("could not find the host's Service range"),
            std::string::npos);
  EXPECT_NE(range.status().message().find("forbidden"), std::string::npos)
      << range.status().message();
  EXPECT_NE(range.status().message().find("does not match the current range"), std::string::npos)
      << range.status().message();
  EXPECT_NE(range.status().message().find("get on servicecidrs.networking.k8s.io"),
            std::string::npos)
      << range.status().message();
  EXPECT_NE(range.status().message().find("cannot create"), std::string::npos)
      << range.status().message();
}

TEST(RangeFromRefusalTest, TakesTheRangeAndNothingAfterIt) {
  EXPECT_EQ(RangeFromRefusal("... The range of valid IPs is 10.96.0.0/12"), "10.96.0.0/12");
  EXPECT_EQ(RangeFromRefusal("The range of valid IPs is fd00::/108."), "fd00::/108");
  EXPECT_EQ(RangeFromRefusal("The range of valid IPs is 10.0.0.0/24, try again"), "10.0.0.0/24");
  EXPECT_EQ(RangeFromRefusal("the provided network does not match the current range"),
            std::nullopt);
  EXPECT_EQ(RangeFromRefusal("The range of valid IPs is unknown"), std::nullopt);
}

}  // namespace
}  // namespace vc::cli::lifecycle
