// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/run/termination_signals.h"

#include <signal.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "vc/log.h"

namespace vc::syncer::run {
namespace {

sigset_t TerminationSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

}  // namespace

Status TerminationSignals::BlockInThisProcess() {
  const sigset_t set = TerminationSet();
  if (const int err = pthread_sigmask(SIG_BLOCK, &set, nullptr); err != 0) {
    return Internal("block termination signals: " + std::string(std::strerror(err)));
  }
  return Status::Ok();
}

TerminationSignals::TerminationSignals(CancelToken* token) {
  thread_ = std::thread([this, token] {
    const sigset_t set = TerminationSet();
    // A short timeout, so the destructor can end the thread without sending a signal.
    const timespec tick{0, 200 * 1000 * 1000};
    while (!done_.load()) {
      const int sig = sigtimedwait(&set, nullptr, &tick);
      if (sig < 0) continue;  // EAGAIN (tick) or EINTR
      received_.store(sig);
      VC_LOG(Info) << "received " << (sig == SIGTERM ? "SIGTERM" : "SIGINT") << ", stopping";
      token->Cancel();
      return;
    }
  });
}

TerminationSignals::~TerminationSignals() {
  done_.store(true);
  if (thread_.joinable()) thread_.join();
}

}  // namespace vc::syncer::run
