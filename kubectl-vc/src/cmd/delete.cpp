// SPDX-License-Identifier: Apache-2.0
#include "cmd/commands.h"
#include "cmd/host_access.h"
#include "vc/cli/connect/connect.h"
#include "vc/cli/lifecycle/lifecycle.h"

namespace vc::cli::cmd {

namespace {

struct Flags {
  std::string name;
  bool keep_data = false;
  bool wait = false;
  std::string timeout = "5m";
};

int Run(const GlobalOptions& globals, const Flags& flags) {
  auto timeout = ParseDuration("--timeout", flags.timeout);
  if (!timeout.ok()) return Fail(globals.Err(), timeout.status());
  auto target = OpenTarget(globals, flags.name);
  if (!target.ok()) return Fail(globals.Err(), target.status());
  auto& host = target->host;
  auto& info = target->info;
  output::Progress progress(globals.Err());
  Status forgotten = connect::Forget(info.name, info.namespace_, host.context,
                                     connect::DefaultStateDir(globals.host.env));
  if (!forgotten.ok()) progress.Note("could not remove local contexts: " + forgotten.message());
  lifecycle::DeleteOptions options{
      .keep_data = flags.keep_data, .wait = flags.wait, .timeout = *timeout};
  return ExitCode(globals.Err(),
                  ExplainHostError(host, lifecycle::Delete(*host.client, info, options, progress,
                                                           globals.Interrupt())));
}

}  // namespace

void AddDeleteCommand(CLI::App& app, GlobalOptions& globals, Action* action) {
  auto flags = std::make_shared<Flags>();
  CLI::App* sub = app.add_subcommand(
      "delete",
      "Delete a virtual cluster: everything create made on the host (the namespace only if "
      "create made it), its kubeconfig contexts and local state. The control plane stops "
      "first (delete waits for its pod, at most 2m or --timeout), so nothing it syncs comes "
      "back.\n\nExamples:\n"
      "  kubectl vc delete dev-team --wait\n"
      "  kubectl vc delete dev-team --keep-data   # keep the PVC with the cluster's state");
  sub->add_option("NAME", flags->name, "Name of the virtual cluster")->required();
  sub->add_flag("--keep-data", flags->keep_data, "Keep the PersistentVolumeClaim (and namespace)");
  sub->add_flag("--wait", flags->wait, "Wait until every object is gone");
  sub->add_option(
         "--timeout", flags->timeout,
         "How long --wait waits (and, at most 2m of it, delete for the control plane to stop)")
      ->capture_default_str();
  sub->callback(
      [&globals, flags, action] { *action = [&globals, flags] { return Run(globals, *flags); }; });
}

}  // namespace vc::cli::cmd
