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

}  // namespace

StatusOr<int> Connect(const HostCluster& host, const ConnectOptions& options, std::ostream& out,
                      std::ostream& err) {
  const kube::Environment env = options.env.empty() ? kube::ProcessEnvironment() : options.env;
  const std::string state_dir =
      options.state_dir.empty() ? DefaultStateDir(env) : options.state_dir;
  std::string kubectl = options.kubectl;
  if (kubectl.empty()) {
    kubectl = EnvValue(env, "KUBECTL_PATH");
  }
  if (kubectl.empty()) {
    kubectl = "kubectl";
  }
  const auto deadline = Clock::now() + options.timeout;

  ASSIGN_OR_RETURN(const VirtualClusterRef vc, FindVirtualCluster(host, options.name));
  // A control plane still starting has no Secret vc-NAME yet: wait for it within the timeout,
  // as for the API itself.
  StatusOr<SecretCredentials> read = ReadCredentials(host, vc);
  bool said = false;
  while (!read.ok() && read.status().code() == Code::kFailedPrecondition &&
         Clock::now() < deadline) {
    if (!said)
      err << "Waiting for the control plane of " << vc.name << " to publish its credentials\n";
    said = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    read = ReadCredentials(host, vc);
  }
  ASSIGN_OR_RETURN(SecretCredentials credentials, std::move(read));
  const std::string context = ContextName(vc.name, vc.namespace_, host.context);
  ASSIGN_OR_RETURN(auto store, StateStore::Open(state_dir));
  ASSIGN_OR_RETURN(std::optional<Connection> existing, store->Get(context));

  Connection conn;
  if (existing) {
    conn = *existing;
  }
  conn.context = context;
  conn.name = vc.name;
  conn.namespace_ = vc.namespace_;
  conn.host_context = host.context;
  conn.connected_at = static_cast<long long>(std::time(nullptr));

  ContextEntries entries{.name = context, .credentials = std::move(credentials)};
  std::optional<ForwarderProcess> forwarder;
  bool started_forwarder = false;
  const std::string log_file = state_dir + "/forward-" + FileSafe(context) + ".log";
  const std::optional<ForwarderProcess> previous_forwarder =
      existing && existing->forwarder_pid > 0
          ? std::optional(
                ForwarderProcess{existing->forwarder_pid, existing->forwarder_start_ticks})
          : std::nullopt;
  const bool previous_alive =
      previous_forwarder && ProcessAlive(previous_forwarder->pid, previous_forwarder->start_ticks);

  std::optional<std::string> exposed;
  if (options.server.empty()) {
    ASSIGN_OR_RETURN(exposed, ExposedServer(host, vc));
  }
  auto forwarder_spec = [&](int port) {
    return ForwarderSpec{.kubectl = kubectl,
                         .kubeconfig = host.kubeconfig,
                         .context = host.context,
                         .namespace_ = vc.namespace_,
                         .pod = vc.name + "-0",
                         .local_port = port,
                         .log_file = log_file,
                         .env = env,
                         .wake = options.wake};
  };
  if (!options.server.empty() || exposed) {
    entries.server = options.server.empty() ? *exposed : options.server;
    // The apiserver certificate always names localhost; a host's external addresses it may
    // not, so the name to verify is pinned.
    entries.tls_server_name = "localhost";
    if (previous_alive) {
      RETURN_IF_ERROR(StopForwarder(*previous_forwarder));
    }
    conn.forwarder_pid = 0;
    conn.forwarder_start_ticks = 0;
    conn.local_port = 0;
  } else if (previous_alive &&
             (options.local_port == 0 || options.local_port == existing->local_port)) {
    forwarder = previous_forwarder;
    err << "Using the running port-forward (pid " << forwarder->pid
        << ") on 127.0.0.1:" << existing->local_port << "\n";
  } else {
    if (previous_alive) {
      RETURN_IF_ERROR(StopForwarder(*previous_forwarder));
    }
    int port = options.local_port;
    if (port == 0) {
      ASSIGN_OR_RETURN(port, FreeLoopbackPort());
    }
    const ForwarderSpec spec = forwarder_spec(port);
    ASSIGN_OR_RETURN(forwarder, StartForwarder(spec));
    started_forwarder = true;
    conn.local_port = port;
    conn.forwarder_pid = forwarder->pid;
    conn.forwarder_start_ticks = forwarder->start_ticks;
    VC_LOG(Debug) << "started port-forward pid " << forwarder->pid << " on port " << port;
    err << "Started port-forward to " << vc.namespace_ << "/" << spec.pod
        << " on 127.0.0.1:" << port << " (log: " << log_file << ")\n";
  }
  if (forwarder) {
    entries.server = "https://127.0.0.1:" + std::to_string(conn.local_port);
  }
  conn.server = entries.server;

  // From here on, a forwarder this call started must not outlive a failure.
  auto abandon = [&](Status s) -> Status {
    if (started_forwarder) {
      (void)StopForwarder(*forwarder);
    }
    return s;
  };
  auto rest = RestConfigFor(entries);
  if (!rest.ok()) {
    return abandon(rest.status());
  }
  err << "Waiting for the virtual cluster's API at " << entries.server << "\n";
  std::function<StatusOr<ForwarderProcess>()> restart;
  if (started_forwarder) {
    restart = [&] { return StartForwarder(forwarder_spec(conn.local_port)); };
  }
  if (Status s = WaitForApi(*rest, &forwarder, restart, log_file, deadline); !s.ok()) {
    return abandon(s.Annotate("connect to " + vc.namespace_ + "/" + vc.name));
  }
  if (forwarder) {
    conn.forwarder_pid = forwarder->pid;
    conn.forwarder_start_ticks = forwarder->start_ticks;
  }

  if (!options.command.empty()) {
    KubeconfigFile file;
    WriteEntries(entries, /*make_current=*/true, &file);
    auto path = WriteTempKubeconfig(state_dir, file);
    if (!path.ok()) {
      return abandon(path.status());
    }
    auto code = RunCommand(options.command, env, *path);
    ::unlink(path->c_str());
    if (started_forwarder) {
      if (Status s = StopForwarder(*forwarder); !s.ok()) {
        err << "warning: " << s.message() << "\n";
      }
    }
    return code;
  }

  if (options.print) {
    KubeconfigFile file;
    WriteEntries(entries, /*make_current=*/true, &file);
    out << file.Render();
    if (Status s = store->Put(conn); !s.ok()) {
      return abandon(s);
    }
    return 0;
  }

  const std::string target = TargetKubeconfigFile(host, env);
  std::string previous;
  Status updated = UpdateKubeconfigFile(target, [&](KubeconfigFile* f) {
    previous = f->current_context();
    WriteEntries(entries, options.update_current_context, f);
    return Status::Ok();
  });
  if (!updated.ok()) {
    return abandon(updated.Annotate("write context " + context + " to " + target));
  }
  if (options.update_current_context && previous != context) {
    conn.previous_context = previous;
  }
  conn.kubeconfig_file = target;
  if (Status s = store->Put(conn); !s.ok()) {
    return abandon(s);
  }
  if (options.update_current_context) {
    err << "Switched to context \"" << context << "\" in " << target << ".\n"
        << "Run `kubectl vc disconnect` to switch back"
        << (conn.previous_context.empty() ? std::string() : " to \"" + conn.previous_context + "\"")
        << (forwarder ? " and stop the port-forward" : "") << ".\n";
  } else {
    err << "Added context \"" << context << "\" to " << target << "; use it with kubectl --context "
        << context << ".\n";
  }
  return 0;
}

}  // namespace vc::cli::connect
