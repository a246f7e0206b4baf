// SPDX-License-Identifier: Apache-2.0
// When the client tries a failed request again, and after how long. Pure: the client feeds in
// the failure and a jitter draw, and sleeps through its Clock.
//
// The rules, as client-go's with_retry.go plus what it leaves to callers:
//  - 429: any verb (the server did not process it), after Retry-After when given;
//  - the request never reached the server (refused, DNS, TLS): any verb;
//  - 5xx, server timeouts, resets after sending: only idempotent calls (GET, PUT with a
//    resourceVersion, DELETE, apply); a POST may have happened, so it is not repeated.
#pragma once

#include <chrono>
#include <optional>

#include "vc/status.h"

namespace vc::kube {

struct RetryPolicy {
  int max_attempts = 5;  // including the first
  std::chrono::milliseconds initial_backoff{250};
  std::chrono::milliseconds max_backoff{8000};
  std::chrono::seconds max_retry_after{60};  // a larger Retry-After is clamped
};

// The one exponential backoff of the tree (the client's retries, informers, the syncer's work
// queue, connect's forwarder): `initial` after the first failure, doubled after each one more,
// never over `max`. `failures` counts from 1.
std::chrono::milliseconds ExponentialBackoff(std::chrono::milliseconds initial,
                                             std::chrono::milliseconds max, int failures);

// The wait before the next attempt, or nullopt to give up. `attempt` counts from 1 (the one
// that just failed); `jitter` in [0, 1) spreads clients out (the wait is scaled by 0.5..1).
std::optional<std::chrono::milliseconds> RetryDelay(const RetryPolicy& policy, int attempt,
                                                    const Status& failure, bool idempotent,
                                                    double jitter);

}  // namespace vc::kube
