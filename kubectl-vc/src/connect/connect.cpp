// SPDX-License-Identifier: Apache-2.0
// Connect: find the virtual cluster, make its API reachable (exposed endpoint or a background
// port-forward), check it answers, then hand it to the user as a kubeconfig context, printed
// kubeconfig or one command.
#include "vc/cli/connect/connect.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <ostream>
#include <thread>

#include "vc/cli/connect/context_entries.h"
#include "vc/cli/connect/discovery.h"
#include "vc/cli/connect/forwarder.h"
#include "vc/cli/connect/kubeconfig_file.h"
#include "vc/cli/connect/state_store.h"
#include "vc/kube/client.h"
#include "vc/log.h"

namespace vc::cli::connect {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kPollPeriod = std::chrono::milliseconds(200);

std::string EnvValue(const kube::Environment& env, const std::string& key) {
  auto it = env.find(key);
  return it == env.end() ? std::string() : it->second;
}

// Context names may hold '/' and ':' (EKS ARNs); file names must not.
std::string FileSafe(const std::string& s) {
  std::string out = s;
  for (char& c : out) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
      c = '_';
    }
  }
  return out;
}

// Polls GET /version (then the default ServiceAccount) every kPollPeriod until both answer or
// the deadline passes. kubectl
// port-forward exits when one forwarded connection fails (a control plane whose apiserver is not
// listening yet: "lost connection to pod"), so a forwarder that exits is started again on the
// same port with `restart` while time is left; without `restart` its exit is the answer.
Status WaitForApi(const kube::RestConfig& config, std::optional<ForwarderProcess>* forwarder,
                  const std::function<StatusOr<ForwarderProcess>()>& restart,
                  const std::string& log_file, Clock::time_point deadline) {
  auto client = kube::Client::ForConfig(config);
  Status last = Unavailable("not tried");
  while (true) {
    const auto attempt = Clock::now();
    if (*forwarder && !ProcessAlive((*forwarder)->pid, (*forwarder)->start_ticks)) {
      const std::string died = "port-forward (pid " + std::to_string((*forwarder)->pid) +
                               ") exited; its log " + log_file + " ends with:\n" +
                               LogTail(log_file);
      // A local port it could not listen on will not free itself: that exit is the answer.
      const bool cannot_listen = died.find("unable to listen on") != std::string::npos;
      if (!restart || cannot_listen || attempt >= deadline) return Unavailable(died);
      VC_LOG(Debug) << died;
      ASSIGN_OR_RETURN(*forwarder, restart());
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - attempt);
    auto version =
        client->Raw({.path = "/version",
                     .timeout = std::max(std::chrono::milliseconds(100),
                                         std::min(left, std::chrono::milliseconds(3000)))});
    // Usable means what a user does next works: `kubectl run` needs the default
    // ServiceAccount, which the virtual kube-controller-manager makes a moment after the
    // apiserver answers.
    if (version.ok() && version->status == 200) {
      auto account = client->Raw({.path = "/api/v1/namespaces/default/serviceaccounts/default",
                                  .timeout = std::chrono::milliseconds(3000)});
      if (account.ok() && account->status == 200) return Status::Ok();
      last = account.ok() ? Unavailable(
                                "the default ServiceAccount of namespace default is not "
                                "there yet (HTTP " +
                                std::to_string(account->status) + ")")
                          : account.status();
    } else {
      last = version.ok() ? Unavailable("GET /version: HTTP " + std::to_string(version->status))
                          : version.status();
    }
    // The apiserver answered and refused the Secret's certificate: waiting will not help.
    if (last.code() == Code::kUnauthorized || last.code() == Code::kForbidden) {
      return last.Annotate("the virtual cluster's API at " + config.server +
                           " refused the client certificate from its Secret (was the virtual "
                           "cluster re-created while its Secret was kept?)");
    }
    if (Clock::now() >= deadline) {
      std::string msg = "the virtual cluster's API at " + config.server +
                        " did not answer in time: " + last.message();
      if (*forwarder) {
        msg += "\nport-forward log " + log_file + ":\n" + LogTail(log_file);
      }
      return Timeout(msg);
    }
    std::this_thread::sleep_until(std::min(attempt + kPollPeriod, deadline));
  }
}

// Runs `command` with stdio inherited and KUBECONFIG=kubeconfig; its exit status. Ctrl-C
// reaches the command (same process group) while we ignore it, as system() does, so we live to
// clean up after it.
StatusOr<int> RunCommand(const std::vector<std::string>& command, kube::Environment env,
                         const std::string& kubeconfig) {
  env["KUBECONFIG"] = kubeconfig;
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : env) {
    env_strings.push_back(k);
    env_strings.back().append("=").append(v);
  }
  ASSIGN_OR_RETURN(const std::string path, FindExecutable(command[0], env));
  std::vector<char*> argv, envp;
  for (const auto& a : command) {
    argv.push_back(const_cast<char*>(a.c_str()));
  }
  argv.push_back(nullptr);
  for (const auto& e : env_strings) {
    envp.push_back(const_cast<char*>(e.c_str()));
  }
  envp.push_back(nullptr);

  struct sigaction ignore {
  }, old_int{}, old_quit{};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  ::sigaction(SIGINT, &ignore, &old_int);
  ::sigaction(SIGQUIT, &ignore, &old_quit);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGQUIT);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, path.c_str(), nullptr, &attr, argv.data(), envp.data());
  posix_spawnattr_destroy(&attr);
  int status = 0;
  if (rc == 0) {
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  ::sigaction(SIGINT, &old_int, nullptr);
  ::sigaction(SIGQUIT, &old_quit, nullptr);
  if (rc != 0) {
    return Internal("run " + command[0] + ": " + std::strerror(rc));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

StatusOr<std::string> WriteTempKubeconfig(const std::string& state_dir,
                                          const KubeconfigFile& file) {
  std::string path = state_dir + "/kubeconfig-XXXXXX";
  const int fd = ::mkstemp(path.data());  // 0600
  if (fd < 0) {
    return Internal("create a temporary kubeconfig in " + state_dir + ": " + std::strerror(errno));
  }
  const std::string text = file.Render();
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  if (!written) {
    ::unlink(path.c_str());
    return Internal("write temporary kubeconfig " + path);
  }
  return path;
}

// What the steps of one Connect share: the call's settings and the virtual cluster it found.
struct ConnectRun {
  const HostCluster& host;
  const ConnectOptions& options;
  std::ostream& err;
  kube::Environment env;
  std::string state_dir;
  std::string kubectl;  // the forwarder's
  Clock::time_point deadline;
  VirtualClusterRef vc;
  std::string context;   // the context's name: vc_NAME_NS_HOSTCONTEXT
  std::string log_file;  // the forwarder's

  ForwarderSpec ForwarderOn(int port) const {
    return ForwarderSpec{.kubectl = kubectl,
                         .kubeconfig = host.kubeconfig,
                         .context = host.context,
                         .namespace_ = vc.namespace_,
                         .pod = vc.name + "-0",
                         .local_port = port,
                         .log_file = log_file,
                         .env = env,
                         .wake = options.wake};
  }
};

// The environment, state directory, kubectl and deadline the options leave to defaults.
ConnectRun SettleRun(const HostCluster& host, const ConnectOptions& options, std::ostream& err) {
  ConnectRun run{.host = host, .options = options, .err = err};
  run.env = options.env.empty() ? kube::ProcessEnvironment() : options.env;
  run.state_dir = options.state_dir.empty() ? DefaultStateDir(run.env) : options.state_dir;
  run.kubectl = options.kubectl;
  if (run.kubectl.empty()) {
    run.kubectl = EnvValue(run.env, "KUBECTL_PATH");
  }
  if (run.kubectl.empty()) {
    run.kubectl = "kubectl";
  }
  run.deadline = Clock::now() + options.timeout;
  return run;
}

// A control plane still starting has no Secret vc-NAME yet: wait for it within the timeout,
// as for the API itself.
StatusOr<SecretCredentials> AwaitCredentials(const ConnectRun& run) {
  StatusOr<SecretCredentials> read = ReadCredentials(run.host, run.vc);
  bool said = false;
  while (!read.ok() && read.status().code() == Code::kFailedPrecondition &&
         Clock::now() < run.deadline) {
    if (!said) {
      run.err << "Waiting for the control plane of " << run.vc.name
              << " to publish its credentials\n";
    }
    said = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    read = ReadCredentials(run.host, run.vc);
  }
  return read;
}

// The state row this call writes: the one it had (its forwarder, port, previous context), for
// this virtual cluster now.
Connection ConnectionRecord(const ConnectRun& run, const std::optional<Connection>& existing) {
  Connection conn;
  if (existing) {
    conn = *existing;
  }
  conn.context = run.context;
  conn.name = run.vc.name;
  conn.namespace_ = run.vc.namespace_;
  conn.host_context = run.host.context;
  conn.connected_at = static_cast<long long>(std::time(nullptr));
  return conn;
}

// The way to the virtual cluster's API this call settles on, and the forwarder behind it.
struct Endpoint {
  ContextEntries entries;
  std::optional<ForwarderProcess> forwarder;
  bool started_forwarder = false;  // by this call

  // A forwarder this call started must not outlive a failure of it.
  Status Abandon(Status s) const {
    if (started_forwarder) {
      (void)StopForwarder(*forwarder);
    }
    return s;
  }
};

// --server or the exposed Service: no forwarder (a running one is stopped).
Status UseDirectServer(const std::string& server, const std::optional<ForwarderProcess>& running,
                       Endpoint* endpoint, Connection* conn) {
  endpoint->entries.server = server;
  // The apiserver certificate always names localhost; a host's external addresses it may
  // not, so the name to verify is pinned.
  endpoint->entries.tls_server_name = "localhost";
  if (running) {
    RETURN_IF_ERROR(StopForwarder(*running));
  }
  conn->forwarder_pid = 0;
  conn->forwarder_start_ticks = 0;
  conn->local_port = 0;
  return Status::Ok();
}

// A forwarder of this call's own, on --local-port or a free port.
Status StartOwnForwarder(const ConnectRun& run, Endpoint* endpoint, Connection* conn) {
  int port = run.options.local_port;
  if (port == 0) {
    ASSIGN_OR_RETURN(port, FreeLoopbackPort());
  }
  const ForwarderSpec spec = run.ForwarderOn(port);
  ASSIGN_OR_RETURN(endpoint->forwarder, StartForwarder(spec));
  endpoint->started_forwarder = true;
  conn->local_port = port;
  conn->forwarder_pid = endpoint->forwarder->pid;
  conn->forwarder_start_ticks = endpoint->forwarder->start_ticks;
  VC_LOG(Debug) << "started port-forward pid " << endpoint->forwarder->pid << " on port " << port;
  run.err << "Started port-forward to " << run.vc.namespace_ << "/" << spec.pod
          << " on 127.0.0.1:" << port << " (log: " << run.log_file << ")\n";
  return Status::Ok();
}

// --server, else the exposed Service, else the forwarder of the last connect when it still
// runs on the port asked for, else a new one. Sets entries.server and the connection's
// forwarder and port.
Status ChooseEndpoint(const ConnectRun& run, const std::optional<Connection>& existing,
                      Endpoint* endpoint, Connection* conn) {
  const std::optional<ForwarderProcess> previous_forwarder =
      existing && existing->forwarder_pid > 0
          ? std::optional(
                ForwarderProcess{existing->forwarder_pid, existing->forwarder_start_ticks})
          : std::nullopt;
  const std::optional<ForwarderProcess> running =
      previous_forwarder && ProcessAlive(previous_forwarder->pid, previous_forwarder->start_ticks)
          ? previous_forwarder
          : std::nullopt;

  std::optional<std::string> exposed;
  if (run.options.server.empty()) {
    ASSIGN_OR_RETURN(exposed, ExposedServer(run.host, run.vc));
  }
  if (!run.options.server.empty() || exposed) {
    RETURN_IF_ERROR(UseDirectServer(run.options.server.empty() ? *exposed : run.options.server,
                                    running, endpoint, conn));
  } else if (running &&
             (run.options.local_port == 0 || run.options.local_port == existing->local_port)) {
    endpoint->forwarder = running;
    run.err << "Using the running port-forward (pid " << running->pid
            << ") on 127.0.0.1:" << existing->local_port << "\n";
  } else {
    if (running) {
      RETURN_IF_ERROR(StopForwarder(*running));
    }
    RETURN_IF_ERROR(StartOwnForwarder(run, endpoint, conn));
  }
  if (endpoint->forwarder) {
    endpoint->entries.server = "https://127.0.0.1:" + std::to_string(conn->local_port);
  }
  return Status::Ok();
}

// Waits until the API answers through the endpoint (WaitForApi); a forwarder this call started
// is started again on `port` when it exits meanwhile.
Status WaitUntilUsable(const ConnectRun& run, int port, Endpoint* endpoint) {
  ASSIGN_OR_RETURN(const kube::RestConfig rest, RestConfigFor(endpoint->entries));
  run.err << "Waiting for the virtual cluster's API at " << endpoint->entries.server << "\n";
  std::function<StatusOr<ForwarderProcess>()> restart;
  if (endpoint->started_forwarder) {
    restart = [&run, port] { return StartForwarder(run.ForwarderOn(port)); };
  }
  if (Status s = WaitForApi(rest, &endpoint->forwarder, restart, run.log_file, run.deadline);
      !s.ok()) {
    return s.Annotate("connect to " + run.vc.namespace_ + "/" + run.vc.name);
  }
  return Status::Ok();
}

// `-- COMMAND`: runs it with KUBECONFIG a temporary file that holds only the virtual cluster's
// context; a forwarder this call started ends with it.
StatusOr<int> RunWithContext(const ConnectRun& run, const Endpoint& endpoint) {
  KubeconfigFile file;
  WriteEntries(endpoint.entries, /*make_current=*/true, &file);
  auto path = WriteTempKubeconfig(run.state_dir, file);
  if (!path.ok()) {
    return endpoint.Abandon(path.status());
  }
  auto code = RunCommand(run.options.command, run.env, *path);
  ::unlink(path->c_str());
  if (endpoint.started_forwarder) {
    if (Status s = StopForwarder(*endpoint.forwarder); !s.ok()) {
      run.err << "warning: " << s.message() << "\n";
    }
  }
  return code;
}

// Writes the context into the user's kubeconfig file (made current unless asked not to) and
// records the connection, with the context to go back to.
Status WriteKubeconfigContext(const ConnectRun& run, const Endpoint& endpoint, StateStore& store,
                              Connection* conn) {
  const std::string target = TargetKubeconfigFile(run.host, run.env);
  const bool make_current = run.options.update_current_context;
  std::string previous;
  Status updated = UpdateKubeconfigFile(target, [&](KubeconfigFile* f) {
    previous = f->current_context();
    WriteEntries(endpoint.entries, make_current, f);
    return Status::Ok();
  });
  if (!updated.ok()) {
    return updated.Annotate("write context " + run.context + " to " + target);
  }
  if (make_current && previous != run.context) {
    conn->previous_context = previous;
  }
  conn->kubeconfig_file = target;
  return store.Put(*conn);
}

void SayHowToUseTheContext(const ConnectRun& run, const Connection& conn, bool forwarded) {
  if (run.options.update_current_context) {
    run.err << "Switched to context \"" << run.context << "\" in " << conn.kubeconfig_file << ".\n"
            << "Run `kubectl vc disconnect` to switch back"
            << (conn.previous_context.empty() ? std::string()
                                              : " to \"" + conn.previous_context + "\"")
            << (forwarded ? " and stop the port-forward" : "") << ".\n";
  } else {
    run.err << "Added context \"" << run.context << "\" to " << conn.kubeconfig_file
            << "; use it with kubectl --context " << run.context << ".\n";
  }
}

}  // namespace

StatusOr<int> Connect(const HostCluster& host, const ConnectOptions& options, std::ostream& out,
                      std::ostream& err) {
  ConnectRun run = SettleRun(host, options, err);
  ASSIGN_OR_RETURN(run.vc, FindVirtualCluster(host, options.name));
  ASSIGN_OR_RETURN(SecretCredentials credentials, AwaitCredentials(run));
  run.context = ContextName(run.vc.name, run.vc.namespace_, host.context);
  run.log_file = run.state_dir + "/forward-" + FileSafe(run.context) + ".log";
  ASSIGN_OR_RETURN(auto store, StateStore::Open(run.state_dir));
  ASSIGN_OR_RETURN(std::optional<Connection> existing, store->Get(run.context));

  Connection conn = ConnectionRecord(run, existing);
  Endpoint endpoint{.entries = {.name = run.context, .credentials = std::move(credentials)}};
  RETURN_IF_ERROR(ChooseEndpoint(run, existing, &endpoint, &conn));
  conn.server = endpoint.entries.server;

  // From here on, a forwarder this call started must not outlive a failure.
  if (Status s = WaitUntilUsable(run, conn.local_port, &endpoint); !s.ok()) {
    return endpoint.Abandon(s);
  }
  if (endpoint.forwarder) {
    conn.forwarder_pid = endpoint.forwarder->pid;
    conn.forwarder_start_ticks = endpoint.forwarder->start_ticks;
  }

  if (!options.command.empty()) {
    return RunWithContext(run, endpoint);
  }
  if (options.print) {
    KubeconfigFile file;
    WriteEntries(endpoint.entries, /*make_current=*/true, &file);
    out << file.Render();
    if (Status s = store->Put(conn); !s.ok()) {
      return endpoint.Abandon(s);
    }
    return 0;
  }
  if (Status s = WriteKubeconfigContext(run, endpoint, *store, &conn); !s.ok()) {
    return endpoint.Abandon(s);
  }
  SayHowToUseTheContext(run, conn, endpoint.forwarder.has_value());
  return 0;
}

}  // namespace vc::cli::connect
