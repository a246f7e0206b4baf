// SPDX-License-Identifier: Apache-2.0
#include "vc/cli/lifecycle/upgrade.h"

#include "cmd/commands.h"
#include "cmd/host_access.h"

namespace vc::cli::cmd {

namespace {

struct UpgradeFlags {
  std::string name;
  std::vector<std::string> values_files;
  std::vector<std::string> set_entries;
  std::string version;
  bool dry_run = false;
  bool wait = true;
  std::string timeout = "5m";
};

void PrintPlan(std::ostream& err, const lifecycle::UpgradePlan& plan) {
  err << "Upgrading virtual cluster " << plan.create.name << " in namespace "
      << plan.create.namespace_ << "\n  Kubernetes: " << plan.from_version
      << (plan.from_version == plan.to_version ? " (unchanged)" : " -> " + plan.to_version) << "\n";
  if (plan.changes.empty()) {
    err << "  values: unchanged\n";
    return;
  }
  err << "  values:\n";
  for (const auto& c : plan.changes) {
    err << "    " << c.path << ": " << c.before.value_or("(unset)") << " -> "
        << c.after.value_or("(unset)") << "\n";
  }
}

int RunUpgrade(const GlobalOptions& globals, const UpgradeFlags& flags) {
  auto timeout = ParseDuration("--timeout", flags.timeout);
  if (!timeout.ok()) return Fail(globals.Err(), timeout.status());
  lifecycle::UpgradeOptions options;
  options.set_entries = flags.set_entries;
  options.version = flags.version;
  options.sources = ValuesSources(flags.values_files, globals.In());
  auto target = OpenTarget(globals, flags.name);
  if (!target.ok()) return Fail(globals.Err(), target.status());
  auto& host = target->host;
  if (Status s = lifecycle::ReadValues(*host.client, &target->info); !s.ok()) {
    return Fail(globals.Err(), ExplainHostError(host, s));
  }
  auto plan = lifecycle::PlanUpgrade(target->info, options, {});
  if (!plan.ok()) return Fail(globals.Err(), plan.status());
  for (const auto& w : plan->warnings) globals.Err() << "warning: " << w << "\n";
  PrintPlan(globals.Err(), *plan);
  plan->create.check_only = flags.dry_run;
  plan->create.wait = flags.wait;
  plan->create.timeout = *timeout;
  output::Progress progress(globals.Err());
  auto done = lifecycle::Create(*host.client, plan->create, progress, globals.Interrupt());
  if (!done.ok()) return Fail(globals.Err(), ExplainHostError(host, done.status()));
  for (const auto& object : done->would_change) globals.Err() << "  changes: " << object << "\n";
  if (flags.dry_run) {
    globals.Err() << "dry run: nothing was changed\n";
    return 0;
  }
  globals.Err() << "virtual cluster " << plan->create.name << " is upgraded (Kubernetes "
                << plan->to_version << ")"
                << (lifecycle::IsPaused(target->info)
                        ? "; it stays " + target->info.status + " (kubectl vc resume " +
                              plan->create.name + ")"
                        : "")
                << "\n";
  return 0;
}

}  // namespace

void AddUpgradeCommand(CLI::App& app, GlobalOptions& globals, Action* action) {
  auto flags = std::make_shared<UpgradeFlags>();
  CLI::App* sub = app.add_subcommand(
      "upgrade",
      "Change a virtual cluster's values or Kubernetes version in place, its data kept.\n\n"
      "The values it runs with stay; -f files and --set entries go on top. The Kubernetes "
      "version moves one minor version at a time, never back. Before anything changes, the "
      "plan is printed and the host checks every object (a server-side dry run); then the "
      "control plane is replaced and its workloads keep running.\n\n"
      "Examples:\n"
      "  kubectl vc upgrade dev-team --version v1.36.1\n"
      "  kubectl vc upgrade dev-team --set policies.resourceQuota.enabled=true\n"
      "  kubectl vc upgrade dev-team -f more-values.yaml --dry-run");
  sub->add_option("NAME", flags->name, "Name of the virtual cluster")->required();
  sub->add_option("-f,--values", flags->values_files,
                  "Values file to put on top of the current values; repeat to layer, - for stdin");
  sub->add_option("--set", flags->set_entries, "KEY=VALUE on top of the files; repeatable");
  sub->add_option("--version", flags->version,
                  "Kubernetes version to run (controlPlane.distro.k8s.version), the current "
                  "minor version or the next one");
  sub->add_flag("--dry-run", flags->dry_run,
                "Print what would change and have the host check it; change nothing");
  sub->add_flag("--wait,!--no-wait", flags->wait,
                "Wait until the new control plane is ready (default true)");
  sub->add_option("--timeout", flags->timeout, "How long to wait for the control plane")
      ->capture_default_str();
  sub->callback([&globals, flags, action] {
    *action = [&globals, flags] { return RunUpgrade(globals, *flags); };
  });
}

}  // namespace vc::cli::cmd
