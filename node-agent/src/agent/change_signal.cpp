// SPDX-License-Identifier: Apache-2.0
#include "vc/agent/agent/change_signal.h"

#include <algorithm>

namespace vc::agent {

void ChangeSignal::Notify() {
  std::lock_guard<std::mutex> lock(mu_);
  dirty_ = true;
  cv_.notify_all();
}

bool ChangeSignal::Wait(std::chrono::milliseconds timeout, const CancelToken& stop) {
  std::unique_lock<std::mutex> lock(mu_);
  // Bounded slices so a Cancel (which does not notify this cv) is seen quickly.
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (!dirty_ && !stop.cancelled() && std::chrono::steady_clock::now() < end) {
    cv_.wait_for(lock, std::min<std::chrono::steady_clock::duration>(
                           std::chrono::milliseconds(100), end - std::chrono::steady_clock::now()));
  }
  const bool was = dirty_;
  dirty_ = false;
  return was;
}

}  // namespace vc::agent
