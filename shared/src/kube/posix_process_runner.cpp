// SPDX-License-Identifier: Apache-2.0
// ProcessRunner over posix_spawn. The child gets its own process group so a timeout kills a
// shell plugin's children too (otherwise they would keep our pipes open).
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>

#include "vc/kube/process_runner.h"
#include "vc/read_file.h"

namespace vc::kube {
namespace {

constexpr size_t kMaxOutput = 16 << 20;

std::string FindInPath(const std::string& name, const std::vector<std::string>& env) {
  std::string path;
  bool found = false;
  for (const auto& kv : env) {
    if (kv.rfind("PATH=", 0) == 0) {
      path = kv.substr(5);
      found = true;
    }
  }
  if (!found) {
    const char* p = std::getenv("PATH");
    path = p != nullptr ? p : "/usr/local/bin:/usr/bin:/bin";
  }
  size_t start = 0;
  for (;;) {
    size_t end = path.find(':', start);
    std::string dir = path.substr(start, end == std::string::npos ? end : end - start);
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + name;
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
    if (end == std::string::npos) return "";
    start = end + 1;
  }
}

class Fd {
 public:
  Fd() = default;
  ~Fd() { Close(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int* out() { return &fd_; }
  int get() const { return fd_; }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

class PosixProcessRunner : public ProcessRunner {
 public:
  StatusOr<ProcessResult> Run(const ProcessSpec& spec) override {
    std::string path = spec.command;
    if (path.find('/') == std::string::npos) {
      path = FindInPath(spec.command, spec.env);
      if (path.empty()) return NotFound("executable " + spec.command + " not found in PATH");
    } else if (::access(path.c_str(), X_OK) != 0) {
      return NotFound(path + ": " + ErrnoText(errno));
    }

    int out_pipe[2];
    int err_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
      return Internal("pipe: " + ErrnoText(errno));
    }
    Fd out_read, out_write, err_read, err_write;
    *out_read.out() = out_pipe[0];
    *out_write.out() = out_pipe[1];
    if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
      return Internal("pipe: " + ErrnoText(errno));
    }
    *err_read.out() = err_pipe[0];
    *err_write.out() = err_pipe[1];

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out_write.get(), 1);
    posix_spawn_file_actions_adddup2(&actions, err_write.get(), 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none;
    sigemptyset(&none);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(
        &attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(spec.command.c_str()));
    for (const auto& a : spec.args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (const auto& e : spec.env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);

    pid_t pid = -1;
    int rc = ::posix_spawn(&pid, path.c_str(), &actions, &attr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
      std::string message = path + ": " + ErrnoText(rc);
      if (rc == ENOENT || rc == EACCES || rc == ENOEXEC) return NotFound(message);
      return Internal("spawn " + message);
    }
    out_write.Close();
    err_write.Close();

    ProcessResult result;
    Collect(spec.timeout, pid, &out_read, &err_read, &result);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) result.exit_code = 128 + WTERMSIG(status);
    return result;
  }

 private:
  // Reads both pipes until they close or the deadline passes (then kills the process group).
  static void Collect(std::chrono::milliseconds timeout, pid_t pid, Fd* out, Fd* err,
                      ProcessResult* result) {
    using Steady = std::chrono::steady_clock;
    auto deadline = Steady::now() + timeout;
    while (out->get() >= 0 || err->get() >= 0) {
      pollfd fds[2] = {{out->get(), POLLIN, 0}, {err->get(), POLLIN, 0}};
      int wait_ms = -1;
      if (timeout.count() > 0) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now());
        if (left.count() <= 0) {
          ::kill(-pid, SIGKILL);
          result->timed_out = true;
          return;
        }
        wait_ms = static_cast<int>(left.count());
      }
      int n = ::poll(fds, 2, wait_ms);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return;
      Drain(fds[0], out, &result->stdout_data);
      Drain(fds[1], err, &result->stderr_data);
    }
  }

  static void Drain(const pollfd& p, Fd* fd, std::string* into) {
    if (p.fd < 0 || (p.revents & (POLLIN | POLLHUP | POLLERR)) == 0) return;
    char buf[8192];
    ssize_t n = ::read(fd->get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) return;
    if (n <= 0) {
      fd->Close();
      return;
    }
    if (into->size() < kMaxOutput) into->append(buf, static_cast<size_t>(n));
  }
};

}  // namespace

std::shared_ptr<ProcessRunner> NewPosixProcessRunner() {
  return std::make_shared<PosixProcessRunner>();
}

}  // namespace vc::kube
