// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/translate/pod_tokens.h"

#include <algorithm>

#include "vc/labels.h"
#include "vc/rfc3339.h"

namespace vc::syncer::translate {

using nlohmann::json;

std::string TokenIssuedAtAnnotation(const std::string& key) {
  return std::string(labels::kPrefix) + key + "-issued-at";
}

std::string TokenExpiresAtAnnotation(const std::string& key) {
  return std::string(labels::kPrefix) + key + "-expires-at";
}

json TokenRequestFor(const json& virtual_pod, const TokenProjection& projection) {
  const json& meta = ObjectAt(virtual_pod, "metadata");
  json spec = {
      {"expirationSeconds", std::max(projection.expiration_seconds, kMinTokenExpirationSeconds)},
      {"boundObjectRef",
       {{"apiVersion", "v1"},
        {"kind", "Pod"},
        {"name", meta.value("name", "")},
        {"uid", meta.value("uid", "")}}}};
  if (!projection.audience.empty()) spec["audiences"] = json::array({projection.audience});
  return {{"apiVersion", "authentication.k8s.io/v1"}, {"kind", "TokenRequest"}, {"spec", spec}};
}

StatusOr<TokenLifetime> TokenLifetimeOf(const json& token_request) {
  const json& status = ObjectAt(token_request, "status");
  const json& spec = ObjectAt(token_request, "spec");
  const auto expires = ParseRfc3339(status.value("expirationTimestamp", ""));
  if (!expires) {
    return Internal("token request answer: no readable status.expirationTimestamp (got \"" +
                    status.value("expirationTimestamp", "") + "\")");
  }
  const auto seconds = spec.find("expirationSeconds");
  if (seconds == spec.end() || !seconds->is_number_integer() || seconds->get<int64_t>() <= 0) {
    return Internal("token request answer: no spec.expirationSeconds");
  }
  return TokenLifetime{*expires - std::chrono::seconds(seconds->get<int64_t>()), *expires};
}

WallTime TokenRefreshTime(const TokenLifetime& lifetime) {
  const auto ttl = lifetime.expires_at - lifetime.issued_at;
  const auto refresh_after =
      std::min<WallTime::duration>(ttl * kTokenRefreshPercent / 100, kMaxTokenAge);
  return lifetime.issued_at + refresh_after;
}

json TokenLifetimeAnnotations(const std::string& key, const TokenLifetime& lifetime) {
  return {{TokenIssuedAtAnnotation(key), FormatRfc3339(lifetime.issued_at)},
          {TokenExpiresAtAnnotation(key), FormatRfc3339(lifetime.expires_at)}};
}

std::optional<TokenLifetime> RecordedTokenLifetime(const json& secret, const std::string& key) {
  const json& annotations = ObjectAt(ObjectAt(secret, "metadata"), "annotations");
  const auto issued = ParseRfc3339(annotations.value(TokenIssuedAtAnnotation(key), ""));
  const auto expires = ParseRfc3339(annotations.value(TokenExpiresAtAnnotation(key), ""));
  if (!issued || !expires || *expires <= *issued) return std::nullopt;
  return TokenLifetime{*issued, *expires};
}

TokenRefreshPlan PlanTokenRefresh(const json& virtual_pod,
                                  const std::vector<TokenProjection>& tokens, const json& secret,
                                  WallTime now) {
  TokenRefreshPlan plan;
  const std::string phase = ObjectAt(virtual_pod, "status").value("phase", "");
  if (phase == "Succeeded" || phase == "Failed") return plan;
  if (ObjectAt(virtual_pod, "spec").value("nodeName", "").empty()) return plan;
  const std::string uid = ObjectAt(virtual_pod, "metadata").value("uid", "");
  const bool same_pod =
      secret.is_object() &&
      ObjectAt(ObjectAt(secret, "metadata"), "annotations").value(labels::kVirtualUid, "") == uid;
  const json& data = ObjectAt(secret, "data");
  for (const auto& t : tokens) {
    const auto lifetime =
        same_pod && data.contains(t.key) ? RecordedTokenLifetime(secret, t.key) : std::nullopt;
    const WallTime due = lifetime ? TokenRefreshTime(*lifetime) : now;
    if (due <= now) {
      plan.refresh.push_back(t);
    } else if (!plan.next || due < *plan.next) {
      plan.next = due;
    }
  }
  return plan;
}

}  // namespace vc::syncer::translate
