// SPDX-License-Identifier: Apache-2.0
#include "vc/kube/retry_policy.h"

#include <algorithm>

#include "vc/kube/errors.h"
#include "vc/kube/http.h"

namespace vc::kube {

std::optional<std::chrono::milliseconds> RetryDelay(const RetryPolicy& policy, int attempt,
                                                    const Status& failure, bool idempotent,
                                                    double jitter) {
  if (failure.ok() || attempt >= policy.max_attempts) return std::nullopt;
  const bool from_server = ApiCode(failure) != 0;
  bool retry = false;
  switch (failure.code()) {
    case Code::kTooManyRequests:
      retry = true;
      break;
    case Code::kUnavailable:
      retry = idempotent || (!from_server && NeverSent(failure));
      break;
    case Code::kTimeout:
      retry = idempotent;
      break;
    default:
      break;
  }
  if (!retry) return std::nullopt;
  if (auto seconds = RetryAfterSeconds(failure); seconds && *seconds > 0) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
        std::min<std::chrono::seconds>(std::chrono::seconds(*seconds), policy.max_retry_after));
  }
  const auto backoff = ExponentialBackoff(policy.initial_backoff, policy.max_backoff, attempt);
  const double scale = 0.5 + 0.5 * std::clamp(jitter, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<int64_t>(backoff.count() * scale));
}

std::chrono::milliseconds ExponentialBackoff(std::chrono::milliseconds initial,
                                             std::chrono::milliseconds max, int failures) {
  auto backoff = initial;
  for (int i = 1; i < failures && backoff < max; ++i) backoff *= 2;
  return std::min(backoff, max);
}

}  // namespace vc::kube
