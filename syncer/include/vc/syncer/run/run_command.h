// SPDX-License-Identifier: Apache-2.0
// `vc-syncer run`, the syncer container, as the steps of a StartupSequence
// (vc/startup_sequence.h in shared/): clients for host and virtual cluster, the health
// endpoints, the wait for the virtual apiserver, then (with --name) the sync configuration,
// the kubelet API, cluster DNS, manifests, the per-kind syncers and the sync health report,
// and idle until stopped.
//
// /healthz answers 200 as soon as the server listens; /readyz only once the virtual
// apiserver answered. The health server starts before the wait on purpose: a liveness probe
// must not kill a syncer that is correctly waiting for a slow apiserver.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "vc/cancel_token.h"
#include "vc/clock.h"
#include "vc/status.h"
#include "vc/syncer/run/apiserver_wait.h"

namespace vc::syncer::run {

struct RunOptions {
  std::string data_dir = "/data";
  // --name / --namespace: the virtual cluster and its host namespace. Without a name the
  // syncer only serves health (what it did before object syncing existed).
  std::string name;
  std::string namespace_;
  // --pod-name ($POD_NAME): the syncer's own pod, where it reports sync health
  // (sync_health_report.h); empty: no report.
  std::string pod_name;
  // --image: the syncer's own image, run as the init container that writes a tenant pod's
  // /etc/hosts (translate/hosts_file.h); empty: pods keep the host kubelet's file.
  std::string image;
  // --activity-log: the virtual API server's audit log sleepMode watches (sleep/activity.h).
  std::string activity_log = "/tmp/vc-activity.log";
  int kubelet_port = 10250;
  double host_qps = 50;  // --host-qps: requests a second toward the host API (0: no limit)
  int host_burst =
      100;  // --host-burst  // --kubelet-port ($(VC_KUBELET_PORT)): advertised by pseudo nodes
  std::chrono::milliseconds sync_timeout{std::chrono::seconds(60)};  // caches filled
  std::string host_kubeconfig;     // --host-kubeconfig; empty: in-cluster
  std::string virtual_kubeconfig;  // --virtual-kubeconfig; empty: DATA_DIR/kubeconfig/syncer.conf
  std::string health_address = "127.0.0.1";  // --health-address
  int health_port = 0;                       // --health-port ($(VC_SYNCER_PORT)); 0: any
  ApiserverWaitOptions apiserver_wait;       // --apiserver-timeout sets .timeout
  std::shared_ptr<Clock> clock = Clock::Real();
  // Called with the port once the health server listens (tests use port 0).
  std::function<void(int port)> on_listening;
};

Status ValidateRunOptions(const RunOptions& options);

// Runs until `stop` fires (Ok) or a step fails. Teardown always runs.
Status RunSyncer(const RunOptions& options, const CancelToken& stop);

}  // namespace vc::syncer::run
