// SPDX-License-Identifier: Apache-2.0
// The service-account tokens of a synced pod: what to ask the virtual API server for, and when
// to ask again. Pure.
//
// Kubelet mounts a projected serviceAccountToken and replaces it once 80% of its lifetime has
// passed, or 24 hours after it was issued, whichever comes first (pkg/kubelet/token). A synced
// pod reads its tokens from a host Secret instead (TokenSecretName), so the syncer does what
// kubelet would: each token is requested like kubelet requests it (the projection's
// expirationSeconds and audience, bound to the virtual pod), and the Secret records, per token
// key, when the token was issued and when it expires. Those two annotations are the only state
// renewal needs: a restarted syncer reads them back from the Secret.
//
// The lifetime is what the TokenRequest answered (status.expirationTimestamp, and
// spec.expirationSeconds before it), not the JWT's `exp` claim: for a pod-bound token asking
// 3607 s the API server may sign a token valid for a year (--service-account-extend-token-
// expiration) while it still answers, and wants the pod to act on, 3607 s. Kubelet refreshes by
// the answer too.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "vc/status.h"
#include "vc/syncer/translate/pod_translator.h"

namespace vc::syncer::translate {

using WallTime = std::chrono::system_clock::time_point;

// The least expirationSeconds the API accepts (it defaults to kDefaultTokenExpirationSeconds).
inline constexpr int64_t kMinTokenExpirationSeconds = 600;
// Kubelet's limits: a token is replaced after 80% of its lifetime, and at least once a day.
inline constexpr int kTokenRefreshPercent = 80;
inline constexpr std::chrono::hours kMaxTokenAge{24};

// A label on token Secrets (value "true"): the pod syncer watches exactly those.
inline constexpr const char* kTokenSecretLabel = "kubectl-vc.dev/pod-tokens";
// "kubectl-vc.dev/token-0-issued-at", "kubectl-vc.dev/token-0-expires-at": RFC 3339, UTC.
std::string TokenIssuedAtAnnotation(const std::string& key);
std::string TokenExpiresAtAnnotation(const std::string& key);

struct TokenLifetime {
  WallTime issued_at;
  WallTime expires_at;
};

// The TokenRequest kubelet would send for `projection` of `virtual_pod`: its expirationSeconds
// (at least kMinTokenExpirationSeconds), its audience (none: the API server's own), bound to the
// pod by name and uid so that the token dies with the pod.
nlohmann::json TokenRequestFor(const nlohmann::json& virtual_pod,
                               const TokenProjection& projection);

// The lifetime of the token in an answered TokenRequest: it expires at status.expirationTimestamp
// and was issued spec.expirationSeconds before (what the server granted, after any
// --service-account-max-token-expiration cap).
StatusOr<TokenLifetime> TokenLifetimeOf(const nlohmann::json& token_request);

// When the token must be replaced: issued_at + min(80% of its lifetime, 24h).
WallTime TokenRefreshTime(const TokenLifetime& lifetime);

// The annotations recording `lifetime` for `key`.
nlohmann::json TokenLifetimeAnnotations(const std::string& key, const TokenLifetime& lifetime);

// The lifetime the Secret records for `key`; nullopt when it records none, or nonsense.
std::optional<TokenLifetime> RecordedTokenLifetime(const nlohmann::json& secret,
                                                   const std::string& key);

struct TokenRefreshPlan {
  std::vector<TokenProjection> refresh;  // request these now
  std::optional<WallTime> next;          // when the earliest of the others is due
};

// What to do about the tokens of `virtual_pod` given its Secret (null: there is none) at `now`.
// A token is (re)requested when the Secret lacks it, records no lifetime for it, holds tokens of
// an earlier pod of the same name (another uid), or its refresh time has come. A pod that has
// finished (Succeeded, Failed) mounts nothing any more: nothing is planned for it. Nor for a pod
// not bound to a node yet: the API server puts the node of a token's pod into the token (its
// user's authentication.kubernetes.io/node-name and node-uid) only if the pod is bound when the
// token is requested, as kubelet's always are; its host pod waits for the Secret meanwhile.
TokenRefreshPlan PlanTokenRefresh(const nlohmann::json& virtual_pod,
                                  const std::vector<TokenProjection>& tokens,
                                  const nlohmann::json& secret, WallTime now);

}  // namespace vc::syncer::translate
