// SPDX-License-Identifier: Apache-2.0
// ChangeSignal: wakes the reconcile loop (reconcile_loop.h). The informers' handlers
// (agent_informers.h) call Notify on every change; the loop waits for one.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "vc/cancel_token.h"

namespace vc::agent {

class ChangeSignal {
 public:
  void Notify();
  // Waits until notified, `timeout` passed or `stop` fired; true when notified. Clears the
  // notification.
  bool Wait(std::chrono::milliseconds timeout, const CancelToken& stop);

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool dirty_ = false;
};

}  // namespace vc::agent
