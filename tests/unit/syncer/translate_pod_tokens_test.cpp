// SPDX-License-Identifier: Apache-2.0
// The pod's service-account tokens: the TokenRequest kubelet would send, the lifetime an answer
// gives, kubelet's refresh rule, the lifetimes a Secret records, and the plan made of them.
#include <gtest/gtest.h>

#include "vc/labels.h"
#include "vc/rfc3339.h"
#include "vc/syncer/translate/pod_tokens.h"

namespace vc::syncer::translate {
namespace {

using nlohmann::json;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

WallTime At(const std::string& rfc3339) { return *ParseRfc3339(rfc3339); }

json Pod(const std::string& phase = "Running") {
  return {{"metadata", {{"name", "web-1"}, {"namespace", "shop"}, {"uid", "uid-1"}}},
          {"spec",
           {{"serviceAccountName", "builder"},
            {"nodeName", "node-1"},
            {"volumes",
             json::array(
                 {{{"name", "kube-api-access-x"},
                   {"projected",
                    {{"sources", json::array({{{"serviceAccountToken",
                                                {{"expirationSeconds", 3607}, {"path", "token"}}}},
                                              {{"configMap", {{"name", "kube-root-ca.crt"}}}}})}}}},
                  {{"name", "short"},
                   {"projected",
                    {{"sources", json::array({{{"serviceAccountToken",
                                                {{"audience", "vault"},
                                                 {"expirationSeconds", 600},
                                                 {"path", "vt"}}}}})}}}}})}}},
          {"status", {{"phase", phase}}}};
}

// The Secret as the syncer leaves it: both tokens, their lifetimes, the pod's uid.
json Secret(const TokenLifetime& first, const TokenLifetime& second,
            const std::string& uid = "uid-1") {
  json annotations = {{labels::kVirtualUid, uid}};
  annotations.update(TokenLifetimeAnnotations("token-0", first));
  annotations.update(TokenLifetimeAnnotations("token-1", second));
  return {{"metadata", {{"name", "web-1-sa-token-x-shop-x-t1"}, {"annotations", annotations}}},
          {"data", {{"token-0", "dG9rZW4="}, {"token-1", "dG9rZW4="}}}};
}

std::vector<std::string> Keys(const TokenRefreshPlan& plan) {
  std::vector<std::string> keys;
  for (const auto& t : plan.refresh) keys.push_back(t.key);
  return keys;
}

TEST(SyncerPodTokensTest, ProjectionsAreKeyedAsTheTranslatorKeysThem) {
  const auto tokens = TokenProjections(Pod());
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[0].key, "token-0");
  EXPECT_EQ(tokens[0].expiration_seconds, 3607);
  EXPECT_EQ(tokens[0].audience, "");
  EXPECT_EQ(tokens[1].key, "token-1");
  EXPECT_EQ(tokens[1].expiration_seconds, 600);
  EXPECT_EQ(tokens[1].audience, "vault");
  const auto translated = TranslatePod(Pod(), Tenant{.name = "t1", .host_namespace = "vc-t1"},
                                       SyncConfig{}, PodEnvironment{});
  ASSERT_EQ(translated.refs.tokens.size(), tokens.size());
  for (size_t i = 0; i < tokens.size(); ++i) {
    EXPECT_EQ(translated.refs.tokens[i].key, tokens[i].key);
    EXPECT_EQ(translated.refs.tokens[i].expiration_seconds, tokens[i].expiration_seconds);
    EXPECT_EQ(translated.refs.tokens[i].audience, tokens[i].audience);
  }
  EXPECT_EQ(ServiceAccountName(Pod()), "builder");
  EXPECT_EQ(ServiceAccountName(json::object()), "default");
}

TEST(SyncerPodTokensTest, AProjectionWithoutExpirationGetsTheApiDefault) {
  json pod = Pod();
  pod["spec"]["volumes"][1]["projected"]["sources"][0]["serviceAccountToken"].erase(
      "expirationSeconds");
  EXPECT_EQ(TokenProjections(pod)[1].expiration_seconds, 3600);
}

TEST(SyncerPodTokensTest, RequestsAsKubeletDoesBoundToTheVirtualPod) {
  const auto tokens = TokenProjections(Pod());
  EXPECT_EQ(TokenRequestFor(Pod(), tokens[0]), json::parse(R"({
    "apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
    "spec": {"expirationSeconds": 3607,
             "boundObjectRef": {"apiVersion": "v1", "kind": "Pod", "name": "web-1",
                                "uid": "uid-1"}}})"));
  EXPECT_EQ(TokenRequestFor(Pod(), tokens[1])["spec"]["audiences"], json::array({"vault"}));
  TokenProjection too_short = tokens[1];
  too_short.expiration_seconds = 60;
  EXPECT_EQ(TokenRequestFor(Pod(), too_short)["spec"]["expirationSeconds"], 600)
      << "the API refuses less than 10 minutes";
}

TEST(SyncerPodTokensTest, TheLifetimeIsWhatTheAnswerSaysNotTheJwt) {
  // An extended token (3607 s asked, a year signed) answers with the 3607 s it wants honoured.
  const json answer = json::parse(R"({
    "spec": {"expirationSeconds": 3607},
    "status": {"token": "eyJ.eyJleHAiOjk5OTk5OTk5OTl9.sig",
               "expirationTimestamp": "2025-06-01T11:00:07Z"}})");
  auto lifetime = TokenLifetimeOf(answer);
  ASSERT_TRUE(lifetime.ok()) << lifetime.status().message();
  EXPECT_EQ(lifetime->issued_at, At("2025-06-01T10:00:00Z"));
  EXPECT_EQ(lifetime->expires_at, At("2025-06-01T11:00:07Z"));
}

TEST(SyncerPodTokensTest, AnAnswerWithoutALifetimeIsAnError) {
  for (const char* text : {
           R"({"spec": {"expirationSeconds": 600}, "status": {"token": "t"}})",
           R"({"spec": {"expirationSeconds": 600}, "status": {"expirationTimestamp": "soon"}})",
           R"({"spec": {}, "status": {"expirationTimestamp": "2025-06-01T10:10:00Z"}})",
           R"({"spec": {"expirationSeconds": 0},
               "status": {"expirationTimestamp": "2025-06-01T10:10:00Z"}})",
       }) {
    EXPECT_FALSE(TokenLifetimeOf(json::parse(text)).ok()) << text;
  }
}

TEST(SyncerPodTokensTest, RefreshesAfterEightyPercentOrADay) {
  const WallTime t0 = At("2025-06-01T10:00:00Z");
  EXPECT_EQ(TokenRefreshTime({t0, t0 + seconds(600)}), t0 + seconds(480));
  EXPECT_EQ(TokenRefreshTime({t0, t0 + seconds(3600)}), t0 + seconds(2880));
  EXPECT_EQ(TokenRefreshTime({t0, t0 + hours(48)}), t0 + hours(24)) << "at least once a day";
  EXPECT_EQ(TokenRefreshTime({t0, t0 + hours(24 * 365)}), t0 + hours(24));
}

TEST(SyncerPodTokensTest, LifetimesRoundTripThroughTheSecret) {
  const TokenLifetime l{At("2025-06-01T10:00:00Z"), At("2025-06-01T10:10:00Z")};
  const json annotations = TokenLifetimeAnnotations("token-1", l);
  EXPECT_EQ(annotations, json::parse(R"({
    "kubectl-vc.dev/token-1-issued-at": "2025-06-01T10:00:00Z",
    "kubectl-vc.dev/token-1-expires-at": "2025-06-01T10:10:00Z"})"));
  const json secret = {{"metadata", {{"annotations", annotations}}}};
  auto back = RecordedTokenLifetime(secret, "token-1");
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->issued_at, l.issued_at);
  EXPECT_EQ(back->expires_at, l.expires_at);
  EXPECT_FALSE(RecordedTokenLifetime(secret, "token-0").has_value());
}

TEST(SyncerPodTokensTest, NonsenseLifetimesAreNotRecorded) {
  for (const auto& [issued, expires] : std::vector<std::pair<std::string, std::string>>{
           {"2025-06-01T10:00:00Z", "2025-06-01T10:00:00Z"},  // no lifetime
           {"2025-06-01T10:10:00Z", "2025-06-01T10:00:00Z"},  // expires before issue
           {"yesterday", "2025-06-01T10:00:00Z"},
           {"2025-06-01T10:00:00Z", ""},
       }) {
    const json secret = {{"metadata",
                          {{"annotations",
                            {{TokenIssuedAtAnnotation("token-0"), issued},
                             {TokenExpiresAtAnnotation("token-0"), expires}}}}}};
    EXPECT_FALSE(RecordedTokenLifetime(secret, "token-0").has_value()) << issued << " " << expires;
  }
}

class SyncerPodTokenPlanTest : public ::testing::Test {
 protected:
  const WallTime t0 = At("2025-06-01T10:00:00Z");
  const TokenLifetime long_ = {t0, t0 + seconds(3607)};  // token-0: due at t0 + 2885.6 s
  const TokenLifetime short_ = {t0, t0 + seconds(600)};  // token-1: due at t0 + 480 s
  const std::vector<TokenProjection> tokens = TokenProjections(Pod());
};

TEST_F(SyncerPodTokenPlanTest, NoSecretRequestsEveryToken) {
  const auto plan = PlanTokenRefresh(Pod(), tokens, json(), t0);
  EXPECT_EQ(Keys(plan), (std::vector<std::string>{"token-0", "token-1"}));
  EXPECT_FALSE(plan.next.has_value());
}

TEST_F(SyncerPodTokenPlanTest, FreshTokensWaitForTheEarliestRefresh) {
  const auto plan = PlanTokenRefresh(Pod(), tokens, Secret(long_, short_), t0 + minutes(1));
  EXPECT_TRUE(plan.refresh.empty());
  ASSERT_TRUE(plan.next.has_value());
  EXPECT_EQ(*plan.next, t0 + seconds(480));
}

TEST_F(SyncerPodTokenPlanTest, OnlyTheDueTokenIsRequested) {
  const auto plan = PlanTokenRefresh(Pod(), tokens, Secret(long_, short_), t0 + seconds(480));
  EXPECT_EQ(Keys(plan), std::vector<std::string>{"token-1"}) << "due at exactly 80%";
  ASSERT_TRUE(plan.next.has_value());
  EXPECT_EQ(*plan.next, TokenRefreshTime(long_));
  EXPECT_EQ(Keys(PlanTokenRefresh(Pod(), tokens, Secret(long_, short_), t0 + seconds(479))),
            std::vector<std::string>{});
}

TEST_F(SyncerPodTokenPlanTest, ExpiredTokensAreRequestedAgain) {
  // What a syncer finds after being down for longer than the tokens live.
  const auto plan = PlanTokenRefresh(Pod(), tokens, Secret(long_, short_), t0 + hours(2));
  EXPECT_EQ(Keys(plan), (std::vector<std::string>{"token-0", "token-1"}));
  EXPECT_FALSE(plan.next.has_value());
}

TEST_F(SyncerPodTokenPlanTest, TokensOfAnEarlierPodOfTheSameNameAreReplaced) {
  const auto plan =
      PlanTokenRefresh(Pod(), tokens, Secret(long_, short_, "uid-0"), t0 + minutes(1));
  EXPECT_EQ(Keys(plan), (std::vector<std::string>{"token-0", "token-1"}));
}

TEST_F(SyncerPodTokenPlanTest, AMissingTokenOrLifetimeIsRequested) {
  json secret = Secret(long_, short_);
  secret["data"].erase("token-0");
  EXPECT_EQ(Keys(PlanTokenRefresh(Pod(), tokens, secret, t0 + minutes(1))),
            std::vector<std::string>{"token-0"});
  secret = Secret(long_, short_);
  secret["metadata"]["annotations"].erase(TokenExpiresAtAnnotation("token-1"));
  const auto plan = PlanTokenRefresh(Pod(), tokens, secret, t0 + minutes(1));
  EXPECT_EQ(Keys(plan), std::vector<std::string>{"token-1"});
  ASSERT_TRUE(plan.next.has_value());
  EXPECT_EQ(*plan.next, TokenRefreshTime(long_));
}

// The API server names the pod's node in a token (node-name, node-uid extra) only if the pod
// is bound when the token is requested: until then, nothing is requested.
TEST_F(SyncerPodTokenPlanTest, AnUnboundPodGetsNoTokensUntilItIsBound) {
  json pod = Pod("Pending");
  pod["spec"].erase("nodeName");
  for (const json& secret : {json(), Secret(long_, short_)}) {
    const auto plan = PlanTokenRefresh(pod, tokens, secret, t0 + hours(2));
    EXPECT_TRUE(plan.refresh.empty()) << secret.dump();
    EXPECT_FALSE(plan.next.has_value()) << secret.dump();
  }
  pod["spec"]["nodeName"] = "node-1";
  EXPECT_EQ(Keys(PlanTokenRefresh(pod, tokens, json(), t0)),
            (std::vector<std::string>{"token-0", "token-1"}));
}

TEST_F(SyncerPodTokenPlanTest, AFinishedPodNeedsNoTokens) {
  for (const char* phase : {"Succeeded", "Failed"}) {
    const auto plan = PlanTokenRefresh(Pod(phase), tokens, Secret(long_, short_), t0 + hours(2));
    EXPECT_TRUE(plan.refresh.empty()) << phase;
    EXPECT_FALSE(plan.next.has_value()) << phase;
  }
}

}  // namespace
}  // namespace vc::syncer::translate
