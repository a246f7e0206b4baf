// SPDX-License-Identifier: Apache-2.0
#include "cmd/commands.h"
#include "cmd/host_access.h"
#include "vc/cli/lifecycle/lifecycle.h"

namespace vc::cli::cmd {

namespace {

struct Flags {
  std::string name;
  bool wait = true;
  std::string timeout = "5m";
  bool if_sleeping = false;
};

int Run(const GlobalOptions& globals, const Flags& flags, bool pause) {
  auto timeout = ParseDuration("--timeout", flags.timeout);
  if (!timeout.ok()) return Fail(globals.Err(), timeout.status());
  auto target = OpenTarget(globals, flags.name);
  if (!target.ok()) return Fail(globals.Err(), target.status());
  auto& host = target->host;
  auto& info = target->info;
  output::Progress progress(globals.Err());
  if (flags.if_sleeping && info.status != "Sleeping") {
    progress.Info("virtual cluster " + info.name + " is not sleeping (" + info.status + ")");
    return 0;
  }
  Status s = pause ? lifecycle::Pause(*host.client, info, progress)
                   : lifecycle::Resume(*host.client, info, flags.wait, *timeout, progress,
                                       globals.Interrupt());
  return ExitCode(globals.Err(), ExplainHostError(host, s));
}

}  // namespace

void AddPauseResumeCommands(CLI::App& app, GlobalOptions& globals, Action* action) {
  auto pause_flags = std::make_shared<Flags>();
  CLI::App* pause = app.add_subcommand(
      "pause",
      "Pause a virtual cluster: its control plane scales to 0 and its workload pods leave the "
      "host; its state is kept.\n\nExample:\n  kubectl vc pause dev-team");
  pause->add_option("NAME", pause_flags->name, "Name of the virtual cluster")->required();
  pause->callback([&globals, pause_flags, action] {
    *action = [&globals, pause_flags] { return Run(globals, *pause_flags, true); };
  });

  auto resume_flags = std::make_shared<Flags>();
  CLI::App* resume = app.add_subcommand(
      "resume",
      "Resume a paused virtual cluster and wait until it runs again.\n\nExample:\n"
      "  kubectl vc resume dev-team");
  resume->add_option("NAME", resume_flags->name, "Name of the virtual cluster")->required();
  resume->add_flag("--wait,!--no-wait", resume_flags->wait,
                   "Wait until the control plane is ready");
  resume->add_option("--timeout", resume_flags->timeout, "How long to wait")->capture_default_str();
  // What connect's forwarder runs when a request arrives for a cluster sleepMode put to sleep:
  // a cluster a person paused stays paused.
  resume->add_flag("--if-sleeping", resume_flags->if_sleeping,
                   "Only resume a cluster that sleepMode put to sleep");
  resume->callback([&globals, resume_flags, action] {
    *action = [&globals, resume_flags] { return Run(globals, *resume_flags, false); };
  });
}

}  // namespace vc::cli::cmd
