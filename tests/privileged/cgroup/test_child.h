// SPDX-License-Identifier: Apache-2.0
// A forked child for cgroup tests. It is created parked (blocked on a pipe) so the test can
// move it into a cgroup before it does anything that should be charged there, then released
// with Start(). The destructor SIGKILLs and reaps it, so a failing assertion leaks nothing.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <functional>

namespace vc::agent::testing {

class TestChild {
 public:
  // `body` runs in the child after Start(); its return value is the exit code. It may write
  // fixed-size reports to `report_fd` for ReadReport().
  explicit TestChild(std::function<int(int report_fd)> body);
  ~TestChild();
  TestChild(const TestChild&) = delete;
  TestChild& operator=(const TestChild&) = delete;

  pid_t pid() const { return pid_; }
  bool Start();

  // Reads exactly `size` bytes the child reported; false if none came before `timeout`.
  bool ReadReport(void* data, size_t size, std::chrono::milliseconds timeout);

  // Waits for the child to end; false if it still runs after `timeout`. `*status` as waitpid.
  bool WaitExit(std::chrono::milliseconds timeout, int* status);

  void Kill();

 private:
  pid_t pid_ = -1;
  int go_fd_ = -1;      // parent's end of the start pipe
  int report_fd_ = -1;  // parent's end of the report pipe
  bool reaped_ = false;
};

}  // namespace vc::agent::testing
