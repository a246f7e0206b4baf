// SPDX-License-Identifier: Apache-2.0
#include "cmd/commands.h"
#include "vc/log.h"
#include "vc/syncer/clients.h"
#include "vc/syncer/sleep/auto_sleep.h"

namespace vc::syncer::cmd {

namespace {

struct WakeFlags {
  std::string namespace_;
  std::string name;
  std::string kubeconfig;
};

int RunWake(const WakeFlags& flags) {
  auto host = LoadHostClient(flags.kubeconfig);
  if (!host.ok()) {
    VC_LOG(Error) << host.status().message();
    return 1;
  }
  bool woke = false;
  if (Status s = sleep::WakeUp(**host, flags.namespace_, flags.name, &woke); !s.ok()) {
    VC_LOG(Error) << s.message();
    return 1;
  }
  VC_LOG(Info) << "virtual cluster " << flags.name << " in " << flags.namespace_
               << (woke ? ": woken up"
                        : ": not asleep (running, or paused by a person); left as it is");
  return 0;
}

}  // namespace

void AddWakeCommand(CLI::App& app, std::function<int()>* action) {
  auto flags = std::make_shared<WakeFlags>();
  CLI::App* sub = app.add_subcommand(
      "wake", "Wake a virtual cluster sleepMode put to sleep (sleepMode.autoWakeup)");
  sub->footer(
      "Runs as the host CronJob NAME-wake, with a service account that may patch that one "
      "StatefulSet. A cluster a person paused stays paused.\n\n"
      "Example:\n  vc-syncer wake --namespace vcluster-dev --name dev");
  sub->add_option("--namespace", flags->namespace_, "The virtual cluster's host namespace")
      ->required();
  sub->add_option("--name", flags->name, "The virtual cluster's name")->required();
  sub->add_option("--kubeconfig", flags->kubeconfig,
                  "The host's kubeconfig (default: the pod's service account)");
  sub->callback([flags, action] { *action = [flags] { return RunWake(*flags); }; });
}

}  // namespace vc::syncer::cmd
