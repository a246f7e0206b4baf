// SPDX-License-Identifier: Apache-2.0
// The start-up steps of `vc-syncer run`, in order. Each is a small function over RunState;
// a later feature adds its step (and its teardown) here.
#include "vc/syncer/run/run_command.h"

#include <algorithm>
#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include "vc/base64.h"
#include "vc/health_server.h"
#include "vc/log.h"
#include "vc/rfc3339.h"
#include "vc/startup_sequence.h"
#include "vc/syncer/clients.h"
#include "vc/syncer/kubelet/kubelet_server.h"
#include "vc/syncer/pki/certificate.h"
#include "vc/syncer/run/kind_syncers.h"
#include "vc/syncer/run/sync_health_report.h"
#include "vc/syncer/sleep/activity.h"
#include "vc/syncer/sleep/auto_sleep.h"
#include "vc/syncer/sync/manifests.h"
#include "vc/syncer/sync/sync_metrics.h"
#include "vc/syncer/translate/dns_config.h"
#include "vc/yaml.h"

namespace vc::syncer::run {
namespace {

using nlohmann::json;

struct RunState {
  const RunOptions& options;
  const CancelToken& stop;
  std::shared_ptr<kube::Client> host;
  std::shared_ptr<kube::Client> virtual_cluster;
  std::atomic<bool> ready{false};
  std::unique_ptr<HealthServer> health;
  // Outlives the syncers (their controllers report to it) and the health server (/metrics).
  std::shared_ptr<sync::SyncMetrics> metrics = std::make_shared<sync::SyncMetrics>();
  std::unique_ptr<SyncHealthReport> report;
  std::shared_ptr<sync::SyncContext> sync;
  std::unique_ptr<kubelet::KubeletServer> kubelet;
  std::vector<std::unique_ptr<sync::KindSyncer>> syncers;  // started in order, stopped reversed
};

Status LoadClients(RunState* s) {
  ASSIGN_OR_RETURN(s->host, LoadHostClient(s->options.host_kubeconfig, s->options.host_qps,
                                           s->options.host_burst));
  VC_LOG(Info) << "host cluster: " << s->host->config().server;
  const std::string path = s->options.virtual_kubeconfig.empty()
                               ? s->options.data_dir + "/kubeconfig/syncer.conf"
                               : s->options.virtual_kubeconfig;
  ASSIGN_OR_RETURN(s->virtual_cluster, LoadVirtualClient(path));
  VC_LOG(Info) << "virtual cluster: " << s->virtual_cluster->config().server;
  return Status::Ok();
}

Status ServeHealth(RunState* s) {
  s->health = std::make_unique<HealthServer>([] { return true; }, [s] { return s->ready.load(); });
  s->health->AddHandler("/metrics", [metrics = s->metrics] {
    return HealthServer::Response{
        .content_type = "text/plain; version=0.0.4; charset=utf-8",
        .body = sync::FormatPrometheus(metrics->Controllers(), metrics->LastRefusal())};
  });
  ASSIGN_OR_RETURN(int port, s->health->Start(s->options.health_address, s->options.health_port));
  VC_LOG(Info) << "serving /healthz, /readyz and /metrics on http://" << s->options.health_address
               << ":" << port;
  if (s->options.on_listening) s->options.on_listening(port);
  return Status::Ok();
}

Status WaitForVirtualApiserver(RunState* s) {
  RETURN_IF_ERROR(WaitForApiserverReady(*s->virtual_cluster, *s->options.clock, s->stop,
                                        s->options.apiserver_wait));
  s->ready.store(true);
  return Status::Ok();
}

// The effective values kubectl-vc stored (Secret vc-config-NAME, config.yaml) and the host
// Service pods reach the virtual API server through.
Status LoadSyncContext(RunState* s) {
  const RunOptions& o = s->options;
  auto ctx = std::make_shared<sync::SyncContext>();
  ctx->host = s->host;
  ctx->virtual_cluster = s->virtual_cluster;
  ctx->metrics = s->metrics;
  ASSIGN_OR_RETURN(json secret,
                   s->host->Get(kube::resources::kSecrets, o.namespace_, "vc-config-" + o.name));
  const std::string encoded =
      secret.value("data", json::object()).value("config.yaml", std::string());
  const auto text = Base64Decode(encoded);
  if (!text) return Internal("secret vc-config-" + o.name + ": config.yaml is not base64");
  ASSIGN_OR_RETURN(auto doc, yaml::Parse(*text, "secret vc-config-" + o.name));
  ctx->config = translate::SyncConfigFromValues(doc.value);
  RETURN_IF_ERROR(translate::CheckSyncConfig(ctx->config).Annotate("secret vc-config-" + o.name));
  ctx->tenant = {
      .name = o.name, .host_namespace = o.namespace_, .trust_level = ctx->config.trust_level};
  ASSIGN_OR_RETURN(json service, s->host->Get(kube::resources::kServices, o.namespace_, o.name));
  ctx->pod_env.apiserver_host = service.value("spec", json::object()).value("clusterIP", "");
  ctx->pod_env.hosts_image = o.image;
  ctx->kubelet.port = o.kubelet_port;
  s->sync = ctx;
  VC_LOG(Info) << "syncing tenant " << o.name << " into host namespace " << o.namespace_
               << " (trust level " << ctx->config.trust_level << ")";
  return Status::Ok();
}

// All at once: each syncer's watches take up to a second to notice their cancel, and the pod's
// grace period is short (kubelet kills what is still running when it ends).
Status StopSyncers(RunState* s) {
  std::vector<std::thread> stopping;
  for (auto& syncer : s->syncers) stopping.emplace_back([&syncer] { syncer->Stop(); });
  for (auto& t : stopping) t.join();
  s->syncers.clear();
  return Status::Ok();
}

// In order, each once the one before filled its caches. A syncer that does not stops every
// syncer already started (this step's teardown runs only when it succeeded).
Status StartEachSyncer(RunState* s) {
  for (auto& syncer : s->syncers) {
    syncer->Start();
    if (!syncer->WaitForSync(s->options.sync_timeout)) {
      Status timeout = Timeout("sync " + syncer->name() + ": caches not filled within " +
                               std::to_string(s->options.sync_timeout.count() / 1000) +
                               "s (can the syncer list and watch it on both sides?)");
      RETURN_IF_ERROR(StopSyncers(s));
      return timeout;
    }
    VC_LOG(Info) << "syncing " << syncer->name();
  }
  return Status::Ok();
}

Status StartSyncers(RunState* s) {
  ASSIGN_OR_RETURN(s->syncers, BuildKindSyncers(s->sync, s->options.sync_timeout));
  return StartEachSyncer(s);
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The kubelet API of the pseudo nodes, on loopback: the virtual API server shares the pod's
// network. Its serving certificate is issued from the cluster CA at every start (in memory).
Status ServeKubelet(RunState* s) {
  const std::string pki = s->options.data_dir + "/pki";
  pki::CertificateAuthority ca{ReadText(pki + "/ca.crt"), ReadText(pki + "/ca.key")};
  if (ca.certificate_pem.empty() || ca.private_key_pem.empty()) {
    return FailedPrecondition("kubelet API: no CA in " + pki + " (did vc-syncer init run?)");
  }
  pki::CertificateSpec spec{.subject = {"vc-syncer-kubelet", {}},
                            .dns_names = {"localhost"},
                            .ip_addresses = {"127.0.0.1"},
                            .server_auth = true};
  ASSIGN_OR_RETURN(auto serving, pki::IssueCertificate(ca, spec, pki::WallClock::now()));
  s->kubelet = std::make_unique<kubelet::KubeletServer>(
      kubelet::KubeletServerOptions{.address = "127.0.0.1",
                                    .port = s->options.kubelet_port,
                                    .ca_pem = ca.certificate_pem,
                                    .serving_cert_pem = serving.certificate_pem,
                                    .serving_key_pem = serving.private_key_pem,
                                    .tenant = s->sync->tenant,
                                    .host = s->host->config()});
  ASSIGN_OR_RETURN(int port, s->kubelet->Start());
  s->sync->kubelet = {.address = "127.0.0.1", .port = port};
  VC_LOG(Info) << "serving the kubelet API of the virtual cluster's nodes on https://127.0.0.1:"
               << port;
  return Status::Ok();
}

Status StopKubelet(RunState* s) {
  if (s->kubelet != nullptr) s->kubelet->Stop();
  return Status::Ok();
}

// Not fatal either: a typo in the tenant's manifests must not stop its workloads.
Status DeployManifests(RunState* s) {
  Status deployed = sync::DeployManifests(*s->virtual_cluster, s->sync->config.manifests);
  if (!deployed.ok())
    VC_LOG(Error) << "experimental.deploy.vcluster.manifests: " << deployed.message();
  return Status::Ok();
}

// CoreDNS inside the virtual cluster, configured from networking.* (dns_config.h); it runs as
// a synced workload like any other.
// Not fatal: a syncer without DNS still runs workloads; the log says what went wrong.
Status DeployClusterDns(RunState* s) {
  const auto objects = translate::CoreDnsObjects(s->sync->config);
  // kube-system appears a moment after the API server is ready.
  for (int attempt = 0; attempt < 30; ++attempt) {
    Status applied = sync::ApplyObjects(*s->virtual_cluster, objects);
    if (applied.ok()) return Status::Ok();
    if (applied.code() != Code::kNotFound || s->stop.WaitFor(std::chrono::seconds(1))) {
      VC_LOG(Error) << "deploy cluster DNS: " << applied.message();
      return Status::Ok();
    }
  }
  VC_LOG(Error) << "deploy cluster DNS: kube-system did not appear";
  return Status::Ok();
}

Status StartSyncHealthReport(RunState* s) {
  if (s->options.pod_name.empty()) return Status::Ok();
  s->report = std::make_unique<SyncHealthReport>(s->host, s->options.namespace_,
                                                 s->options.pod_name, s->metrics);
  s->report->Start();
  return Status::Ok();
}

Status StopSyncHealthReport(RunState* s) {
  if (s->report != nullptr) s->report->Stop();
  return Status::Ok();
}

Status WaitForStop(RunState* s) {
  VC_LOG(Info) << "vc-syncer is running";
  const auto after = s->sync ? s->sync->config.sleep_after() : std::chrono::milliseconds(0);
  if (after.count() == 0) {
    while (!s->stop.WaitFor(std::chrono::hours(1))) {
    }
    return Status::Ok();
  }
  // sleepMode: watch the audit log for requests of users and workloads.
  const auto since = std::chrono::system_clock::now();
  const auto period = std::clamp<std::chrono::milliseconds>(after / 4, std::chrono::seconds(1),
                                                            std::chrono::seconds(10));
  VC_LOG(Info) << "sleepMode: asleep after " << after.count() / 1000
               << "s without a request from a user or workload (" << s->options.activity_log << ")";
  while (!s->stop.WaitFor(period)) {
    const auto last = sleep::LastActivity(s->options.activity_log, since);
    if (!sleep::Idle(last, std::chrono::system_clock::now(), after)) continue;
    VC_LOG(Info) << "sleepMode: no request since " << FormatRfc3339(last) << "; going to sleep";
    RETURN_IF_ERROR(StopSyncers(s));
    // A request while the syncers stopped: stay awake. The container restarts (the syncers
    // cannot be started twice) and syncs again.
    if (!sleep::Idle(sleep::LastActivity(s->options.activity_log, since),
                     std::chrono::system_clock::now(), after)) {
      return FailedPrecondition(
          "sleepMode: a request arrived while going to sleep; restarting to sync");
    }
    RETURN_IF_ERROR(sleep::GoToSleep(*s->host, s->sync->tenant));
    // Kubelet stops this pod. If it does not (someone resumed the cluster before the
    // StatefulSet controller acted), a syncer without syncers must not pass for a running
    // one: end, and the container restarts and syncs.
    if (s->stop.WaitFor(std::chrono::minutes(2))) return Status::Ok();
    return FailedPrecondition(
        "sleepMode: still running 2 minutes after going to sleep (resumed?); "
        "restarting to sync");
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
  if (!o.name.empty() && o.namespace_.empty()) {
    return InvalidArgument(
        "invalid flags: --name needs --namespace (the pod spec passes "
        "$(POD_NAMESPACE))");
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
  seq.AddStep("serve health endpoints", [&] { return ServeHealth(&state); },
              {"stop health endpoints", [&] { return StopHealth(&state); }});
  seq.AddStep("wait for virtual apiserver", [&] { return WaitForVirtualApiserver(&state); });
  if (!options.name.empty()) {
    seq.AddStep("load sync configuration", [&] { return LoadSyncContext(&state); });
    seq.AddStep("serve kubelet API", [&] { return ServeKubelet(&state); },
                {"stop kubelet API", [&] { return StopKubelet(&state); }});
    seq.AddStep("deploy cluster DNS", [&] { return DeployClusterDns(&state); });
    seq.AddStep("deploy manifests", [&] { return DeployManifests(&state); });
    seq.AddStep("start syncers", [&] { return StartSyncers(&state); },
                {"stop syncers", [&] { return StopSyncers(&state); }});
    seq.AddStep("report sync health", [&] { return StartSyncHealthReport(&state); },
                {"stop sync health report", [&] { return StopSyncHealthReport(&state); }});
  }
  seq.AddStep("run until stopped", [&] { return WaitForStop(&state); });
  Status s = seq.Run();
  // Being stopped while waiting is a normal end (kubelet stopping a pod that never got ready).
  if (s.code() == Code::kCancelled) return Status::Ok();
  return s;
}

}  // namespace vc::syncer::run
