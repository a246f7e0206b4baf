// SPDX-License-Identifier: Apache-2.0
#include "vc/cli/connect/connect.h"

#include <unistd.h>

#include "cmd/commands.h"
#include "cmd/host_access.h"

namespace vc::cli::cmd {

namespace {

struct Flags {
  std::string name;
  bool print = false;
  int local_port = 0;
  std::string server;
  std::string timeout = "60s";
};

int RunConnect(const GlobalOptions& globals, const Flags& flags) {
  auto timeout = ParseDuration("--timeout", flags.timeout);
  if (!timeout.ok()) return Fail(globals.Err(), timeout.status());
  auto target = OpenTarget(globals, flags.name);
  if (!target.ok()) return Fail(globals.Err(), target.status());
  auto* host = &target->host;
  connect::ConnectOptions options;
  if (flags.server.empty()) {
    if (Status woke = WakeIfSleeping(*host, target->info, *timeout, globals.Err()); !woke.ok())
      return Fail(globals.Err(), woke);
    options.wake = WakeCommand(*host, target->info);
  }
  // The one OpenTarget found (by NAME, or the only one there is), in its namespace.
  host->namespace_ = target->info.namespace_;
  host->namespace_given = true;
  options.name = target->info.name;
  options.print = flags.print;
  options.local_port = flags.local_port;
  options.server = flags.server;
  options.command = globals.command;
  options.env = globals.host.env;
  options.timeout = *timeout;
  auto result = connect::Connect(*host, options, globals.Out(), globals.Err());
  if (!result.ok()) return Fail(globals.Err(), ExplainHostError(*host, result.status()));
  return *result;
}

int RunDisconnect(const GlobalOptions& globals) {
  auto host = OpenHost(globals);
  if (!host.ok()) return Fail(globals.Err(), host.status());
  return ExitCode(globals.Err(), connect::Disconnect(*host, globals.host.env, {}, globals.Err()));
}

}  // namespace

Status WakeIfSleeping(const HostCluster& host, const lifecycle::Info& info,
                      std::chrono::milliseconds timeout, std::ostream& err) {
  if (info.status != "Sleeping") return Status::Ok();
  output::Progress progress(err);
  progress.Info("virtual cluster " + info.name + " is sleeping (sleepMode); waking it");
  return ExplainHostError(host,
                          lifecycle::Resume(*host.client, info, true, timeout, progress, nullptr));
}

std::vector<std::string> WakeCommand(const HostCluster& host, const lifecycle::Info& info) {
  char self[4096];
  const ssize_t n = ::readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (n <= 0) return {};
  std::vector<std::string> argv = {std::string(self, static_cast<size_t>(n)),
                                   "resume",
                                   info.name,
                                   "-n",
                                   info.namespace_,
                                   "--if-sleeping",
                                   "--no-wait"};
  if (!host.kubeconfig.empty()) argv.push_back("--kubeconfig=" + host.kubeconfig);
  if (!host.context.empty()) argv.push_back("--context=" + host.context);
  return argv;
}

void AddConnectCommands(CLI::App& app, GlobalOptions& globals, Action* action) {
  auto flags = std::make_shared<Flags>();
  CLI::App* sub = app.add_subcommand(
      "connect",
      "Connect kubectl to a virtual cluster: a context vc_NAME_NAMESPACE_HOSTCONTEXT is added to "
      "your kubeconfig and made current (through a background port-forward unless the cluster "
      "is exposed or --server is given).\n\n"
      "Examples:\n"
      "  kubectl vc connect dev-team\n"
      "  kubectl vc connect dev-team -- kubectl get ns     # one command, kubeconfig untouched\n"
      "  kubectl vc connect dev-team --print > dev.kubeconfig\n"
      "  kubectl vc disconnect");
  sub->add_option("NAME", flags->name, "Name of the virtual cluster (optional when there is one)");
  sub->add_flag("--print", flags->print, "Print a kubeconfig instead of changing yours");
  sub->add_option("--local-port", flags->local_port,
                  "Local port of the port-forward (default: free)")
      ->check(CLI::Range(0, 65535));
  sub->add_option("--server", flags->server,
                  "Reach the virtual API at this URL (e.g. an ingress or load balancer)");
  sub->add_option("--timeout", flags->timeout, "How long to wait for the virtual API")
      ->capture_default_str();
  sub->callback([&globals, flags, action] {
    *action = [&globals, flags] { return RunConnect(globals, *flags); };
  });

  CLI::App* disconnect = app.add_subcommand(
      "disconnect",
      "Switch kubectl back to the context that was current before connect, and stop the "
      "port-forward.\n\nExample:\n  kubectl vc disconnect");
  disconnect->callback(
      [&globals, action] { *action = [&globals] { return RunDisconnect(globals); }; });
}

}  // namespace vc::cli::cmd
