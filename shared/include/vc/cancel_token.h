// SPDX-License-Identifier: Apache-2.0
// CancelToken: a one-shot stop signal shared between the thread that wants work to end
// (Informer::Stop, a signal handler's watcher) and the thread doing it (a watch stream, a
// backoff sleep). Waiting on it is how long sleeps stay interruptible.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace vc {

class CancelToken {
 public:
  CancelToken() = default;
  CancelToken(const CancelToken&) = delete;
  CancelToken& operator=(const CancelToken&) = delete;

  void Cancel();
  bool cancelled() const { return cancelled_.load(std::memory_order_acquire); }

  // Blocks up to `d`; true when cancelled (before or during the wait).
  bool WaitFor(std::chrono::nanoseconds d) const;

 private:
  std::atomic<bool> cancelled_{false};
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
};

}  // namespace vc
