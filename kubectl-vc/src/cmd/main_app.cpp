// SPDX-License-Identifier: Apache-2.0
#include <iostream>
#include <sstream>

#include "cmd/commands.h"
#include "vc/log.h"

namespace vc::cli::cmd {

std::ostream& Err() { return std::cerr; }
std::ostream& Out() { return std::cout; }

int Fail(const Status& status) {
  std::istringstream lines(status.message());
  std::string line;
  bool first = true;
  while (std::getline(lines, line)) {
    Err() << (first ? "error: " : "  ") << line << "\n";
    first = false;
  }
  if (first) Err() << "error: " << CodeName(status.code()) << "\n";
  return 1;
}

int ExitCode(const Status& status) { return status.ok() ? 0 : Fail(status); }

int Main(int argc, char** argv) {
  CLI::App app(
      "kubectl vc: virtual Kubernetes clusters on a host cluster, each isolated as far as its "
      "team is trusted.\n\n"
      "Examples:\n"
      "  kubectl vc create dev-team -f dev-values.yaml\n"
      "  kubectl vc create partner --profile partner\n"
      "  kubectl vc list\n"
      "  kubectl vc connect dev-team -- kubectl get ns\n"
      "  kubectl vc delete dev-team",
      "kubectl vc");
  app.require_subcommand(1);
  app.fallthrough();  // global flags after the verb too: `kubectl vc list -n x`
  app.set_help_all_flag("--help-all", "Every verb with its flags");

  GlobalOptions globals;
  globals.host.env = kube::ProcessEnvironment();
  app.add_option("--kubeconfig", globals.host.kubeconfig,
                 "Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)");
  app.add_option("--context", globals.host.context, "The host cluster's kubeconfig context");
  app.add_option("-n,--namespace", globals.host.namespace_,
                 "Host namespace of the virtual cluster (create: vcluster-NAME by default)");
  app.add_option("--request-timeout", globals.host.request_timeout,
                 "How long to wait for one API request (e.g. 30s, 2m; 0: no limit)");
  app.add_option("-v,--v", globals.verbosity, "Log verbosity: 0 progress only, 4 API calls");

  Action action;
  AddCreateCommand(app, globals, &action);
  AddListCommand(app, globals, &action);
  AddDescribeCommand(app, globals, &action);
  AddConnectCommands(app, globals, &action);
  AddPauseResumeCommands(app, globals, &action);
  AddUpgradeCommand(app, globals, &action);
  AddDeleteCommand(app, globals, &action);
  AddSnapshotCommands(app, globals, &action);
  AddVersionCommand(app, globals, &action);
  AddNodeCommand(app, globals, &action);
  AddCompletionCommands(app, globals, &action);
  // Each verb's description is "summary\n\nmore, examples": the verb list shows the summary,
  // `kubectl vc VERB --help` all of it.
  for (CLI::App* sub : app.get_subcommands({})) {
    const std::string text = sub->get_description();
    const auto cut = text.find("\n\n");
    if (cut == std::string::npos) continue;
    sub->description(text.substr(0, cut));
    sub->footer(text.substr(cut + 2));
  }

  if (argc >= 2 && std::string(argv[1]) == "__complete") {
    log::Configure({.level = log::Level::kError, .component = "kubectl-vc"});
    return Complete(app, globals, std::vector<std::string>(argv + 2, argv + argc));
  }
  // The first `--` ends our arguments: the command after it may have its own (`kubectl vc
  // connect dev -- kubectl run x -i -- sh`).
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") {
      globals.command.assign(argv + i + 1, argv + argc);
      argc = i;
      break;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    Err() << "error: " << what << "\n"
          << "  see 'kubectl vc --help' or 'kubectl vc VERB --help'\n";
    return 1;
  }
  if (!globals.command.empty() && !app.got_subcommand("connect")) {
    return Fail(
        InvalidArgument("only connect runs a command after `--` (kubectl vc connect NAME "
                        "-- COMMAND)"));
  }
  log::Options log_options{.component = "kubectl-vc"};
  log_options.level = globals.verbosity >= 4   ? log::Level::kDebug
                      : globals.verbosity >= 1 ? log::Level::kInfo
                                               : log::Level::kWarning;
  log::Configure(log_options);
  return action ? action() : 1;
}

}  // namespace vc::cli::cmd
