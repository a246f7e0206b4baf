// SPDX-License-Identifier: Apache-2.0
// RateLimitedTransport: client-go's QPS/burst token bucket in front of an HttpTransport, so
// one busy tenant cannot flood the host API server (a thousand pods created at once become a
// steady stream). Watches (Stream) are long-lived and not limited. --host-qps/--host-burst.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>

#include "vc/clock.h"
#include "vc/kube/http.h"

namespace vc::syncer {

class RateLimitedTransport : public kube::HttpTransport {
 public:
  // qps <= 0: no limit.
  RateLimitedTransport(std::shared_ptr<kube::HttpTransport> inner, double qps, int burst,
                       std::shared_ptr<Clock> clock = Clock::Real());

  StatusOr<kube::HttpResponse> Do(const kube::HttpRequest& request) override;
  StatusOr<kube::HttpResponse> Stream(const kube::HttpRequest& request,
                                      const kube::ChunkHandler& on_chunk,
                                      const CancelToken* cancel) override;

  // How long the caller must wait for a token taken now (zero when one was available).
  std::chrono::nanoseconds Reserve();

 private:
  std::shared_ptr<kube::HttpTransport> inner_;
  const double qps_;
  const double burst_;
  std::shared_ptr<Clock> clock_;
  std::mutex mu_;
  double tokens_;
  Clock::TimePoint last_;
};

}  // namespace vc::syncer
