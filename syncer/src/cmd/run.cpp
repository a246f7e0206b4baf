// SPDX-License-Identifier: Apache-2.0
#include "cmd/commands.h"
#include "vc/log.h"
#include "vc/syncer/run/run_command.h"
#include "vc/syncer/run/termination_signals.h"

namespace vc::syncer::cmd {

void AddRunCommand(CLI::App& app, std::function<int()>* action) {
  auto options = std::make_shared<run::RunOptions>();
  auto timeout_seconds = std::make_shared<int>(300);
  CLI::App* sub = app.add_subcommand(
      "run", "Wait for the virtual apiserver, serve /healthz and /readyz, run until stopped");
  sub->footer(
      "Runs as the syncer container until SIGTERM or SIGINT.\n\n"
      "Example:\n"
      "  vc-syncer run --data-dir /data --health-port $(VC_SYNCER_PORT)");
  sub->add_option("--data-dir", options->data_dir, "The pod's data volume")->capture_default_str();
  sub->add_option("--host-kubeconfig", options->host_kubeconfig,
                  "Kubeconfig of the host cluster (default: in-cluster service account)");
  sub->add_option("--virtual-kubeconfig", options->virtual_kubeconfig,
                  "Kubeconfig of the virtual cluster (default: DATA_DIR/kubeconfig/syncer.conf)");
  sub->add_option("--name", options->name,
                  "Virtual cluster name; without it nothing is synced (health only)");
  sub->add_option("--namespace", options->namespace_, "Host namespace of the virtual cluster")
      ->envname("POD_NAMESPACE");
  sub->add_option("--pod-name", options->pod_name,
                  "The syncer's own pod, annotated with its sync health (kubectl vc describe)")
      ->envname("POD_NAME");
  sub->add_option("--image", options->image,
                  "This pod's vc-syncer image: also what writes the /etc/hosts of a tenant pod "
                  "with a subdomain (empty: the host's file stays)");
  sub->add_option("--activity-log", options->activity_log,
                  "The virtual API server's audit log; with sleepMode, its last change is the "
                  "last request of a user or workload")
      ->capture_default_str();
  sub->add_option("--kubelet-port", options->kubelet_port,
                  "Port pseudo nodes advertise as their kubelet endpoint")
      ->envname("VC_KUBELET_PORT")
      ->capture_default_str();
  sub->add_option("--host-qps", options->host_qps,
                  "Requests a second the syncer sends the host API server (watches excepted; "
                  "0: no limit)")
      ->capture_default_str();
  sub->add_option("--host-burst", options->host_burst, "Requests the host QPS limit lets burst")
      ->capture_default_str();
  sub->add_option("--health-port", options->health_port, "Port of /healthz and /readyz")
      ->envname("VC_SYNCER_PORT");
  sub->add_option("--health-address", options->health_address,
                  "Address of /healthz and /readyz (kubelet httpGet probes need the pod IP "
                  "or 0.0.0.0)")
      ->capture_default_str();
  sub->add_option("--apiserver-timeout", *timeout_seconds,
                  "Seconds to wait for the virtual apiserver before giving up")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  sub->callback([options, timeout_seconds, action] {
    *action = [options, timeout_seconds] {
      options->apiserver_wait.timeout = std::chrono::seconds(*timeout_seconds);
      CancelToken stop;
      run::TerminationSignals signals(&stop);
      Status s = run::RunSyncer(*options, stop);
      if (!s.ok()) {
        VC_LOG(Error) << "run: " << s.message();
        return 1;
      }
      VC_LOG(Info) << "vc-syncer stopped";
      return 0;
    };
  });
}

}  // namespace vc::syncer::cmd
