// SPDX-License-Identifier: Apache-2.0
// A forked child for cgroup tests. It is created parked (blocked on a pipe) so the test can
// move it into a cgroup before it does anything that should be charged there, then released
// with Start(). The destructor SIGKILLs and reaps it, so a failing assertion leaks nothing.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
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

// Bodies for TestChild that the cgroup tests share.

// Touches `bytes` of fresh anonymous memory, page by page; 0 when it got them all (it was
// never stopped), 3 when mmap failed.
int TouchMemory(int64_t bytes);

// Touches `bytes`, reports the amount (one int64_t), then waits to be killed: memory held in
// its cgroup.
int HoldMemory(int64_t bytes, int report_fd);

struct ForkReport {
  static constexpr int kMaxForks = 128;
  int forks = 0;  // children forked (each waits, and dies with the forker)
  int error = 0;  // errno of the refused fork; 0 when all `max_forks` succeeded
  pid_t pids[kMaxForks] = {};
};

// Forks children that wait, until fork fails or `max_forks` (<= kMaxForks) succeeded; reports
// a ForkReport, then waits too. The children die with it (PR_SET_PDEATHSIG); a test that is
// their subreaper (PR_SET_CHILD_SUBREAPER) collects them with ReapForked() once the forker
// itself was killed and reaped (a test that is not gets ECHILD at once).
int ForkUntilRefused(int max_forks, int report_fd);
void ReapForked(const ForkReport& report);

}  // namespace vc::agent::testing
