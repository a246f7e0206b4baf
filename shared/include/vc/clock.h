// SPDX-License-Identifier: Apache-2.0
// Clock: time and sleeping behind an interface, so retry backoff, informer resync and
// anything else that waits can be tested without waiting (see tests/support/fake_clock.h).
#pragma once

#include <chrono>
#include <memory>

#include "vc/cancel_token.h"

namespace vc {

class Clock {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  virtual ~Clock() = default;
  virtual TimePoint Now() = 0;
  // Sleeps for `d` or until `cancel` (may be null) fires; false when cancelled.
  virtual bool SleepFor(std::chrono::nanoseconds d, const CancelToken* cancel) = 0;

  // The process-wide steady clock.
  static std::shared_ptr<Clock> Real();
};

}  // namespace vc
