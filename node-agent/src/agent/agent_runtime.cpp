// SPDX-License-Identifier: Apache-2.0
// RunAgent's start-up steps, in order, over AgentState; the header says why in this order.
#include "vc/agent/agent/agent_runtime.h"

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>

#include "vc/agent/agent/agent_informers.h"
#include "vc/agent/agent/change_signal.h"
#include "vc/agent/agent/node_agent.h"
#include "vc/agent/agent/pod_netns.h"
#include "vc/agent/agent/reconcile_loop.h"
#include "vc/agent/cgroup/cgroup_fs.h"
#include "vc/agent/cgroup/pod_cgroup_locator.h"
#include "vc/agent/datapath/enforcement_store.h"
#include "vc/agent/datapath/libbpf_logging.h"
#include "vc/agent/datapath/libbpf_tc_attacher.h"
#include "vc/agent/datapath/netlink_veth_locator.h"
#include "vc/agent/datapath/segmentation_datapath.h"
#include "vc/health_server.h"
#include "vc/kube/kubeconfig.h"
#include "vc/log.h"
#include "vc/startup_sequence.h"

namespace vc::agent {
namespace {

constexpr auto kStaleAfter = std::chrono::minutes(5);

// What the steps make, in the order they make it (and destroyed in reverse).
struct AgentState {
  const AgentConfig& config;
  CancelToken& stop;
  std::string listen_host;
  int listen_port = 0;
  std::unique_ptr<SegmentationDatapath> datapath;
  std::unique_ptr<EnforcementStore> store;
  std::string ids_path;
  std::optional<TenantIdAllocator> ids;
  std::unique_ptr<LibbpfTcAttacher> tc;
  std::unique_ptr<NetlinkVethLocator> veths;
  std::unique_ptr<SegmentationEnforcer> enforcer;
  std::unique_ptr<PodCgroupLocator> locator;  // quotas: null when off
  std::unique_ptr<CgroupFs> cgroup_fs;
  std::unique_ptr<QuotaEnforcer> quotas;
  std::shared_ptr<kube::Client> client;
  std::unique_ptr<PodNetns> pod_netns;  // null without --pod-netns
  std::unique_ptr<NodeAgent> agent;
  ChangeSignal changes;
  std::unique_ptr<AgentInformers> informers;
  std::unique_ptr<ReconcileLoop> loop;
  std::unique_ptr<HealthServer> health;
};

Status OpenDatapath(AgentState* s) {
  RouteLibbpfLogging();
  ASSIGN_OR_RETURN(s->datapath, SegmentationDatapath::Open({s->config.bpffs_root}));
  return Status::Ok();
}

// The enforcement record and the tenant ids, then what enforces on top of them.
Status OpenState(AgentState* s) {
  const std::filesystem::path dir(s->config.state_dir);
  ASSIGN_OR_RETURN(s->store, EnforcementStore::Open((dir / "state.db").string()));
  s->ids_path = (dir / "tenant-ids.json").string();
  auto ids = TenantIdAllocator::Load(s->ids_path);
  if (!ids.ok()) {
    VC_LOG(Warning) << ids.status().ToString() << "; tenant ids are assigned afresh";
    ids = TenantIdAllocator();
  }
  s->ids = std::move(*ids);
  s->tc = std::make_unique<LibbpfTcAttacher>();
  s->veths = std::make_unique<NetlinkVethLocator>();
  s->enforcer = std::make_unique<SegmentationEnforcer>(
      s->datapath->maps(), *s->tc, *s->veths, *s->store,
      EnforcementPrograms{s->datapath->program(TcHook::kFromPod),
                          s->datapath->program(TcHook::kToPod)});
  return Status::Ok();
}

// Quotas, when kubelet's cgroups are where we look; else off, said in the log (never fatal).
Status FindPodCgroups(AgentState* s) {
  const AgentConfig& config = s->config;
  if (!config.quotas) return Status::Ok();
  s->locator = std::make_unique<PodCgroupLocator>(config.cgroup_root, config.kubelet_cgroup_root);
  auto layout = s->locator->DetectLayout();
  if (!layout.ok()) {
    VC_LOG(Warning) << "tenant quotas off: " << layout.status().ToString();
    return Status::Ok();
  }
  auto fs = NewCgroupFs(*layout, config.cgroup_root);
  if (!fs.ok()) {
    VC_LOG(Warning) << "tenant quotas off: " << fs.status().ToString();
    return Status::Ok();
  }
  VC_LOG(Info) << "tenant quotas on pod cgroups under "
               << (config.kubelet_cgroup_root.empty() ? "/" : config.kubelet_cgroup_root)
               << " (cgroup " << CgroupVersionName(layout->version) << ", "
               << CgroupDriverName(layout->driver) << " driver)";
  s->cgroup_fs = std::move(*fs);
  s->quotas = std::make_unique<QuotaEnforcer>(*s->locator, *layout, *s->cgroup_fs);
  return Status::Ok();
}

Status LoadKubeconfig(AgentState* s) {
  kube::KubeconfigOptions options;
  options.kubeconfig = s->config.kubeconfig;
  options.env = kube::ProcessEnvironment();
  ASSIGN_OR_RETURN(kube::RestConfig rest, s->config.kubeconfig.empty()
                                              ? kube::InClusterRestConfig(options)
                                              : kube::LoadRestConfig(options));
  s->client = kube::Client::ForConfig(rest);
  return Status::Ok();
}

Status OpenPodNetns(AgentState* s) {
  ASSIGN_OR_RETURN(s->pod_netns, PodNetns::Open(s->config.pod_netns));
  return Status::Ok();
}

Status CreateNodeAgent(AgentState* s) {
  NodeAgentOptions options{s->config.node_name, s->ids_path};
  options.datapath_netns = s->pod_netns.get();
  s->agent = std::make_unique<NodeAgent>(options, *s->enforcer, s->datapath->maps(),
                                         s->quotas.get(), s->client.get(), std::move(*s->ids));
  return Status::Ok();
}

// Made here, started once the last policy is back in place (StartInformers).
Status PrepareInformers(AgentState* s) {
  s->informers = std::make_unique<AgentInformers>(
      s->client, s->config.node_name, s->config.resync_period, [s] { s->changes.Notify(); });
  return Status::Ok();
}

// After the reconcile loop: it may start the Tenants' informer.
Status StopInformers(AgentState* s) {
  s->informers->Stop();
  return Status::Ok();
}

// The reconcile thread restores the last enforced policy at once: before the API server
// answers, and before the informers list.
Status StartReconcileLoop(AgentState* s) {
  s->loop = std::make_unique<ReconcileLoop>(
      *s->agent, *s->informers, s->changes,
      ReconcileTiming{s->config.retry_interval, s->config.resync_period}, s->stop);
  s->loop->Start();
  return Status::Ok();
}

Status StopReconcileLoop(AgentState* s) {
  s->loop->Stop();
  return Status::Ok();
}

Status ServeProbesAndMetrics(AgentState* s) {
  NodeAgent& agent = *s->agent;
  const auto resync_period = s->config.resync_period;
  s->health = std::make_unique<HealthServer>(
      [&agent, resync_period] {
        if (!agent.ready()) return true;  // still starting; readiness says so
        return vc::Clock::Real()->Now() - agent.last_pass() < kStaleAfter + resync_period;
      },
      [&agent] { return agent.ready(); });
  s->health->AddHandler("/metrics", [&agent] {
    HealthServer::Response r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = FormatPrometheus(agent.Metrics());
    return r;
  });
  ASSIGN_OR_RETURN(int port, s->health->Start(s->listen_host, s->listen_port));
  VC_LOG(Info) << "vc-node-agent on node " << s->config.node_name << ": probes and metrics on "
               << s->listen_host << ":" << port;
  return Status::Ok();
}

Status StopProbesAndMetrics(AgentState* s) {
  s->health->Stop();
  return Status::Ok();
}

// Once the last policy is back in place.
Status StartInformers(AgentState* s) {
  while (!s->loop->restored() && !s->stop.cancelled()) {
    s->stop.WaitFor(std::chrono::milliseconds(20));
  }
  s->informers->Start();
  s->loop->InformersStarted();
  return Status::Ok();
}

Status RunUntilStopped(AgentState* s) {
  while (!s->stop.WaitFor(std::chrono::seconds(1))) {
  }
  VC_LOG(Info) << "stopping: pins, maps and filters stay in place";
  return Status::Ok();
}

}  // namespace

Status ParseListenAddress(const std::string& text, std::string* host, int* port) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos) {
    return InvalidArgument("invalid listen address \"" + text + "\": want host:port");
  }
  *host = text.substr(0, colon);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  if (host->empty()) *host = "0.0.0.0";
  const std::string p = text.substr(colon + 1);
  char* end = nullptr;
  const long v = std::strtol(p.c_str(), &end, 10);
  if (p.empty() || *end != '\0' || v < 0 || v > 65535) {
    return InvalidArgument("invalid listen address \"" + text + "\": bad port");
  }
  *port = static_cast<int>(v);
  return Status::Ok();
}

Status RunAgent(const AgentConfig& config, CancelToken& stop) {
  if (config.node_name.empty()) {
    return InvalidArgument("--node-name is required (or NODE_NAME from the downward API)");
  }
  AgentState state{config, stop};
  RETURN_IF_ERROR(
      ParseListenAddress(config.metrics_address, &state.listen_host, &state.listen_port));
  StartupSequence seq;
  seq.AddStep("open datapath", [&] { return OpenDatapath(&state); });
  seq.AddStep("open state", [&] { return OpenState(&state); });
  seq.AddStep("find pod cgroups", [&] { return FindPodCgroups(&state); });
  seq.AddStep("load kubeconfig", [&] { return LoadKubeconfig(&state); });
  if (!config.pod_netns.empty()) {
    seq.AddStep("open pod netns", [&] { return OpenPodNetns(&state); });
  }
  seq.AddStep("create node agent", [&] { return CreateNodeAgent(&state); });
  seq.AddStep("prepare informers", [&] { return PrepareInformers(&state); },
              {"stop informers", [&] { return StopInformers(&state); }});
  seq.AddStep("start reconcile loop", [&] { return StartReconcileLoop(&state); },
              {"stop reconcile loop", [&] { return StopReconcileLoop(&state); }});
  seq.AddStep("serve probes and metrics", [&] { return ServeProbesAndMetrics(&state); },
              {"stop probes and metrics", [&] { return StopProbesAndMetrics(&state); }});
  seq.AddStep("start informers", [&] { return StartInformers(&state); });
  seq.AddStep("run until stopped", [&] { return RunUntilStopped(&state); });
  return seq.Run();
}

}  // namespace vc::agent
