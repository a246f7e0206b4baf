// SPDX-License-Identifier: Apache-2.0
// vc-syncer end to end, service-account tokens: a pod whose projected token asks for the
// minimum lifetime (600 s) gets tokens the virtual API server issued for it, with their
// lifetimes recorded on the host Secret; a lifetime moved into the past (what an old token looks
// like, without waiting 8 minutes) makes the syncer replace that token with a fresh one the
// virtual API server accepts, and leave the other alone; and a syncer killed with -9 renews
// from what the Secret says once it is back.
#include "integration/syncer/syncer_e2e_fixture.h"
#include "vc/base64.h"
#include "vc/rfc3339.h"
#include "vc/syncer/translate/pod_tokens.h"

namespace vc::testing {
namespace {

namespace t = syncer::translate;
using std::chrono::seconds;
using std::chrono::system_clock;

inline constexpr const char* kTokenPod = R"(apiVersion: v1
kind: Pod
metadata: {name: reader, namespace: default}
spec:
  containers:
  - name: c
    image: busybox
    command: [sh, -c, "trap 'exit 0' TERM; sleep 3600 & wait"]
    volumeMounts: [{name: short, mountPath: /var/run/short}]
  volumes:
  - name: short
    projected:
      sources:
      - serviceAccountToken: {path: token, expirationSeconds: 600}
)";

// The claims of a JWT (its middle part, base64url without padding).
json JwtClaims(const std::string& jwt) {
  const size_t a = jwt.find('.');
  const size_t b = jwt.find('.', a + 1);
  if (a == std::string::npos || b == std::string::npos) return json();
  std::string part = jwt.substr(a + 1, b - a - 1);
  std::replace(part.begin(), part.end(), '-', '+');
  std::replace(part.begin(), part.end(), '_', '/');
  while (part.size() % 4 != 0) part += '=';
  auto decoded = Base64Decode(part);
  if (!decoded) return json();
  auto claims = json::parse(*decoded, nullptr, false);
  return claims.is_discarded() ? json() : claims;
}

class SyncerTokenRefreshTest : public SyncerE2eTest {
 protected:
  std::string hns_;
  std::string secret_name_;

  json TokenSecret() {
    auto got = client_->Get(r::kSecrets, hns_, secret_name_);
    return got.ok() ? *got : json();
  }

  static std::string TokenIn(const json& secret, const std::string& key) {
    auto decoded = Base64Decode(secret.value("data", json::object()).value(key, ""));
    return decoded ? *decoded : "";
  }

  // What the virtual API server says of `token` (TokenReview status), null on failure.
  json Review(const std::string& token) {
    const std::string path = home_->path() + "/review.json";
    std::ofstream(path) << json{
        {"apiVersion", "authentication.k8s.io/v1"},
        {"kind", "TokenReview"},
        {"spec",
         {{"token", token}}}}.dump();
    json answer = VirtualJson({"create", "-f", path});
    return answer.is_object() ? answer.value("status", json()) : json();
  }

  // Makes the Secret say that `key`'s token was issued two hours ago and has expired.
  Status AgeToken(const std::string& key) {
    const auto issued = system_clock::now() - std::chrono::hours(2);
    const json patch = {
        {"metadata",
         {{"annotations", t::TokenLifetimeAnnotations(key, {issued, issued + seconds(600)})}}}};
    return client_->Patch(r::kSecrets, hns_, secret_name_, kube::PatchType::kMerge, patch.dump())
        .status();
  }

  // Waits until `key` holds a token other than `old` with a lifetime ahead of it; returns it.
  std::string FreshToken(const std::string& name, const std::string& key, const std::string& old) {
    json secret;
    std::string token;
    const bool fresh = Eventually(
        [&] {
          secret = TokenSecret();
          token = TokenIn(secret, key);
          auto lifetime = t::RecordedTokenLifetime(secret, key);
          return !token.empty() && token != old && lifetime &&
                 lifetime->expires_at > system_clock::now() + seconds(300);
        },
        std::chrono::seconds(60));
    EXPECT_TRUE(fresh) << secret["metadata"].dump() << "\n" << SyncerLog(name);
    return fresh ? token : "";
  }

  void ExpectAccepted(const std::string& token, int64_t lifetime_seconds) {
    const json review = Review(token);
    EXPECT_EQ(review.value("authenticated", false), true) << review.dump();
    EXPECT_EQ(review.value("user", json::object()).value("username", ""),
              "system:serviceaccount:default:default")
        << review.dump();
    const json claims = JwtClaims(token);
    ASSERT_TRUE(claims.is_object()) << token;
    EXPECT_EQ(claims.value("exp", int64_t{0}) - claims.value("iat", int64_t{0}), lifetime_seconds)
        << claims.dump();
    EXPECT_EQ(claims["kubernetes.io"]["pod"].value("name", ""), "reader") << claims.dump();
    // Requested once the pod was bound, as kubelet's are: the token names the pod's node (the
    // virtual cluster's Node of that name, with its uid).
    const json vpod = VirtualJson({"get", "pod", "reader", "-n", "default"});
    const std::string node = vpod.is_object() ? vpod["spec"].value("nodeName", "") : "";
    ASSERT_FALSE(node.empty()) << vpod.dump();
    EXPECT_EQ(claims["kubernetes.io"].value("node", json::object()).value("name", ""), node)
        << claims.dump();
    const json extra = review.value("user", json::object()).value("extra", json::object());
    EXPECT_EQ(extra.value("authentication.kubernetes.io/node-name", json::array()),
              json::array({node}))
        << review.dump();
    EXPECT_EQ(extra.value("authentication.kubernetes.io/node-uid", json::array()).size(), 1u)
        << review.dump();
  }
};

TEST_F(SyncerTokenRefreshTest, ShortLivedTokensAreRenewedAlsoByARestartedSyncer) {
  const std::string name = "sync-tokens";
  ASSERT_NO_FATAL_FAILURE(CreateVirtualCluster(name, "isolation:\n  trustLevel: high\n"));
  hns_ = "vcluster-" + name;
  secret_name_ = "reader-sa-token-x-default-x-" + name;
  auto applied = ApplyInVirtual(name, "reader.yaml", kTokenPod);
  ASSERT_EQ(applied.code, 0) << applied.Both();

  // Which Secret key holds which token: the 600 s one, and the 3607 s one admission added.
  json vpod;
  ASSERT_TRUE(Eventually(
      [&] {
        vpod = VirtualJson({"get", "pod", "reader", "-n", "default"});
        return vpod.is_object();
      },
      std::chrono::seconds(30)));
  std::string short_key, long_key;
  for (const auto& p : t::TokenProjections(vpod)) {
    (p.expiration_seconds == 600 ? short_key : long_key) = p.key;
  }
  ASSERT_FALSE(short_key.empty()) << vpod["spec"].dump();
  ASSERT_FALSE(long_key.empty()) << "admission adds kube-api-access: " << vpod["spec"].dump();

  // Tokens and their lifetimes, as the TokenRequest answered; the Secret owned by the host pod.
  json secret;
  ASSERT_TRUE(Eventually(
      [&] {
        secret = TokenSecret();
        return !TokenIn(secret, short_key).empty() && !TokenIn(secret, long_key).empty() &&
               !secret["metadata"].value("ownerReferences", json::array()).empty();
      },
      std::chrono::seconds(90)))
      << secret.dump() << "\n"
      << SyncerLog(name);
  EXPECT_EQ(secret["metadata"]["labels"].value(t::kTokenSecretLabel, ""), "true");
  EXPECT_EQ(secret["metadata"]["ownerReferences"][0].value("name", ""),
            "reader-x-default-x-" + name);
  auto short_life = t::RecordedTokenLifetime(secret, short_key);
  auto long_life = t::RecordedTokenLifetime(secret, long_key);
  ASSERT_TRUE(short_life && long_life) << secret["metadata"].dump();
  EXPECT_EQ(short_life->expires_at - short_life->issued_at, seconds(600));
  EXPECT_EQ(long_life->expires_at - long_life->issued_at, seconds(3607));
  EXPECT_GT(short_life->expires_at, system_clock::now());
  const std::string first = TokenIn(secret, short_key);
  const std::string long_token = TokenIn(secret, long_key);
  ASSERT_NO_FATAL_FAILURE(ExpectAccepted(first, 600));

  // An old token: replaced by a fresh one the virtual API server accepts; the other stays.
  ASSERT_TRUE(AgeToken(short_key).ok());
  const std::string second = FreshToken(name, short_key, first);
  ASSERT_FALSE(second.empty());
  ASSERT_NO_FATAL_FAILURE(ExpectAccepted(second, 600));
  // Kubelet re-reads the renewed Secret: the running container's file becomes the new token
  // (kubelet refreshes secret volumes on its pod sync, every minute by default).
  CliResult mounted;
  EXPECT_TRUE(Eventually(
      [&] {
        mounted = Kubectl({"exec", "reader", "-n", "default", "--", "cat", "/var/run/short/token"});
        return mounted.code == 0 && mounted.out == second;
      },
      std::chrono::seconds(150)))
      << mounted.Both();
  secret = TokenSecret();
  EXPECT_EQ(TokenIn(secret, long_key), long_token) << "a token not due is kept";
  auto long_after = t::RecordedTokenLifetime(secret, long_key);
  ASSERT_TRUE(long_after.has_value());
  EXPECT_EQ(long_after->issued_at, long_life->issued_at);
  EXPECT_EQ(secret["metadata"]["ownerReferences"][0].value("name", ""),
            "reader-x-default-x-" + name);

  // Killed with -9 and aged while it is gone: the next syncer renews from the Secret alone.
  const pid_t before = SyncerPid(name);
  ASSERT_GT(before, 0) << "no syncer process for " << name;
  ASSERT_EQ(::kill(before, SIGKILL), 0);
  ASSERT_TRUE(AgeToken(short_key).ok());
  pid_t after = 0;
  ASSERT_TRUE(Eventually(
      [&] {
        after = SyncerPid(name);
        return after > 0 && after != before;
      },
      std::chrono::seconds(60)))
      << "the syncer was not restarted";
  const std::string third = FreshToken(name, short_key, second);
  ASSERT_FALSE(third.empty());
  ASSERT_NO_FATAL_FAILURE(ExpectAccepted(third, 600));
  EXPECT_EQ(TokenIn(TokenSecret(), long_key), long_token);
}

}  // namespace
}  // namespace vc::testing
