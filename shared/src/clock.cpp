// SPDX-License-Identifier: Apache-2.0
#include "vc/clock.h"

#include <thread>

namespace vc {
namespace {

class SteadyClock : public Clock {
 public:
  TimePoint Now() override { return std::chrono::steady_clock::now(); }

  bool SleepFor(std::chrono::nanoseconds d, const CancelToken* cancel) override {
    if (cancel == nullptr) {
      std::this_thread::sleep_for(d);
      return true;
    }
    return !cancel->WaitFor(d);
  }
};

}  // namespace

std::shared_ptr<Clock> Clock::Real() {
  static const std::shared_ptr<Clock> clock = std::make_shared<SteadyClock>();
  return clock;
}

}  // namespace vc
