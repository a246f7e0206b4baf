// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/snapshot/snapshot_server.h"

#include "cmd/commands.h"
#include "vc/log.h"
#include "vc/syncer/run/termination_signals.h"

namespace vc::syncer::cmd {

void AddSnapshotServerCommand(CLI::App& app, std::function<int()>* action) {
  auto options = std::make_shared<snapshot::SnapshotServerOptions>();
  CLI::App* sub = app.add_subcommand(
      "snapshot-server",
      "Serve snapshot download and restore upload for kubectl vc snapshot/restore");
  sub->footer(
      "Runs as the control-plane pod's snapshot container. HTTPS with the virtual "
      "cluster's certificates; clients need its admin certificate.\n\n"
      "Example:\n  vc-syncer snapshot-server --data-dir /data --port $(VC_SNAPSHOT_PORT)");
  sub->add_option("--data-dir", options->data_dir, "The pod's data volume")->capture_default_str();
  sub->add_option("--address", options->address,
                  "Listen address (kubectl port-forward dials "
                  "127.0.0.1 inside the pod)")
      ->capture_default_str();
  sub->add_option("--port", options->port, "Listen port")->required()->envname("VC_SNAPSHOT_PORT");
  sub->callback([options, action] {
    *action = [options] {
      CancelToken stop;
      run::TerminationSignals signals(&stop);
      snapshot::SnapshotServer server(*options);
      if (Status s = server.Start(); !s.ok()) {
        VC_LOG(Error) << s.message();
        return 1;
      }
      server.Serve(stop);
      return 0;
    };
  });
}

}  // namespace vc::syncer::cmd
