// SPDX-License-Identifier: Apache-2.0
#include "vc/cli/connect/forwarder.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace vc::cli::connect {
namespace {

// Closes every descriptor from 3 up, in a forked child (async-signal-safe calls only).
void CloseInheritedDescriptors() {
#ifdef SYS_close_range
  if (::syscall(SYS_close_range, 3U, ~0U, 0U) == 0) {
    return;
  }
#endif
  long max = ::sysconf(_SC_OPEN_MAX);
  if (max < 0 || max > 65536) {
    max = 65536;
  }
  for (int fd = 3; fd < max; ++fd) {
    ::close(fd);
  }
}

// The supervisor's state, touched by its signal handler: only sig_atomic_t-sized values.
volatile sig_atomic_t g_stop = 0;
volatile sig_atomic_t g_child = 0;

void OnStopSignal(int) {
  g_stop = 1;
  if (g_child > 0) ::kill(g_child, SIGTERM);
}

double MonotonicSeconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// The recorded forwarder process: runs kubectl port-forward and starts it again when it quits
// after having served (kubectl ends the whole forward when one connection fails, e.g. an
// attach the server closed); a run shorter than kMinRun (cannot listen, no such pod, refused
// credentials) ends the supervisor with kubectl's status, so connect sees the exit and the log
// says why. SIGTERM/SIGINT/SIGHUP stop kubectl, then the supervisor. Runs in a forked child of
// a process that may have threads: async-signal-safe calls only, forever.
[[noreturn]] void Supervise(char* const* argv, char* const* envp, int log) {
  constexpr double kMinRun = 2.0;
  struct sigaction stop {};
  stop.sa_handler = OnStopSignal;
  sigemptyset(&stop.sa_mask);
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) ::sigaction(sig, &stop, nullptr);
  ::signal(SIGPIPE, SIG_DFL);
  sigset_t stops, none;
  sigemptyset(&stops);
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&stops, sig);
  sigemptyset(&none);
  const int devnull = ::open("/dev/null", O_RDONLY);
  ::dup2(devnull, 0);
  ::dup2(log, 1);
  ::dup2(log, 2);
  CloseInheritedDescriptors();
  long backoff_ms = 500;
  while (!g_stop) {
    // Stop signals wait until the child's pid is recorded, so the handler never misses it.
    ::sigprocmask(SIG_BLOCK, &stops, nullptr);
    const double started = MonotonicSeconds();
    const pid_t child = ::fork();
    if (child == 0) {
      for (int sig : {SIGTERM, SIGINT, SIGHUP}) ::signal(sig, SIG_DFL);
      ::sigprocmask(SIG_SETMASK, &none, nullptr);
      ::execve(argv[0], argv, envp);
      const char msg[] = "kubectl-vc: exec of the port-forward command failed\n";
      (void)!::write(2, msg, sizeof(msg) - 1);
      ::_exit(127);
    }
    g_child = child > 0 ? child : 0;
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    if (child < 0) ::_exit(1);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    g_child = 0;
    if (g_stop) break;
    if (MonotonicSeconds() - started < kMinRun) {
      ::_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
    }
    const char msg[] = "kubectl-vc: port-forward quit after serving; starting it again\n";
    (void)!::write(2, msg, sizeof(msg) - 1);
    timespec pause{backoff_ms / 1000, (backoff_ms % 1000) * 1000000};
    while (!g_stop && ::nanosleep(&pause, &pause) != 0 && errno == EINTR) {
    }
    backoff_ms = backoff_ms >= 8000 ? 16000 : backoff_ms * 2;
  }
  ::_exit(0);
}

}  // namespace

std::optional<long long> ProcessStartTicks(int pid, const std::string& proc_root) {
  if (pid <= 0) {
    return std::nullopt;
  }
  std::ifstream in(proc_root + "/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!in || !std::getline(in, stat)) {
    return std::nullopt;
  }
  // "PID (COMM) STATE PPID ...": COMM may hold spaces and parentheses, so fields are counted
  // from the last ')'. STATE is field 3, starttime field 22.
  const auto close = stat.rfind(')');
  if (close == std::string::npos) {
    return std::nullopt;
  }
  std::istringstream fields(stat.substr(close + 1));
  std::string field;
  std::string state;
  for (int i = 3; i <= 22; ++i) {
    if (!(fields >> field)) {
      return std::nullopt;
    }
    if (i == 3) {
      state = field;
    }
  }
  if (state == "Z" || state == "X") {
    return std::nullopt;
  }
  try {
    return std::stoll(field);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

bool ProcessAlive(int pid, long long start_ticks, const std::string& proc_root) {
  const auto ticks = ProcessStartTicks(pid, proc_root);
  return ticks.has_value() && *ticks == start_ticks;
}

StatusOr<int> FreeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return Internal(std::string("choose a local port: socket: ") + std::strerror(errno));
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  const int saved = errno;
  ::close(fd);
  if (port == 0) {
    return Internal(std::string("choose a local port: ") + std::strerror(saved) +
                    " (pass --local-port)");
  }
  return port;
}

StatusOr<std::string> FindExecutable(const std::string& command, const kube::Environment& env) {
  if (command.empty()) {
    return InvalidArgument("no kubectl command given");
  }
  if (command.find('/') != std::string::npos) {
    if (::access(command.c_str(), X_OK) == 0) {
      return command;
    }
    return NotFound(command + " is not an executable file (set KUBECTL_PATH to kubectl)");
  }
  auto it = env.find("PATH");
  const std::string path = it == env.end() ? "/usr/local/bin:/usr/bin:/bin" : it->second;
  std::istringstream dirs(path);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + command;
    if (::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  return NotFound(command + " not found in PATH (set KUBECTL_PATH to kubectl)");
}

std::vector<std::string> ForwarderArgv(const ForwarderSpec& spec, const std::string& kubectl) {
  std::vector<std::string> argv = {kubectl};
  if (!spec.kubeconfig.empty()) {
    argv.push_back("--kubeconfig=" + spec.kubeconfig);
  }
  if (!spec.context.empty()) {
    argv.push_back("--context=" + spec.context);
  }
  argv.insert(argv.end(), {"-n", spec.namespace_, "port-forward", "pod/" + spec.pod,
                           std::to_string(spec.local_port) + ":" + std::to_string(spec.remote_port),
                           "--address", "127.0.0.1"});
  return argv;
}

StatusOr<ForwarderProcess> StartForwarder(const ForwarderSpec& spec) {
  ASSIGN_OR_RETURN(const std::string kubectl, FindExecutable(spec.kubectl, spec.env));
  const std::vector<std::string> argv = ForwarderArgv(spec, kubectl);
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : spec.env) {
    env_strings.push_back(k);
    env_strings.back().append("=").append(v);
  }
  // Everything the child needs is prepared before fork: after it only async-signal-safe calls.
  std::vector<char*> c_argv, c_env;
  for (const auto& a : argv) {
    c_argv.push_back(const_cast<char*>(a.c_str()));
  }
  c_argv.push_back(nullptr);
  for (const auto& e : env_strings) {
    c_env.push_back(const_cast<char*>(e.c_str()));
  }
  c_env.push_back(nullptr);

  const int log = ::open(spec.log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (log < 0) {
    return Internal("open forwarder log " + spec.log_file + ": " + std::strerror(errno));
  }
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    ::close(log);
    return Internal(std::string("start port-forward: pipe: ") + std::strerror(errno));
  }
  // Double fork: the forwarder is reparented to init at once, so it is never our zombie and
  // nothing ties it to this process; the middle child reports its pid through the pipe.
  const pid_t middle = ::fork();
  if (middle < 0) {
    const int saved = errno;
    ::close(log);
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    return Internal(std::string("start port-forward: fork: ") + std::strerror(saved));
  }
  if (middle == 0) {
    ::setsid();  // no controlling terminal: Ctrl-C in the user's shell does not reach it
    const pid_t forwarder = ::fork();
    if (forwarder != 0) {
      const int32_t pid = forwarder;
      (void)!::write(pipe_fds[1], &pid, sizeof(pid));
      ::_exit(forwarder < 0 ? 1 : 0);
    }
    Supervise(c_argv.data(), c_env.data(), log);
  }
  ::close(log);
  ::close(pipe_fds[1]);
  int32_t pid = 0;
  ssize_t n;
  do {
    n = ::read(pipe_fds[0], &pid, sizeof(pid));
  } while (n < 0 && errno == EINTR);
  ::close(pipe_fds[0]);
  int status = 0;
  while (::waitpid(middle, &status, 0) < 0 && errno == EINTR) {
  }
  if (n != sizeof(pid) || pid <= 0) {
    return Internal("start port-forward: could not fork the forwarder");
  }
  const auto ticks = ProcessStartTicks(pid);
  if (!ticks) {
    return Unavailable("port-forward exited at once:\n" + LogTail(spec.log_file));
  }
  return ForwarderProcess{pid, *ticks};
}

Status StopForwarder(const ForwarderProcess& process, std::chrono::milliseconds grace) {
  if (!ProcessAlive(process.pid, process.start_ticks)) {
    return Status::Ok();
  }
  if (::kill(process.pid, SIGTERM) != 0 && errno != ESRCH) {
    return Internal("stop port-forward (pid " + std::to_string(process.pid) +
                    "): " + std::strerror(errno));
  }
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!ProcessAlive(process.pid, process.start_ticks)) {
      return Status::Ok();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  // Still the same process (checked just above): it ignored SIGTERM. Its session's group
  // (the supervisor and the kubectl it runs) goes with it.
  if (ProcessAlive(process.pid, process.start_ticks)) {
    const pid_t group = ::getpgid(process.pid);
    if (group > 1 && group != ::getpgrp()) ::kill(-group, SIGKILL);
    ::kill(process.pid, SIGKILL);
  }
  const auto kill_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (std::chrono::steady_clock::now() < kill_deadline) {
    if (!ProcessAlive(process.pid, process.start_ticks)) {
      return Status::Ok();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return Internal("stop port-forward (pid " + std::to_string(process.pid) +
                  "): still running after SIGKILL");
}

std::string LogTail(const std::string& path, size_t bytes) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  const std::string all = out.str();
  return all.size() > bytes ? all.substr(all.size() - bytes) : all;
}

}  // namespace vc::cli::connect
