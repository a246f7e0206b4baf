// SPDX-License-Identifier: Apache-2.0
#include "vc/cli/connect/forwarder.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "vc/kube/retry_policy.h"

namespace vc::cli::connect {
namespace {

// Closes every descriptor from `from` up, in a forked child (async-signal-safe calls only).
void CloseInheritedDescriptors(int from) {
#ifdef SYS_close_range
  if (::syscall(SYS_close_range, static_cast<unsigned>(from), ~0U, 0U) == 0) {
    return;
  }
#endif
  long max = ::sysconf(_SC_OPEN_MAX);
  if (max < 0 || max > 65536) {
    max = 65536;
  }
  for (int fd = from; fd < max; ++fd) {
    ::close(fd);
  }
}

// The supervisor's state, touched by its signal handler: only sig_atomic_t-sized values.
volatile sig_atomic_t g_stop = 0;

void OnStopSignal(int) { g_stop = 1; }

double MonotonicSeconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// The relay between the user's port and kubectl's. kubectl port-forward ends the whole
// forward, every connection it carries, when one of them fails (an attach whose stream the
// apiserver closed while the client still wrote: "lost connection to pod"); and kubectl sends
// all its requests over one HTTP/2 connection, so one failed `kubectl run -i` would break the
// next commands too. So the supervisor owns the user's listening socket and gives each
// connection a kubectl port-forward of its own (started ahead as a spare, so a connection
// rarely waits for one): a failure ends only the connection that had it. A connection whose
// kubectl dies before answering anything is sent again through a new one, and one that arrives
// while no kubectl listens yet waits (up to kConnectWait) instead of being refused. Fixed-size
// state, no allocation: it runs in a forked child (see Supervise).
constexpr int kMaxConnections = 64;
constexpr size_t kBufferBytes = 16 * 1024;
constexpr double kConnectWait = 120.0;  // also a sleeping cluster waking (sleepMode)
constexpr double kMinRun = 2.0;

struct Direction {
  char buffer[kBufferBytes];
  size_t length = 0;  // bytes in buffer not written yet, from offset
  size_t offset = 0;
  bool eof = false;   // the source ended; after the buffer drains the sink is shut for writing
  bool shut = false;  // ... which it now is
  size_t moved = 0;   // bytes written to the sink so far
};

// A kubectl port-forward: its process and the loopback port it listens on.
struct Kubectl {
  pid_t pid = 0;
  int port = 0;
  double started = 0;
};

struct Relay {
  int client = -1;
  int upstream = -1;
  bool connecting = false;  // a non-blocking connect to kubectl is in progress
  double accepted = 0;
  double retry_at = 0;  // when to try kubectl's port again
  Kubectl kubectl;      // this connection's own
  Direction up;         // client -> upstream
  Direction down;       // upstream -> client
  // What went upstream before upstream answered anything: sent again through a new kubectl
  // when this one failed first.
  char sent[kBufferBytes];
  size_t sent_length = 0;
};

Relay g_relays[kMaxConnections];
Kubectl g_spare;

// When kubectl cannot reach the pod (it quit within kMinRun): the next spare waits a little
// longer each time (a paused cluster is not asked several times a second), and while a
// connection waits, the wake command runs (sleepMode: it resumes a sleeping cluster; the
// connection is held until the API server answers, or kConnectWait).
constexpr std::chrono::milliseconds kSpareBackoffMin{250};
constexpr std::chrono::milliseconds kSpareBackoffMax{5000};
constexpr double kSpareBackoffWaiting = 1.0;  // the most a waiting connection's next try waits
constexpr double kWakeEvery = 15.0;
int g_spare_failures = 0;  // spares in a row that failed early
double g_spare_next = 0;
char* const* g_wake_argv = nullptr;
pid_t g_wake_pid = 0;
double g_wake_next = 0;

void SetNonBlocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

void StopKubectl(Kubectl& k) {
  if (k.pid > 0) ::kill(k.pid, SIGTERM);  // reaped by the main loop's waitpid
  k = Kubectl{};
}

void CloseRelay(Relay& r) {
  if (r.client >= 0) ::close(r.client);
  if (r.upstream >= 0) ::close(r.upstream);
  StopKubectl(r.kubectl);
  r.client = r.upstream = -1;
  r.connecting = false;
  r.retry_at = 0;
  r.up.length = r.up.offset = r.down.length = r.down.offset = 0;
  r.up.eof = r.down.eof = r.up.shut = r.down.shut = false;
  r.up.moved = r.down.moved = r.sent_length = 0;
}

// A loopback port nothing listens on now (async-signal-safe); 0 when none could be had.
int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

// Forks a child of the supervisor that runs argv (stdout and stderr: the log) without the
// supervisor's sockets or signal handlers; its pid, or -1.
pid_t Spawn(char* const* argv, char* const* envp, int listener) {
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) ::signal(sig, SIG_DFL);
  ::signal(SIGPIPE, SIG_DFL);
  ::close(listener);
  for (Relay& r : g_relays) {
    if (r.client >= 0) ::close(r.client);
    if (r.upstream >= 0) ::close(r.upstream);
  }
  ::execve(argv[0], argv, envp);
  const char msg[] = "kubectl-vc: exec of a forwarder child failed: ";
  (void)!::write(2, msg, sizeof(msg) - 1);
  (void)!::write(2, argv[0], ::strlen(argv[0]));
  (void)!::write(2, "\n", 1);
  ::_exit(127);
}

// Appends the decimal digits of `v` (>= 0) at arg[*at].
void AppendNumber(char* arg, int* at, int v) {
  char digits[12];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v > 0 && n < 12);
  while (n > 0) arg[(*at)++] = digits[--n];
}

// Writes "PORT:REMOTE" into `arg` (kubectl's port argument; room for 32 bytes).
void FormatPortArg(char* arg, int port, int remote) {
  int at = 0;
  AppendNumber(arg, &at, port);
  arg[at++] = ':';
  AppendNumber(arg, &at, remote);
  arg[at] = '\0';
}

Kubectl StartKubectl(char* const* argv, char* const* envp, char* port_arg, int remote_port,
                     int listener) {
  Kubectl k;
  k.port = FreePort();
  if (k.port == 0) return k;
  FormatPortArg(port_arg, k.port, remote_port);
  k.pid = Spawn(argv, envp, listener);
  if (k.pid < 0) k = Kubectl{};
  k.started = MonotonicSeconds();
  return k;
}

// Starts a non-blocking connect to the relay's kubectl.
void ConnectUpstream(Relay& r) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(r.kubectl.port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 ||
      errno == EINPROGRESS) {
    r.upstream = fd;
    r.connecting = true;
    return;
  }
  ::close(fd);
}

// Upstream failed before it answered a byte: start over with a new kubectl, resending what the
// client had sent. False when that cannot be (the relay must end).
bool RewindUpstream(Relay& r) {
  if (r.down.moved > 0 || r.down.length > 0 || r.sent_length + r.up.length > kBufferBytes ||
      (r.up.eof && r.sent_length == 0 && r.up.length == 0) ||  // nothing to ask the next one
      MonotonicSeconds() - r.accepted > kConnectWait) {
    return false;
  }
  ::memmove(r.up.buffer + r.sent_length, r.up.buffer + r.up.offset, r.up.length);
  ::memcpy(r.up.buffer, r.sent, r.sent_length);
  r.up.length += r.sent_length;
  r.up.offset = 0;
  r.up.shut = false;
  r.up.moved = 0;
  r.sent_length = 0;
  r.down.eof = false;
  ::close(r.upstream);
  r.upstream = -1;
  r.connecting = false;
  StopKubectl(r.kubectl);
  return true;
}

// Moves what it can from `from` through `d` to `to`; false on an error of either socket.
// `keep`, when given, receives a copy of what is written (up to kBufferBytes, counted in *kept).
bool Pump(Direction& d, int from, int to, short from_events, short to_events, char* keep = nullptr,
          size_t* kept = nullptr) {
  if (d.length == 0 && !d.eof && (from_events & (POLLIN | POLLHUP | POLLERR))) {
    const ssize_t n = ::read(from, d.buffer, kBufferBytes);
    if (n > 0) {
      d.length = static_cast<size_t>(n);
      d.offset = 0;
    } else if (n == 0) {
      d.eof = true;
    } else if (errno != EAGAIN && errno != EINTR) {
      return false;
    }
  }
  if (d.length > 0 && (to_events & (POLLOUT | POLLERR | POLLHUP))) {
    const ssize_t n = ::send(to, d.buffer + d.offset, d.length, MSG_NOSIGNAL);
    if (n > 0) {
      if (keep != nullptr && *kept + static_cast<size_t>(n) <= kBufferBytes) {
        ::memcpy(keep + *kept, d.buffer + d.offset, static_cast<size_t>(n));
        *kept += static_cast<size_t>(n);
      }
      d.offset += static_cast<size_t>(n);
      d.length -= static_cast<size_t>(n);
      d.moved += static_cast<size_t>(n);
    } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
      return false;
    }
  }
  if (d.eof && d.length == 0 && !d.shut) {
    ::shutdown(to, SHUT_WR);
    d.shut = true;
  }
  return true;
}

// One relay's step after poll: finish its connect, or move bytes; ends or rewinds it.
void Step(Relay& r, short ce, short ue, bool* served) {
  if (r.connecting) {
    int error = 0;
    socklen_t len = sizeof(error);
    ::getsockopt(r.upstream, SOL_SOCKET, SO_ERROR, &error, &len);
    // A loopback connect to a port nobody listens on can meet itself (TCP simultaneous open,
    // when the kernel picks that very port as the source): not kubectl either.
    sockaddr_in self{};
    socklen_t self_len = sizeof(self);
    const bool self_connected =
        error == 0 &&
        ::getsockname(r.upstream, reinterpret_cast<sockaddr*>(&self), &self_len) == 0 &&
        ntohs(self.sin_port) == r.kubectl.port;
    if (error != 0 || self_connected) {  // kubectl is not listening (yet): try again later
      ::close(r.upstream);
      r.upstream = -1;
      r.connecting = false;
    } else if (ue & POLLOUT) {
      r.connecting = false;
      *served = true;  // the pod is there and kubectl forwards to it
    }
    return;
  }
  // The upstream ending closes the relay: the apiserver is done with this connection. Unless it
  // ended before answering anything: then its kubectl failed, and a new one gets the request.
  const bool answered = r.down.moved > 0 || r.down.length > 0;
  const bool up_ok =
      Pump(r.up, r.client, r.upstream, ce, ue, answered ? nullptr : r.sent, &r.sent_length);
  const bool down_ok = up_ok && Pump(r.down, r.upstream, r.client, ue, ce);
  if (!down_ok || (r.down.eof && r.down.length == 0)) {
    const bool upstream_failed = up_ok || (ue & (POLLERR | POLLHUP)) != 0;
    if (!(upstream_failed && RewindUpstream(r))) CloseRelay(r);
  }
}

// Runs the wake command (output to the log), at most every kWakeEvery.
void Wake(char* const* envp, int listener) {
  if (g_wake_argv == nullptr || g_wake_pid > 0 || MonotonicSeconds() < g_wake_next) return;
  g_wake_next = MonotonicSeconds() + kWakeEvery;
  g_wake_pid = Spawn(g_wake_argv, envp, listener);
  if (g_wake_pid < 0) g_wake_pid = 0;
}

// How the supervisor starts a kubectl: `argv` (whose `port_arg` it rewrites for each) in
// `envp`; every child closes `listener`, the user's port.
struct KubectlLaunch {
  char* const* argv;
  char* const* envp;
  char* port_arg;
  int remote_port;
  int listener;
};

// The supervisor's own process: stop signals set g_stop; stdin /dev/null, stdout and stderr
// the log, the listener (non-blocking) as descriptor 3 and no other descriptor. Returns 3.
int TakeOverDescriptors(int log, int listener) {
  struct sigaction stop {};
  stop.sa_handler = OnStopSignal;
  sigemptyset(&stop.sa_mask);
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) ::sigaction(sig, &stop, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  const int devnull = ::open("/dev/null", O_RDONLY);
  ::dup2(devnull, 0);
  ::dup2(log, 1);
  ::dup2(log, 2);
  ::dup2(listener, 3);
  listener = 3;
  CloseInheritedDescriptors(4);
  SetNonBlocking(listener);
  return listener;
}

// Reaps every kubectl that ended, and sees whose it was. One that quit within kMinRun before
// any kubectl ever `served` ends the supervisor with its status; one that quit early pushes the
// next spare back.
void ReapChildren(bool served) {
  int status = 0;
  pid_t gone;
  while ((gone = ::waitpid(-1, &status, WNOHANG)) > 0) {
    if (gone == g_wake_pid) {
      g_wake_pid = 0;
      continue;
    }
    const double at = MonotonicSeconds();
    const bool early = g_spare.pid == gone && at - g_spare.started < kMinRun;
    if (g_spare.pid == gone) g_spare = Kubectl{};
    if (early && !served) ::_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
    // A connection's own kubectl that quit early before it reached it failed the same way.
    bool failed = early;
    for (const Relay& r : g_relays) {
      failed =
          failed || (r.kubectl.pid == gone && r.upstream < 0 && at - r.kubectl.started < kMinRun);
    }
    if (failed) {
      const auto backoff =
          kube::ExponentialBackoff(kSpareBackoffMin, kSpareBackoffMax, ++g_spare_failures);
      g_spare_next = MonotonicSeconds() + static_cast<double>(backoff.count()) / 1000;
    }
    for (Relay& r : g_relays) {
      if (r.kubectl.pid != gone) continue;
      r.kubectl.pid = 0;
      if (r.upstream < 0) r.kubectl = Kubectl{};  // never reached: wait for another one
    }
  }
}

// Starts the spare kubectl when none runs and its backoff allows, sooner while a connection
// waits; and runs the wake command for a connection kubectl could not serve at once.
void KeepASpareReady(const KubectlLaunch& launch) {
  const double now = MonotonicSeconds();
  bool waiting = false, waiting_long = false;
  for (const Relay& r : g_relays) {
    if (r.client < 0 || r.upstream >= 0) continue;
    waiting = true;
    waiting_long = waiting_long || now - r.accepted > kMinRun;
  }
  // A kubectl that kept running reached the pod: no more waiting between spares.
  if (g_spare.pid > 0 && now - g_spare.started >= kMinRun) g_spare_failures = 0;
  // A connection kubectl could not serve at once (a kubectl that failed fast, or one slow to
  // fail: an exec credential plugin, a slow host): the pod may be asleep.
  if (waiting && (g_spare_failures > 0 || waiting_long)) Wake(launch.envp, launch.listener);
  if (waiting && g_spare_next > now + kSpareBackoffWaiting) {
    g_spare_next = now + kSpareBackoffWaiting;
  }
  if (g_spare.pid == 0 && now >= g_spare_next) {
    g_spare = StartKubectl(launch.argv, launch.envp, launch.port_arg, launch.remote_port,
                           launch.listener);
  }
}

// Connections without a kubectl take the spare; those waiting for theirs try again; those that
// waited kConnectWait end.
void ConnectWaitingRelays() {
  const double now = MonotonicSeconds();
  for (Relay& r : g_relays) {
    if (r.client < 0 || r.upstream >= 0) continue;
    if (now - r.accepted > kConnectWait) {
      CloseRelay(r);
      continue;
    }
    if (r.kubectl.pid == 0 && g_spare.pid > 0) {
      r.kubectl = g_spare;
      g_spare = Kubectl{};
      r.retry_at = 0;
    }
    if (r.kubectl.pid > 0 && now >= r.retry_at) {
      r.retry_at = now + 0.05;
      ConnectUpstream(r);
    }
  }
}

// The poll set: the listener (while a relay is free), then each relay's client and upstream
// with what they wait for. Returns its size.
int FillPollSet(int listener, pollfd* fds) {
  int n = 0;
  bool room = false;
  for (Relay& r : g_relays) room = room || r.client < 0;
  fds[n++] = {listener, static_cast<short>(room ? POLLIN : 0), 0};
  for (Relay& r : g_relays) {
    short client_events = 0, upstream_events = 0;
    if (r.client >= 0 && r.upstream >= 0) {
      if (r.connecting) {
        upstream_events = POLLOUT;
      } else {
        if (r.up.length == 0 && !r.up.eof) client_events |= POLLIN;
        if (r.down.length > 0) client_events |= POLLOUT;
        if (r.down.length == 0 && !r.down.eof) upstream_events |= POLLIN;
        if (r.up.length > 0) upstream_events |= POLLOUT;
      }
    }
    fds[n++] = {r.client, client_events, 0};
    fds[n++] = {r.upstream, upstream_events, 0};
  }
  return n;
}

// A new connection on the user's port takes a free relay.
void AcceptConnection(int listener) {
  const int c = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  for (Relay& r : g_relays) {
    if (c < 0 || r.client >= 0) continue;
    r.client = c;
    r.accepted = MonotonicSeconds();
    break;
  }
}

// Each relay's step after poll (FillPollSet's order).
void StepRelays(const pollfd* fds, bool* served) {
  for (int i = 0; i < kMaxConnections; ++i) {
    Relay& r = g_relays[i];
    const short ce = fds[1 + 2 * i].revents, ue = fds[2 + 2 * i].revents;
    // A waiting connection its client gave up: poll would report it at once, every time.
    if (r.client >= 0 && r.upstream < 0 && (ce & (POLLERR | POLLHUP | POLLNVAL))) {
      CloseRelay(r);
      continue;
    }
    if (r.client >= 0 && r.upstream >= 0 && (ce != 0 || ue != 0)) Step(r, ce, ue, served);
  }
}

// The recorded forwarder process: owns `listener` (the user's port) and relays each connection
// through a kubectl port-forward of its own (`argv`, whose `port_arg` it rewrites for each).
// A kubectl that quits within kMinRun before any kubectl ever forwarded (cannot listen, no
// such pod, refused credentials) ends the supervisor with kubectl's status, so connect sees
// the exit and the log says why. SIGTERM/SIGINT/SIGHUP stop every kubectl, then the
// supervisor. Runs in a forked child of a process that may have threads: async-signal-safe
// calls only, forever.
[[noreturn]] void Supervise(char* const* argv, char* const* envp, int log, int listener,
                            char* port_arg, int remote_port, char* const* wake_argv) {
  g_wake_argv = wake_argv;
  const KubectlLaunch launch{.argv = argv,
                             .envp = envp,
                             .port_arg = port_arg,
                             .remote_port = remote_port,
                             .listener = TakeOverDescriptors(log, listener)};
  bool served = false;
  pollfd fds[1 + 2 * kMaxConnections];
  while (!g_stop) {
    ReapChildren(served);
    KeepASpareReady(launch);
    ConnectWaitingRelays();
    const int n = FillPollSet(launch.listener, fds);
    if (::poll(fds, static_cast<nfds_t>(n), 50) < 0) continue;  // EINTR: a signal
    if (fds[0].revents & POLLIN) AcceptConnection(launch.listener);
    StepRelays(fds, &served);
  }
  for (Relay& r : g_relays) CloseRelay(r);
  StopKubectl(g_spare);
  while (::waitpid(-1, nullptr, 0) > 0) {
  }
  ::_exit(0);
}

// The forwarder's argv, environment and wake command as the arrays exec takes, built before
// fork: after it only async-signal-safe calls. The user's port argument is `port_arg`, which
// the supervisor rewrites for each kubectl it starts. Pointers into its own strings: not
// copied or moved.
class ForwarderExec {
 public:
  ForwarderExec(const ForwarderSpec& spec, const std::string& kubectl, char* port_arg)
      : argv_(ForwarderArgv(spec, kubectl)) {
    for (const auto& [k, v] : spec.env) {
      env_strings_.push_back(k);
      env_strings_.back().append("=").append(v);
    }
    for (const auto& a : argv_) {
      c_argv_.push_back(const_cast<char*>(a.c_str()));
    }
    c_argv_.push_back(nullptr);
    // The user's port is the supervisor's; each kubectl it starts listens on a port of its
    // own, written into this argument before each start.
    const std::string user_port_arg =
        std::to_string(spec.local_port) + ":" + std::to_string(spec.remote_port);
    for (auto& a : c_argv_) {
      if (a != nullptr && user_port_arg == a) a = port_arg;
    }
    for (const auto& e : env_strings_) {
      c_env_.push_back(const_cast<char*>(e.c_str()));
    }
    c_env_.push_back(nullptr);
    for (const auto& a : spec.wake) c_wake_.push_back(const_cast<char*>(a.c_str()));
    c_wake_.push_back(nullptr);
  }
  ForwarderExec(const ForwarderExec&) = delete;
  ForwarderExec& operator=(const ForwarderExec&) = delete;

  char* const* argv() const { return c_argv_.data(); }
  char* const* env() const { return c_env_.data(); }
  // Null when there is no wake command.
  char* const* wake() const { return c_wake_.size() > 1 ? c_wake_.data() : nullptr; }

 private:
  std::vector<std::string> argv_;
  std::vector<std::string> env_strings_;
  std::vector<char*> c_argv_, c_env_, c_wake_;
};

// What the supervisor is started with.
struct SupervisorStart {
  const ForwarderExec& exec;
  char* port_arg;
  int remote_port;
  int log;
  int listener;
};

// Double fork: the forwarder is reparented to init at once, so it is never our zombie and
// nothing ties it to this process; the middle child reports its pid through the pipe. Closes
// the log and the listener (the supervisor's now). The supervisor's pid.
StatusOr<pid_t> ForkSupervisor(const SupervisorStart& start) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    ::close(start.log);
    ::close(start.listener);
    return Internal(std::string("start port-forward: pipe: ") + std::strerror(errno));
  }
  const pid_t middle = ::fork();
  if (middle < 0) {
    const int saved = errno;
    ::close(start.log);
    ::close(start.listener);
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
    Supervise(start.exec.argv(), start.exec.env(), start.log, start.listener, start.port_arg,
              start.remote_port, start.exec.wake());
  }
  ::close(start.log);
  ::close(start.listener);
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
  return pid;
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
  const int port = FreePort();
  if (port == 0) {
    return Internal(std::string("choose a local port: ") + std::strerror(errno) +
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

StatusOr<int> ListenLoopback(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Internal(std::string("listen on 127.0.0.1: socket: ") + std::strerror(errno));
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || ::listen(fd, 128) != 0) {
    const int saved = errno;
    ::close(fd);
    return Unavailable("port-forward: listen on 127.0.0.1:" + std::to_string(port) + ": " +
                       std::strerror(saved) + " (pass another --local-port)");
  }
  return fd;
}

StatusOr<ForwarderProcess> StartForwarder(const ForwarderSpec& spec) {
  ASSIGN_OR_RETURN(const std::string kubectl, FindExecutable(spec.kubectl, spec.env));
  static char port_arg[32];
  const ForwarderExec exec(spec, kubectl, port_arg);
  ASSIGN_OR_RETURN(const int listener, ListenLoopback(spec.local_port));
  const int log = ::open(spec.log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (log < 0) {
    const int saved = errno;
    ::close(listener);
    return Internal("open forwarder log " + spec.log_file + ": " + std::strerror(saved));
  }
  ASSIGN_OR_RETURN(const pid_t pid, ForkSupervisor({.exec = exec,
                                                    .port_arg = port_arg,
                                                    .remote_port = spec.remote_port,
                                                    .log = log,
                                                    .listener = listener}));
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
