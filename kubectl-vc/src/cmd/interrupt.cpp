// SPDX-License-Identifier: Apache-2.0
#include "cmd/interrupt.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <thread>

namespace vc::cli::cmd {

namespace {

int g_pipe[2] = {-1, -1};
std::atomic<int> g_count{0};

void OnSignal(int) {
  if (g_count.fetch_add(1) >= 1) _exit(130);
  const char byte = 1;
  [[maybe_unused]] ssize_t n = ::write(g_pipe[1], &byte, 1);
}

}  // namespace

const CancelToken* InterruptToken() {
  static CancelToken* token = [] {
    auto* t = new CancelToken();  // lives as long as the process: the watcher thread uses it
    if (::pipe2(g_pipe, O_CLOEXEC) != 0) return t;
    std::thread([t] {
      char byte;
      while (::read(g_pipe[0], &byte, 1) < 0) {
      }
      t->Cancel();
    }).detach();
    struct sigaction sa {};
    sa.sa_handler = OnSignal;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
    return t;
  }();
  return token;
}

}  // namespace vc::cli::cmd
