// SPDX-License-Identifier: Apache-2.0
#include "privileged/cgroup/test_child.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <thread>

namespace vc::agent::testing {

TestChild::TestChild(std::function<int(int report_fd)> body) {
  int go[2];
  int report[2];
  if (::pipe2(go, O_CLOEXEC) != 0) return;
  if (::pipe2(report, O_CLOEXEC) != 0) {
    ::close(go[0]);
    ::close(go[1]);
    return;
  }
  pid_ = ::fork();
  if (pid_ == 0) {
    ::close(go[1]);
    ::close(report[0]);
    char byte = 0;
    // Parked until the parent has moved us into the cgroup under test.
    if (::read(go[0], &byte, 1) != 1) ::_exit(120);
    ::_exit(body(report[1]));
  }
  ::close(go[0]);
  ::close(report[1]);
  go_fd_ = go[1];
  report_fd_ = report[0];
}

TestChild::~TestChild() {
  Kill();
  if (go_fd_ >= 0) ::close(go_fd_);
  if (report_fd_ >= 0) ::close(report_fd_);
}

bool TestChild::Start() {
  char byte = 1;
  return go_fd_ >= 0 && ::write(go_fd_, &byte, 1) == 1;
}

bool TestChild::ReadReport(void* data, size_t size, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto* out = static_cast<char*>(data);
  size_t got = 0;
  while (got < size) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd fd{.fd = report_fd_, .events = POLLIN};
    if (::poll(&fd, 1, static_cast<int>(left.count())) <= 0) continue;
    ssize_t n = ::read(report_fd_, out + got, size - got);
    if (n <= 0) return false;
    got += static_cast<size_t>(n);
  }
  return true;
}

bool TestChild::WaitExit(std::chrono::milliseconds timeout, int* status) {
  if (pid_ <= 0 || reaped_) return false;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    pid_t done = ::waitpid(pid_, status, WNOHANG);
    if (done == pid_) {
      reaped_ = true;
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // polling with a deadline
  }
  return false;
}

void TestChild::Kill() {
  if (pid_ <= 0 || reaped_) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  reaped_ = true;
}

int TouchMemory(int64_t bytes) {
  const size_t chunk = 1 << 20;
  for (int64_t done = 0; done < bytes; done += chunk) {
    void* block =
        ::mmap(nullptr, chunk, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (block == MAP_FAILED) return 3;
    auto* page = static_cast<volatile char*>(block);
    for (size_t off = 0; off < chunk; off += 4096) page[off] = 1;
  }
  return 0;
}

int HoldMemory(int64_t bytes, int report_fd) {
  if (const int rc = TouchMemory(bytes); rc != 0) return rc;
  if (::write(report_fd, &bytes, sizeof(bytes)) != sizeof(bytes)) return 4;
  for (;;) ::pause();
}

int ForkUntilRefused(int max_forks, int report_fd) {
  ForkReport report;
  max_forks = std::min(max_forks, ForkReport::kMaxForks);
  const pid_t forker = ::getpid();
  while (report.forks < max_forks) {
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != forker) ::_exit(0);  // the forker died before the prctl
      for (;;) ::pause();
    }
    if (pid < 0) {
      report.error = errno;
      break;
    }
    report.pids[report.forks++] = pid;
  }
  if (::write(report_fd, &report, sizeof(report)) != sizeof(report)) return 4;
  for (;;) ::pause();
}

void ReapForked(const ForkReport& report) {
  // No kill(2) here: a pid we are not the parent of may already belong to someone else.
  // PR_SET_PDEATHSIG ends them once the forker is gone; we only collect them.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (int i = 0; i < std::min(report.forks, ForkReport::kMaxForks); ++i) {
    while (::waitpid(report.pids[i], nullptr, WNOHANG) == 0 &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));  // polling with a deadline
    }
  }
}

}  // namespace vc::agent::testing
