// SPDX-License-Identifier: Apache-2.0
#include "vc/cancel_token.h"

namespace vc {

void CancelToken::Cancel() {
  {
    // The store happens under the mutex so a waiter cannot check the flag, miss the store
    // and then sleep through the notification.
    std::lock_guard<std::mutex> lock(mu_);
    cancelled_.store(true, std::memory_order_release);
  }
  cv_.notify_all();
}

bool CancelToken::WaitFor(std::chrono::nanoseconds d) const {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, d, [this] { return cancelled(); });
}

}  // namespace vc
