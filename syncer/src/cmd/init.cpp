// SPDX-License-Identifier: Apache-2.0
#include "cmd/commands.h"
#include "vc/log.h"
#include "vc/syncer/clients.h"
#include "vc/syncer/init/init_command.h"
#include "vc/syncer/snapshot/restore_swap.h"

namespace vc::syncer::cmd {

void AddInitCommand(CLI::App& app, std::function<int()>* action) {
  auto options = std::make_shared<init::InitOptions>();
  CLI::App* sub = app.add_subcommand(
      "init", "Prepare /data (PKI, kubeconfigs) and publish Secret vc-NAME on the host");
  sub->footer(
      "Runs as the control-plane pod's init container; safe to run again.\n\n"
      "Example:\n"
      "  vc-syncer init --name dev-team --namespace vcluster-dev-team --data-dir /data \\\n"
      "    --apiserver-port $(VC_APISERVER_PORT) --san dev.example.com");
  sub->add_option("--name", options->name, "Virtual cluster name")->required();
  sub->add_option("--namespace", options->namespace_, "Host namespace of the virtual cluster")
      ->required()
      ->envname("POD_NAMESPACE");
  sub->add_option("--data-dir", options->data_dir, "The pod's data volume")->capture_default_str();
  sub->add_option("--apiserver-port", options->apiserver_port,
                  "Port of the virtual apiserver on 127.0.0.1")
      ->required()
      ->envname("VC_APISERVER_PORT");
  sub->add_option("--san", options->sans,
                  "Extra name or IP of the virtual apiserver's serving certificate (repeatable)");
  sub->add_option("--service-cidr", options->service_cidr,
                  "The virtual apiserver's --service-cluster-ip-range")
      ->capture_default_str();
  sub->add_option("--host-kubeconfig", options->host_kubeconfig,
                  "Kubeconfig of the host cluster (default: in-cluster service account)");
  sub->callback([options, action] {
    *action = [options] {
      // A restore staged by the snapshot server becomes the state before anything reads it
      // (and is rolled back when init fails on it).
      Status s = snapshot::InitWithStagedRestore(options->data_dir, [&] {
        return init::RunInit(*options, [&] { return LoadHostClient(options->host_kubeconfig); });
      });
      if (!s.ok()) {
        VC_LOG(Error) << "init: " << s.message();
        return 1;
      }
      return 0;
    };
  });
}

}  // namespace vc::syncer::cmd
