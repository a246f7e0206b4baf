// SPDX-License-Identifier: Apache-2.0
#include "cmd/commands.h"
#include "vc/log.h"

namespace vc::syncer::cmd {

int Main(int argc, char** argv) {
  CLI::App app("vc-syncer: runs inside each virtual cluster's pod (init container and syncer).",
               "vc-syncer");
  app.require_subcommand(1);
  // Global flags are accepted after the subcommand too (`vc-syncer run --log-format json`).
  app.fallthrough();
  std::string level = "info";
  std::string format = "text";
  app.add_option("--log-level", level, "debug|info|warning|error")
      ->capture_default_str()
      ->check(CLI::IsMember({"debug", "info", "warning", "error"}));
  app.add_option("--log-format", format, "text|json")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json"}));
  std::function<int()> action;
  AddInitCommand(app, &action);
  AddRunCommand(app, &action);
  AddSnapshotServerCommand(app, &action);
  AddWakeCommand(app, &action);
  AddHostsFileCommand(app, &action);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  log::Options log_options{.component = "vc-syncer"};
  log::ParseLevel(level, &log_options.level);
  log::ParseFormat(format, &log_options.format);
  log::Configure(log_options);
  return action ? action() : 1;
}

}  // namespace vc::syncer::cmd
