// SPDX-License-Identifier: Apache-2.0
#include "privileged/cgroup/test_child.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

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

}  // namespace vc::agent::testing
