// SPDX-License-Identifier: Apache-2.0
// Child processes for tests and benchmarks: upstream binaries (kine, kube-apiserver, ...) and our
// own (vc-syncer) started the way a pod's containers would be, on free loopback ports, with
// their output in a log file that a failing test prints.
//
//   TempDir tmp;
//   auto kine = ChildProcess::Start("kine", {bin + "/kine", "--listen-address", addr},
//                                   tmp.path() + "/kine.log");
//   ...                                   // ~ChildProcess stops it, also when the test fails
//
// Each child runs in its own process group, so Stop() also reaches anything it forked, and
// only ever signals that group: never a process found by name.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/loopback.h"
#include "support/temp_dir.h"
#include "vc/status.h"

extern char** environ;

namespace vc::testing {

// A loopback TCP port nothing listens on right now (the kernel's pick for port 0). Another
// process may take it before the child binds; tests that start several children take all
// their ports first, and the kernel does not hand the same ephemeral port out twice in a row.
inline int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  int port = -1;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

// One plain-HTTP/1.1 GET to 127.0.0.1:port: the whole response (status line, headers, body), or
// "" when nothing answered.
inline std::string LoopbackHttpResponse(int port, const std::string& path) {
  return LoopbackExchange(port, "GET " + path +
                                    " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                    "Connection: close\r\n\r\n");
}

// Its status code (health endpoints), or -1 when nothing answered.
inline int LoopbackHttpGet(int port, const std::string& path) {
  const std::string response = LoopbackHttpResponse(port, path);
  if (response.size() < 12 || response.rfind("HTTP/1.", 0) != 0) return -1;
  return std::atoi(response.substr(9, 3).c_str());
}

// Its body (/metrics), or "" when nothing answered.
inline std::string LoopbackHttpBody(int port, const std::string& path) {
  const std::string response = LoopbackHttpResponse(port, path);
  const size_t body = response.find("\r\n\r\n");
  return body == std::string::npos ? "" : response.substr(body + 4);
}

class ChildProcess {
 public:
  // Starts argv[0] (a path) with stdout and stderr appended to `log_path`, stdin from
  // /dev/null, the test's environment plus `env`.
  static StatusOr<std::unique_ptr<ChildProcess>> Start(
      const std::string& name, const std::vector<std::string>& argv, const std::string& log_path,
      const std::map<std::string, std::string>& env = {}) {
    if (argv.empty()) return InvalidArgument("start " + name + ": empty command");
    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e) {
      const std::string entry(*e);
      if (env.count(entry.substr(0, entry.find('='))) == 0) env_strings.push_back(entry);
    }
    for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
    std::vector<char*> c_argv, c_env;
    for (const auto& a : argv) c_argv.push_back(const_cast<char*>(a.c_str()));
    c_argv.push_back(nullptr);
    for (const auto& e : env_strings) c_env.push_back(const_cast<char*>(e.c_str()));
    c_env.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                     0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    posix_spawnattr_init(&attr);
    // Its own process group (pgid = its pid), and the default signal mask and dispositions,
    // whatever the test process blocked.
    sigset_t empty, all_default;
    sigemptyset(&empty);
    sigemptyset(&all_default);
    sigaddset(&all_default, SIGTERM);
    sigaddset(&all_default, SIGINT);
    sigaddset(&all_default, SIGPIPE);
    posix_spawnattr_setsigmask(&attr, &empty);
    posix_spawnattr_setsigdefault(&attr, &all_default);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(
        &attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t pid = -1;
    const int err = ::posix_spawn(&pid, c_argv[0], &actions, &attr, c_argv.data(), c_env.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (err != 0) {
      return Internal("start " + name + " (" + argv[0] + "): " + std::strerror(err));
    }
    return std::unique_ptr<ChildProcess>(new ChildProcess(name, pid, log_path));
  }

  ~ChildProcess() { Stop(); }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  const std::string& name() const { return name_; }
  pid_t pid() const { return pid_; }

  // False once it exited (and was reaped here).
  bool Running() {
    Reap(WNOHANG);
    return !exit_code_.has_value();
  }

  // Sends `sig` to the child's process group, unless it has already exited.
  void Signal(int sig) {
    if (Running()) ::kill(-pid_, sig);
  }

  // The exit code (128+N when killed by signal N) once it exits within `timeout`.
  std::optional<int> WaitForExit(std::chrono::milliseconds timeout) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (Running() && std::chrono::steady_clock::now() < end) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return exit_code_;
  }

  // SIGTERM, then SIGKILL after `grace`; returns the exit code. Idempotent.
  int Stop(std::chrono::milliseconds grace = std::chrono::seconds(10)) {
    if (!Running()) return *exit_code_;
    ::kill(-pid_, SIGTERM);
    if (WaitForExit(grace)) return *exit_code_;
    ::kill(-pid_, SIGKILL);
    Reap(0);
    return exit_code_.value_or(-1);
  }

  // True once its output holds `text` (a server's "listening" line), false when it exits or
  // `timeout` passes first.
  bool WaitForOutput(const std::string& text, std::chrono::milliseconds timeout) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      std::ifstream in(log_path_, std::ios::binary);
      const std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (all.find(text) != std::string::npos) return true;
      if (!Running() || std::chrono::steady_clock::now() >= end) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  // The last `bytes` of its output, for failure messages.
  std::string LogTail(size_t bytes = 6000) const {
    std::ifstream in(log_path_, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    const std::string all = out.str();
    return "--- " + name_ + " (" + log_path_ + ") ---\n" +
           (all.size() > bytes ? all.substr(all.size() - bytes) : all);
  }

 private:
  ChildProcess(std::string name, pid_t pid, std::string log_path)
      : name_(std::move(name)), pid_(pid), log_path_(std::move(log_path)) {}

  void Reap(int flags) {
    if (exit_code_) return;
    int status = 0;
    pid_t r;
    do {
      r = ::waitpid(pid_, &status, flags);
    } while (r < 0 && errno == EINTR);
    if (r == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    } else if (r < 0) {
      exit_code_ = -1;  // not our child any more: nothing left to signal
    }
  }

  std::string name_;
  pid_t pid_;
  std::string log_path_;
  std::optional<int> exit_code_;
};

// Runs a command to completion (with a deadline), output to `log_path`; its exit code, or
// -1 when it had to be killed.
inline int RunToCompletion(const std::vector<std::string>& argv, const std::string& log_path,
                           std::chrono::milliseconds timeout = std::chrono::seconds(60),
                           const std::map<std::string, std::string>& env = {}) {
  auto child = ChildProcess::Start(argv.empty() ? "" : argv[0], argv, log_path, env);
  if (!child.ok()) return -1;
  auto code = (*child)->WaitForExit(timeout);
  if (!code) {
    (*child)->Stop(std::chrono::seconds(1));
    return -1;
  }
  return *code;
}

}  // namespace vc::testing
