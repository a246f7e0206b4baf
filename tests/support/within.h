// SPDX-License-Identifier: Apache-2.0
// Within: polls `done` (yielding between tries) until it holds or `timeout` passes: for unit
// tests of real threads, a deadline instead of a sleep. Integration tests poll the API with
// Eventually (integration/support/cluster.h).
#pragma once

#include <chrono>
#include <thread>

namespace vc::testing {

template <typename F>
bool Within(F done, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::yield();
  }
  return done();
}

}  // namespace vc::testing
