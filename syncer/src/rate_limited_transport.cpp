// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/rate_limited_transport.h"

#include <algorithm>

namespace vc::syncer {

RateLimitedTransport::RateLimitedTransport(std::shared_ptr<kube::HttpTransport> inner, double qps,
                                           int burst, std::shared_ptr<Clock> clock)
    : inner_(std::move(inner)),
      qps_(qps),
      burst_(std::max(1, burst)),
      clock_(std::move(clock)),
      tokens_(burst_),
      last_(clock_->Now()) {}

std::chrono::nanoseconds RateLimitedTransport::Reserve() {
  if (qps_ <= 0) return std::chrono::nanoseconds::zero();
  std::lock_guard lock(mu_);
  const auto now = clock_->Now();
  const double elapsed = std::chrono::duration<double>(now - last_).count();
  last_ = now;
  tokens_ = std::min(burst_, tokens_ + elapsed * qps_);
  tokens_ -= 1;  // may go negative: later callers queue behind this one
  if (tokens_ >= 0) return std::chrono::nanoseconds::zero();
  return std::chrono::nanoseconds(static_cast<int64_t>(-tokens_ / qps_ * 1e9));
}

StatusOr<kube::HttpResponse> RateLimitedTransport::Do(const kube::HttpRequest& request) {
  if (auto wait = Reserve(); wait > std::chrono::nanoseconds::zero()) {
    clock_->SleepFor(wait, nullptr);
  }
  return inner_->Do(request);
}

StatusOr<kube::HttpResponse> RateLimitedTransport::Stream(const kube::HttpRequest& request,
                                                          const kube::ChunkHandler& on_chunk,
                                                          const CancelToken* cancel) {
  return inner_->Stream(request, on_chunk, cancel);
}

}  // namespace vc::syncer
