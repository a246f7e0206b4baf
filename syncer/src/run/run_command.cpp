// SPDX-License-Identifier: Apache-2.0
// The start-up steps of `vc-syncer run`, in order. Each is a small function over RunState;
// a later feature adds its step (and its teardown) here.
#include "vc/syncer/run/run_command.h"

#include <atomic>

#include "vc/log.h"
#include "vc/syncer/clients.h"
#include "vc/health_server.h"
#include "vc/syncer/run/startup_sequence.h"

namespace vc::syncer::run {
namespace {

struct RunState {
  const RunOptions& options;
  const CancelToken& stop;
  std::shared_ptr<kube::Client> host;
  std::shared_ptr<kube::Client> virtual_cluster;
  std::atomic<bool> ready{false};
  std::unique_ptr<HealthServer> health;
};

Status LoadClients(RunState* s) {
  ASSIGN_OR_RETURN(s->host, LoadHostClient(s->options.host_kubeconfig));
  VC_LOG(Info) << "host cluster: " << s->host->config().server;
  const std::string path = s->options.virtual_kubeconfig.empty()
                               ? s->options.data_dir + "/kubeconfig/syncer.conf"
                               : s->options.virtual_kubeconfig;
  ASSIGN_OR_RETURN(s->virtual_cluster, LoadVirtualClient(path));
  VC_LOG(Info) << "virtual cluster: " << s->virtual_cluster->config().server;
  return Status::Ok();
}

Status ServeHealth(RunState* s) {
  s->health = std::make_unique<HealthServer>([] { return true; },
                                             [s] { return s->ready.load(); });
  ASSIGN_OR_RETURN(int port, s->health->Start(s->options.health_address, s->options.health_port));
  VC_LOG(Info) << "serving /healthz and /readyz on http://" << s->options.health_address << ":"
               << port;
  if (s->options.on_listening) s->options.on_listening(port);
  return Status::Ok();
}

Status WaitForVirtualApiserver(RunState* s) {
  RETURN_IF_ERROR(WaitForApiserverReady(*s->virtual_cluster, *s->options.clock, s->stop,
                                        s->options.apiserver_wait));
  s->ready.store(true);
  return Status::Ok();
}

Status WaitForStop(RunState* s) {
  VC_LOG(Info) << "vc-syncer is running";
  while (!s->stop.WaitFor(std::chrono::hours(1))) {
  }
  return Status::Ok();
}

Status StopHealth(RunState* s) {
  if (s->health != nullptr) s->health->Stop();
  return Status::Ok();
}

}  // namespace

Status ValidateRunOptions(const RunOptions& o) {
  if (o.data_dir.empty() && o.virtual_kubeconfig.empty()) {
    return InvalidArgument("invalid flags: --data-dir or --virtual-kubeconfig is required");
  }
  if (o.health_port < 0 || o.health_port > 65535) {
    return InvalidArgument("invalid --health-port " + std::to_string(o.health_port) +
                           ": want 0-65535 (the pod spec passes $(VC_SYNCER_PORT))");
  }
  if (o.apiserver_wait.timeout <= std::chrono::milliseconds::zero()) {
    return InvalidArgument("invalid --apiserver-timeout: it must be positive");
  }
  return Status::Ok();
}

Status RunSyncer(const RunOptions& options, const CancelToken& stop) {
  RETURN_IF_ERROR(ValidateRunOptions(options));
  RunState state{options, stop};
  StartupSequence seq;
  seq.AddStep("load clients", [&] { return LoadClients(&state); });
  seq.AddStep("serve health endpoints", [&] { return ServeHealth(&state); });
  seq.AddStep("wait for virtual apiserver", [&] { return WaitForVirtualApiserver(&state); });
  seq.AddStep("run until stopped", [&] { return WaitForStop(&state); });
  seq.AddTeardown("stop health endpoints", [&] { return StopHealth(&state); });
  Status s = seq.Run();
  // Being stopped while waiting is a normal end (kubelet stopping a pod that never got ready).
  if (s.code() == Code::kCancelled) return Status::Ok();
  return s;
}

}  // namespace vc::syncer::run
