// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include "cmd/commands.h"
#include "cmd/interrupt.h"
#include "vc/log.h"

namespace vc::cli::cmd {

int Fail(std::ostream& err, const Status& status) {
  std::istringstream lines(status.message());
  std::string line;
  bool first = true;
  while (std::getline(lines, line)) {
    err << (first ? "error: " : "  ") << line << "\n";
    first = false;
  }
  if (first) err << "error: " << CodeName(status.code()) << "\n";
  return 1;
}

int ExitCode(std::ostream& err, const Status& status) {
  return status.ok() ? 0 : Fail(err, status);
}

namespace {

void AddGlobalFlags(CLI::App& app, GlobalOptions& globals) {
  app.add_option("--kubeconfig", globals.host.kubeconfig,
                 "Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)");
  app.add_option("--context", globals.host.context, "The host cluster's kubeconfig context");
  app.add_option("-n,--namespace", globals.host.namespace_,
                 "Host namespace of the virtual cluster (create: vcluster-NAME by default)");
  app.add_option("--request-timeout", globals.host.request_timeout,
                 "How long to wait for one API request (e.g. 30s, 2m; 0: no limit)");
  app.add_option("-v,--v", globals.verbosity, "Log verbosity: 0 progress only, 4 API calls");
}

void AddVerbs(CLI::App& app, GlobalOptions& globals, Action* action) {
  AddCreateCommand(app, globals, action);
  AddListCommand(app, globals, action);
  AddDescribeCommand(app, globals, action);
  AddConnectCommands(app, globals, action);
  AddPauseResumeCommands(app, globals, action);
  AddUpgradeCommand(app, globals, action);
  AddDeleteCommand(app, globals, action);
  AddSnapshotCommands(app, globals, action);
  AddVersionCommand(app, globals, action);
  AddNodeCommand(app, globals, action);
  AddCompletionCommands(app, globals, action);
  // Each verb's description is "summary\n\nmore, examples": the verb list shows the summary,
  // `kubectl vc VERB --help` all of it.
  for (CLI::App* sub : app.get_subcommands({})) {
    const std::string text = sub->get_description();
    const auto cut = text.find("\n\n");
    if (cut == std::string::npos) continue;
    sub->description(text.substr(0, cut));
    sub->footer(text.substr(cut + 2));
  }
}

// The root command with the global flags and every verb; an action is set when a verb parses.
std::unique_ptr<CLI::App> NewRootCommand(GlobalOptions& globals, Action* action) {
  auto app = std::make_unique<CLI::App>(
      "kubectl vc: virtual Kubernetes clusters on a host cluster, each isolated as far as its "
      "team is trusted.\n\n"
      "Examples:\n"
      "  kubectl vc create dev-team -f dev-values.yaml\n"
      "  kubectl vc create partner --profile partner\n"
      "  kubectl vc list\n"
      "  kubectl vc connect dev-team -- kubectl get ns\n"
      "  kubectl vc delete dev-team",
      "kubectl vc");
  app->require_subcommand(1);
  app->fallthrough();  // global flags after the verb too: `kubectl vc list -n x`
  app->set_help_all_flag("--help-all", "Every verb with its flags");
  AddGlobalFlags(*app, globals);
  AddVerbs(*app, globals, action);
  return app;
}

// The first `--` ends our arguments: the command after it may have its own (`kubectl vc
// connect dev -- kubectl run x -i -- sh`). Returns what follows it and leaves `args` before it.
std::vector<std::string> TakeCommandAfterDoubleDash(std::vector<std::string>& args) {
  const auto dash = std::find(args.begin(), args.end(), "--");
  if (dash == args.end()) return {};
  std::vector<std::string> command(dash + 1, args.end());
  args.erase(dash, args.end());
  return command;
}

// Parses `args` into the flags; on help or a parse error, what to exit with.
std::optional<int> ParseArgs(CLI::App& app, std::vector<std::string> args, const Streams& streams) {
  std::reverse(args.begin(), args.end());  // CLI11 takes a vector last word first
  try {
    app.parse(args);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e, streams.out, streams.err);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e, streams.out, streams.err);
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    streams.err << "error: " << what << "\n"
                << "  see 'kubectl vc --help' or 'kubectl vc VERB --help'\n";
    return 1;
  }
  return std::nullopt;
}

void ConfigureLogging(int verbosity) {
  log::Options log_options{.component = "kubectl-vc"};
  log_options.level = verbosity >= 4   ? log::Level::kDebug
                      : verbosity >= 1 ? log::Level::kInfo
                                       : log::Level::kWarning;
  log::Configure(log_options);
}

}  // namespace

int Run(std::vector<std::string> args, const Streams& streams, const HostFactory& hosts) {
  GlobalOptions globals;
  globals.host.env = hosts.env;
  globals.streams = &streams;
  globals.hosts = &hosts;
  Action action;
  const std::unique_ptr<CLI::App> app = NewRootCommand(globals, &action);

  if (!args.empty() && args[0] == "__complete") {
    log::Configure({.level = log::Level::kError, .component = "kubectl-vc"});
    return Complete(*app, globals, std::vector<std::string>(args.begin() + 1, args.end()));
  }
  globals.command = TakeCommandAfterDoubleDash(args);
  if (std::optional<int> exit = ParseArgs(*app, std::move(args), streams)) return *exit;
  if (!globals.command.empty() && !app->got_subcommand("connect")) {
    return Fail(streams.err,
                InvalidArgument("only connect runs a command after `--` (kubectl vc connect NAME "
                                "-- COMMAND)"));
  }
  ConfigureLogging(globals.verbosity);
  return action ? action() : 1;
}

int Main(int argc, char** argv) {
  const Streams streams{
      .in = std::cin, .out = std::cout, .err = std::cerr, .interrupt = InterruptToken};
  const HostFactory hosts{.env = kube::ProcessEnvironment(), .connect = ConnectHost};
  return Run(std::vector<std::string>(argv + 1, argv + argc), streams, hosts);
}

}  // namespace vc::cli::cmd
