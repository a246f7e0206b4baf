// SPDX-License-Identifier: Apache-2.0
#include "vc/kube/client.h"

#include <gtest/gtest.h>

#include "fake_transport.h"
#include "support/fake_clock.h"

namespace vc::kube {
namespace {

using testing::ApiStatus;
using testing::ConnectionRefused;
using testing::ConnectionReset;
using testing::FakeTransport;
using testing::JsonResponse;

class CountingCredentials : public CredentialProvider {
 public:
  StatusOr<Credentials> Get(bool force_refresh) override {
    if (force_refresh) ++refreshes;
    Credentials c;
    c.bearer_token = refreshes > 0 ? "fresh" : "stale";
    return c;
  }
  int refreshes = 0;
};

nlohmann::json ConfigMap(const std::string& name, const std::string& rv = "") {
  nlohmann::json cm = {{"apiVersion", "v1"},
                       {"kind", "ConfigMap"},
                       {"metadata", {{"name", name}, {"namespace", "ns"}}}};
  if (!rv.empty()) cm["metadata"]["resourceVersion"] = rv;
  return cm;
}

std::string HeaderOf(const HttpRequest& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

class ClientTest : public ::testing::Test {
 protected:
  ClientTest() {
    RestConfig config;
    config.server = "https://api:6443/";
    config.credentials = creds;
    config.request_timeout = std::chrono::seconds(30);
    client = std::make_unique<Client>(config, transport, clock);
  }
  std::shared_ptr<FakeTransport> transport = std::make_shared<FakeTransport>();
  std::shared_ptr<FakeClock> clock = std::make_shared<FakeClock>();
  std::shared_ptr<CountingCredentials> creds = std::make_shared<CountingCredentials>();
  std::unique_ptr<Client> client;
};

TEST_F(ClientTest, GetBuildsRequest) {
  transport->Reply(JsonResponse(200, ConfigMap("app")));
  auto got = client->Get(resources::kConfigMaps, "ns", "app");
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ((*got)["metadata"]["name"], "app");
  auto req = transport->requests().at(0);
  EXPECT_EQ(req.method, "GET");
  EXPECT_EQ(req.url, "https://api:6443/api/v1/namespaces/ns/configmaps/app");
  EXPECT_EQ(HeaderOf(req, "Authorization"), "Bearer stale");
  EXPECT_EQ(req.timeout, std::chrono::seconds(30));
}

TEST_F(ClientTest, PerCallTimeoutOverrides) {
  transport->Reply(JsonResponse(200, ConfigMap("app")));
  ASSERT_TRUE(client->Get(resources::kConfigMaps, "ns", "app", std::chrono::seconds(2)).ok());
  EXPECT_EQ(transport->requests().at(0).timeout, std::chrono::seconds(2));
}

TEST_F(ClientTest, NamespacedObjectNeedsNamespace) {
  EXPECT_EQ(client->Get(resources::kConfigMaps, "", "app").status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(transport->requests().empty());
}

TEST_F(ClientTest, GetRetries5xxWithBackoff) {
  transport->Reply(JsonResponse(503, ApiStatus(503, "ServiceUnavailable", "down")));
  transport->Reply(ConnectionReset());
  transport->Reply(JsonResponse(200, ConfigMap("app")));
  ASSERT_TRUE(client->Get(resources::kConfigMaps, "ns", "app").ok());
  EXPECT_EQ(transport->requests().size(), 3u);
  auto sleeps = clock->sleeps();
  ASSERT_EQ(sleeps.size(), 2u);
  // 250ms then 500ms, each scaled by jitter into [50%, 100%].
  EXPECT_GE(sleeps[0], std::chrono::milliseconds(125));
  EXPECT_LE(sleeps[0], std::chrono::milliseconds(250));
  EXPECT_GE(sleeps[1], std::chrono::milliseconds(250));
  EXPECT_LE(sleeps[1], std::chrono::milliseconds(500));
}

TEST_F(ClientTest, GivesUpAfterMaxAttempts) {
  for (int i = 0; i < 10; ++i) {
    transport->Reply(JsonResponse(500, ApiStatus(500, "InternalError", "boom")));
  }
  Status s = client->Get(resources::kConfigMaps, "ns", "app").status();
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_EQ(transport->requests().size(), 5u);
}

TEST_F(ClientTest, CreateIsNotRetriedOnAmbiguousFailure) {
  transport->Reply(JsonResponse(503, ApiStatus(503, "ServiceUnavailable", "down")));
  EXPECT_EQ(client->Create(resources::kConfigMaps, "ns", ConfigMap("a")).status().code(),
            Code::kUnavailable);
  transport->Reply(ConnectionReset());
  EXPECT_EQ(client->Create(resources::kConfigMaps, "ns", ConfigMap("a")).status().code(),
            Code::kUnavailable);
  EXPECT_EQ(transport->requests().size(), 2u);
  EXPECT_TRUE(clock->sleeps().empty());
}

TEST_F(ClientTest, CreateIsRetriedWhenNothingWasSent) {
  transport->Reply(ConnectionRefused());
  transport->Reply(JsonResponse(201, ConfigMap("a")));
  ASSERT_TRUE(client->Create(resources::kConfigMaps, "ns", ConfigMap("a")).ok());
  auto reqs = transport->requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[1].method, "POST");
  EXPECT_EQ(reqs[1].url, "https://api:6443/api/v1/namespaces/ns/configmaps");
  EXPECT_EQ(HeaderOf(reqs[1], "Content-Type"), "application/json");
}

TEST_F(ClientTest, TooManyRequestsHonoursRetryAfterForAnyVerb) {
  transport->Reply(
      JsonResponse(429, ApiStatus(429, "TooManyRequests", "slow"), {{"retry-after", "3"}}));
  transport->Reply(JsonResponse(201, ConfigMap("a")));
  ASSERT_TRUE(client->Create(resources::kConfigMaps, "ns", ConfigMap("a")).ok());
  ASSERT_EQ(clock->sleeps().size(), 1u);
  EXPECT_EQ(clock->sleeps()[0], std::chrono::seconds(3));
}

TEST_F(ClientTest, RetryStopsAtTheDeadline) {
  transport->Reply(
      JsonResponse(429, ApiStatus(429, "TooManyRequests", "slow"), {{"retry-after", "20"}}));
  transport->Reply(
      JsonResponse(429, ApiStatus(429, "TooManyRequests", "slow"), {{"retry-after", "20"}}));
  Status s = client->Get(resources::kConfigMaps, "ns", "a").status();
  EXPECT_EQ(s.code(), Code::kTooManyRequests);
  // 20s fits in 30s once; a second 20s wait would pass the deadline.
  EXPECT_EQ(clock->sleeps().size(), 1u);
  EXPECT_EQ(transport->requests().at(1).timeout, std::chrono::seconds(10));
}

TEST_F(ClientTest, UnauthorizedRefreshesCredentialsOnce) {
  transport->Reply(JsonResponse(401, ApiStatus(401, "Unauthorized", "Unauthorized")));
  transport->Reply(JsonResponse(200, ConfigMap("a")));
  ASSERT_TRUE(client->Get(resources::kConfigMaps, "ns", "a").ok());
  EXPECT_EQ(creds->refreshes, 1);
  EXPECT_EQ(HeaderOf(transport->requests()[1], "Authorization"), "Bearer fresh");

  transport->Reply(JsonResponse(401, ApiStatus(401, "Unauthorized", "Unauthorized")));
  transport->Reply(JsonResponse(401, ApiStatus(401, "Unauthorized", "Unauthorized")));
  Status s = client->Create(resources::kConfigMaps, "ns", ConfigMap("a")).status();
  EXPECT_EQ(s.code(), Code::kUnauthorized);
  EXPECT_EQ(creds->refreshes, 2);
  EXPECT_EQ(transport->requests().size(), 4u);
}

TEST_F(ClientTest, UpdateWithResourceVersionIsRetriedWithoutIsNot) {
  transport->Reply(ConnectionReset());
  transport->Reply(JsonResponse(200, ConfigMap("a", "6")));
  ASSERT_TRUE(client->Update(resources::kConfigMaps, "ns", ConfigMap("a", "5")).ok());
  EXPECT_EQ(transport->requests()[1].method, "PUT");
  EXPECT_EQ(transport->requests()[1].url, "https://api:6443/api/v1/namespaces/ns/configmaps/a");

  transport->Reply(ConnectionReset());
  EXPECT_FALSE(client->Update(resources::kConfigMaps, "ns", ConfigMap("a")).ok());
  EXPECT_EQ(transport->requests().size(), 3u);
}

TEST_F(ClientTest, StaleUpdateIsConflict) {
  transport->Reply(JsonResponse(409, ApiStatus(409, "Conflict", "the object has been modified")));
  EXPECT_EQ(client->Update(resources::kConfigMaps, "ns", ConfigMap("a", "1")).status().code(),
            Code::kConflict);
  EXPECT_EQ(transport->requests().size(), 1u);
}

TEST_F(ClientTest, UpdateStatusUsesSubresource) {
  transport->Reply(JsonResponse(200, ConfigMap("a", "2")));
  ASSERT_TRUE(client->UpdateStatus(resources::kPods, "ns", ConfigMap("p", "1")).ok());
  EXPECT_EQ(transport->requests()[0].url, "https://api:6443/api/v1/namespaces/ns/pods/p/status");
}

TEST_F(ClientTest, PatchTypes) {
  transport->Reply(JsonResponse(200, ConfigMap("a")));
  transport->Reply(JsonResponse(200, ConfigMap("a")));
  transport->Reply(JsonResponse(200, ConfigMap("a")));
  ASSERT_TRUE(client->Patch(resources::kConfigMaps, "ns", "a", PatchType::kMerge, "{}").ok());
  ASSERT_TRUE(client
                  ->Patch(resources::kDeployments, "ns", "d", PatchType::kStrategicMerge, "{}",
                          {.subresource = "scale"})
                  .ok());
  ASSERT_TRUE(client->Patch(resources::kConfigMaps, "ns", "a", PatchType::kJson, "[]").ok());
  auto reqs = transport->requests();
  EXPECT_EQ(HeaderOf(reqs[0], "Content-Type"), "application/merge-patch+json");
  EXPECT_EQ(reqs[1].url, "https://api:6443/apis/apps/v1/namespaces/ns/deployments/d/scale");
  EXPECT_EQ(HeaderOf(reqs[1], "Content-Type"), "application/strategic-merge-patch+json");
  EXPECT_EQ(HeaderOf(reqs[2], "Content-Type"), "application/json-patch+json");
  EXPECT_EQ(reqs[0].method, "PATCH");
}

TEST_F(ClientTest, MergePatchIsNotRetried) {
  transport->Reply(ConnectionReset());
  EXPECT_FALSE(client->Patch(resources::kConfigMaps, "ns", "a", PatchType::kMerge, "{}").ok());
  EXPECT_EQ(transport->requests().size(), 1u);
}

TEST_F(ClientTest, ApplyIsServerSideAndRetried) {
  transport->Reply(ConnectionReset());
  transport->Reply(JsonResponse(200, ConfigMap("a")));
  ASSERT_TRUE(client
                  ->Apply(resources::kConfigMaps, "ns", "a", "{\"data\":{}}",
                          {.field_manager = "vc syncer", .force = true})
                  .ok());
  auto req = transport->requests().at(1);
  EXPECT_EQ(req.method, "PATCH");
  EXPECT_EQ(req.url,
            "https://api:6443/api/v1/namespaces/ns/configmaps/a?fieldManager=vc+syncer&force=true");
  EXPECT_EQ(HeaderOf(req, "Content-Type"), "application/apply-patch+yaml");
  EXPECT_EQ(client->Apply(resources::kConfigMaps, "ns", "a", "{}", {}).status().code(),
            Code::kInvalidArgument);
}

TEST_F(ClientTest, DeleteSendsOptionsAndPreconditions) {
  transport->Reply(JsonResponse(200, ApiStatus(200, "", "")));
  DeleteOptions opts;
  opts.propagation_policy = "Foreground";
  opts.grace_period_seconds = 0;
  opts.precondition_uid = "u-1";
  opts.precondition_resource_version = "42";
  ASSERT_TRUE(client->Delete(resources::kDeployments, "ns", "d", opts).ok());
  auto req = transport->requests().at(0);
  EXPECT_EQ(req.method, "DELETE");
  auto body = nlohmann::json::parse(req.body);
  EXPECT_EQ(body["propagationPolicy"], "Foreground");
  EXPECT_EQ(body["gracePeriodSeconds"], 0);
  EXPECT_EQ(body["preconditions"]["uid"], "u-1");
  EXPECT_EQ(body["preconditions"]["resourceVersion"], "42");
}

TEST_F(ClientTest, EvictBlockedByBudgetIsNotRetried) {
  transport->Reply(JsonResponse(429,
                                ApiStatus(429, "TooManyRequests",
                                          "Cannot evict pod as it would violate the pod's "
                                          "disruption budget."),
                                {{"retry-after", "10"}}));
  Status s = client->Evict("ns", "web-0");
  EXPECT_EQ(s.code(), Code::kTooManyRequests);
  auto req = transport->requests().at(0);
  EXPECT_EQ(req.url, "https://api:6443/api/v1/namespaces/ns/pods/web-0/eviction");
  auto body = nlohmann::json::parse(req.body);
  EXPECT_EQ(body["kind"], "Eviction");
  EXPECT_EQ(body["apiVersion"], "policy/v1");
  EXPECT_EQ(body["metadata"]["name"], "web-0");
  EXPECT_TRUE(clock->sleeps().empty());
}

TEST_F(ClientTest, RawMapsErrors) {
  transport->Reply(HttpResponse{200, {}, "{\"gitVersion\":\"v1.36.3\"}"});
  auto v = client->Raw({.path = "/version"});
  ASSERT_TRUE(v.ok());
  EXPECT_NE(v->body.find("v1.36.3"), std::string::npos);
  transport->Reply(HttpResponse{404, {}, "404 page not found"});
  EXPECT_EQ(client->Raw({.path = "/nope"}).status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace vc::kube
