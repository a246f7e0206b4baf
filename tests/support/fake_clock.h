// SPDX-License-Identifier: Apache-2.0
// FakeClock: a Clock for tests. Two modes, because tests need both:
//  - auto-advance (default): SleepFor returns at once and moves time forward, so a retry loop
//    runs to completion in one thread while the test reads the sleeps it asked for;
//  - manual: SleepFor blocks until the test calls Advance() past its deadline (or the cancel
//    token fires), so a background thread (informer resync) moves only when the test says.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "vc/clock.h"

namespace vc {

class FakeClock : public Clock {
 public:
  explicit FakeClock(bool auto_advance = true) : auto_advance_(auto_advance) {}

  TimePoint Now() override {
    std::lock_guard<std::mutex> lock(mu_);
    return now_;
  }

  bool SleepFor(std::chrono::nanoseconds d, const CancelToken* cancel) override {
    std::unique_lock<std::mutex> lock(mu_);
    sleeps_.push_back(d);
    if (auto_advance_) {
      now_ += d;
      return cancel == nullptr || !cancel->cancelled();
    }
    ++sleepers_;
    const TimePoint deadline = now_ + d;
    // Polls the token because it has its own condition variable; 5ms keeps Stop() prompt.
    while (now_ < deadline && (cancel == nullptr || !cancel->cancelled())) {
      cv_.wait_for(lock, std::chrono::milliseconds(5));
    }
    --sleepers_;
    return cancel == nullptr || !cancel->cancelled();
  }

  void Advance(std::chrono::nanoseconds d) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      now_ += d;
    }
    cv_.notify_all();
  }

  // How many threads are blocked in SleepFor (manual mode): lets a test wait until a
  // background loop has reached its sleep before advancing time.
  int sleepers() {
    std::lock_guard<std::mutex> lock(mu_);
    return sleepers_;
  }

  std::vector<std::chrono::nanoseconds> sleeps() {
    std::lock_guard<std::mutex> lock(mu_);
    return sleeps_;
  }

 private:
  const bool auto_advance_;
  std::mutex mu_;
  std::condition_variable cv_;
  TimePoint now_{std::chrono::hours(1)};
  std::vector<std::chrono::nanoseconds> sleeps_;
  int sleepers_ = 0;
};

}  // namespace vc
