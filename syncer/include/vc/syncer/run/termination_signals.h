// SPDX-License-Identifier: Apache-2.0
// SIGTERM (kubelet stopping the pod) and SIGINT (Ctrl-C) as a CancelToken, so every wait in
// the syncer ends the same way a test ends it. The signals are blocked in every thread
// (BlockInThisProcess() runs first thing in main, before any thread exists, so all threads
// inherit the mask) and one watcher thread takes them with sigtimedwait: no async-signal-safety
// traps, and no thread is interrupted mid-call.
#pragma once

#include <atomic>
#include <thread>

#include "vc/cancel_token.h"
#include "vc/status.h"

namespace vc::syncer::run {

class TerminationSignals {
 public:
  // Blocks SIGTERM and SIGINT in the calling thread (and the threads it creates later).
  static Status BlockInThisProcess();

  // Cancels `token` on the first SIGTERM/SIGINT. The token must outlive this object.
  explicit TerminationSignals(CancelToken* token);
  ~TerminationSignals();
  TerminationSignals(const TerminationSignals&) = delete;
  TerminationSignals& operator=(const TerminationSignals&) = delete;

  // The signal that arrived, or 0.
  int received() const { return received_.load(); }

 private:
  std::atomic<bool> done_{false};
  std::atomic<int> received_{0};
  std::thread thread_;
};

}  // namespace vc::syncer::run
