// SPDX-License-Identifier: Apache-2.0
#include "vc/agent/agent/agent_runtime.h"

#include <fcntl.h>
#include <malloc.h>
#include <sched.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "vc/agent/agent/node_agent.h"
#include "vc/agent/agent/pod_facts.h"
#include "vc/agent/agent/service_backends.h"
#include "vc/agent/agent/tenant_settings.h"
#include "vc/agent/cgroup/cgroup_fs.h"
#include "vc/agent/cgroup/pod_cgroup_locator.h"
#include "vc/agent/datapath/enforcement_store.h"
#include "vc/agent/datapath/libbpf_logging.h"
#include "vc/agent/datapath/libbpf_tc_attacher.h"
#include "vc/agent/datapath/netlink_veth_locator.h"
#include "vc/agent/datapath/segmentation_datapath.h"
#include "vc/health_server.h"
#include "vc/kube/informer.h"
#include "vc/kube/kubeconfig.h"
#include "vc/labels.h"
#include "vc/log.h"

namespace vc::agent {
namespace {

constexpr auto kStaleAfter = std::chrono::minutes(5);

// Wakes the reconcile loop: informer handlers call Notify on every change.
class ChangeSignal {
 public:
  void Notify() {
    std::lock_guard<std::mutex> lock(mu_);
    dirty_ = true;
    cv_.notify_all();
  }
  // Waits until notified, `timeout` passed or `stop` fired; true when notified.
  bool Wait(std::chrono::milliseconds timeout, const CancelToken& stop) {
    std::unique_lock<std::mutex> lock(mu_);
    // Bounded slices so a Cancel (which does not notify this cv) is seen quickly.
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (!dirty_ && !stop.cancelled() && std::chrono::steady_clock::now() < end) {
      cv_.wait_for(lock,
                   std::min<std::chrono::steady_clock::duration>(
                       std::chrono::milliseconds(100), end - std::chrono::steady_clock::now()));
    }
    const bool was = dirty_;
    dirty_ = false;
    return was;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool dirty_ = false;
};

// setns(2) of the calling thread into --pod-netns and back into the thread's own namespace.
class PodNetns : public DatapathNamespace {
 public:
  static StatusOr<std::unique_ptr<PodNetns>> Open(const std::string& path) {
    const int target = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (target < 0) return Internal("open netns " + path + ": " + std::strerror(errno));
    const int own = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (own < 0) {
      ::close(target);
      return Internal("open own netns: " + std::string(std::strerror(errno)));
    }
    return std::unique_ptr<PodNetns>(new PodNetns(path, target, own));
  }
  ~PodNetns() override {
    ::close(target_);
    ::close(own_);
  }
  Status Enter() override {
    if (::setns(target_, CLONE_NEWNET) != 0) {
      return Internal("enter netns " + path_ + ": " + std::strerror(errno));
    }
    return Status::Ok();
  }
  void Leave() override {
    if (::setns(own_, CLONE_NEWNET) != 0) {
      // API calls from this thread would now go to the wrong namespace: no way to continue.
      VC_LOG(Error) << "leave netns " << path_ << ": " << std::strerror(errno);
      std::abort();
    }
  }

 private:
  PodNetns(std::string path, int target, int own)
      : path_(std::move(path)), target_(target), own_(own) {}
  std::string path_;
  int target_;
  int own_;
};

StatusOr<kube::RestConfig> LoadConfig(const AgentConfig& config) {
  kube::KubeconfigOptions options;
  options.kubeconfig = config.kubeconfig;
  options.env = kube::ProcessEnvironment();
  if (config.kubeconfig.empty()) return kube::InClusterRestConfig(options);
  return kube::LoadRestConfig(options);
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
  std::string listen_host;
  int listen_port = 0;
  RETURN_IF_ERROR(ParseListenAddress(config.metrics_address, &listen_host, &listen_port));
  RouteLibbpfLogging();

  // 1. Datapath and store.
  auto datapath = SegmentationDatapath::Open({config.bpffs_root});
  if (!datapath.ok()) return datapath.status().Annotate("open datapath");
  auto store =
      EnforcementStore::Open((std::filesystem::path(config.state_dir) / "state.db").string());
  if (!store.ok()) return store.status().Annotate("open state");
  const std::string ids_path =
      (std::filesystem::path(config.state_dir) / "tenant-ids.json").string();
  auto ids = TenantIdAllocator::Load(ids_path);
  if (!ids.ok()) {
    VC_LOG(Warning) << ids.status().ToString() << "; tenant ids are assigned afresh";
    ids = TenantIdAllocator();
  }
  LibbpfTcAttacher tc;
  NetlinkVethLocator veths;
  SegmentationEnforcer enforcer(
      (*datapath)->maps(), tc, veths, **store,
      {(*datapath)->program(TcHook::kFromPod), (*datapath)->program(TcHook::kToPod)});

  // 3. Quotas, when kubelet's cgroups are where we look.
  std::unique_ptr<PodCgroupLocator> locator;
  std::unique_ptr<CgroupFs> cgroup_fs;
  std::unique_ptr<QuotaEnforcer> quotas;
  if (config.quotas) {
    locator = std::make_unique<PodCgroupLocator>(config.cgroup_root, config.kubelet_cgroup_root);
    auto layout = locator->DetectLayout();
    if (layout.ok()) {
      auto fs = NewCgroupFs(*layout, config.cgroup_root);
      if (fs.ok()) {
        VC_LOG(Info) << "tenant quotas on pod cgroups under "
                     << (config.kubelet_cgroup_root.empty() ? "/" : config.kubelet_cgroup_root)
                     << " (cgroup " << CgroupVersionName(layout->version) << ", "
                     << CgroupDriverName(layout->driver) << " driver)";
        cgroup_fs = std::move(*fs);
        quotas = std::make_unique<QuotaEnforcer>(*locator, *layout, *cgroup_fs);
      } else {
        VC_LOG(Warning) << "tenant quotas off: " << fs.status().ToString();
      }
    } else {
      VC_LOG(Warning) << "tenant quotas off: " << layout.status().ToString();
    }
  }

  auto rest = LoadConfig(config);
  if (!rest.ok()) return rest.status().Annotate("load kubeconfig");
  std::shared_ptr<kube::Client> client = kube::Client::ForConfig(*rest);

  std::unique_ptr<PodNetns> pod_netns;
  if (!config.pod_netns.empty()) {
    auto opened = PodNetns::Open(config.pod_netns);
    if (!opened.ok()) return opened.status();
    pod_netns = std::move(*opened);
  }
  NodeAgentOptions agent_options{config.node_name, ids_path};
  agent_options.datapath_netns = pod_netns.get();
  NodeAgent agent(agent_options, enforcer, (*datapath)->maps(), quotas.get(), client.get(),
                  std::move(*ids));

  // 2 and 6 run on the reconcile thread; the restore happens before the informers list.
  std::atomic<bool> restored{false};
  ChangeSignal changes;
  std::unique_ptr<kube::Informer> pods, workloads, nodes, tenants, services, slices;
  std::mutex informers_mu;
  std::condition_variable informers_cv;
  bool informers_started = false;
  const auto notify = kube::InformerHandlers{
      [&](const nlohmann::json&) { changes.Notify(); },
      [&](const nlohmann::json&, const nlohmann::json&) { changes.Notify(); },
      [&](const nlohmann::json&) { changes.Notify(); }};
  // EndpointSlices change with every pod of the cluster: only those of Services a Tenant names
  // (as of the last pass) and those of tenants' own Services (the controllers copy a Service's
  // labels to its slices) wake the loop. A Tenant naming another Service wakes it through the
  // Tenant informer, and that pass reads every slice from the cache.
  std::mutex named_mu;
  std::set<std::string> named_services;  // "namespace/name"
  auto named = [&](const nlohmann::json& slice) {
    const auto& meta = slice.value("metadata", nlohmann::json::object());
    const auto& labels = meta.value("labels", nlohmann::json::object());
    if (!TenantKeyFromLabels(labels).empty()) return true;
    const std::string key =
        meta.value("namespace", "") + "/" + labels.value(kServiceNameLabel, std::string());
    std::lock_guard<std::mutex> lock(named_mu);
    return named_services.count(key) > 0;
  };
  const auto notify_named_slices =
      kube::InformerHandlers{[&](const nlohmann::json& s) {
                               if (named(s)) changes.Notify();
                             },
                             [&](const nlohmann::json& old, const nlohmann::json& now) {
                               if (named(old) || named(now)) changes.Notify();
                             },
                             [&](const nlohmann::json& s) {
                               if (named(s)) changes.Notify();
                             }};

  std::thread loop([&] {
    if (Status s = agent.Restore(); !s.ok()) VC_LOG(Error) << s.ToString();
    restored = true;
    {
      std::unique_lock<std::mutex> lock(informers_mu);
      informers_cv.wait(lock, [&] { return informers_started || stop.cancelled(); });
    }
    // The Tenant CRD may not be installed yet (kubectl vc create installs it): then every
    // tenant pod is zero trust (no Tenant object), and the CRD is looked for again every 30s.
    bool synced = false;
    bool crd_missing_logged = false;
    auto next_crd_check = std::chrono::steady_clock::now();
    auto tenants_usable = [&]() -> bool {
      if (tenants) return tenants->HasSynced();
      if (std::chrono::steady_clock::now() < next_crd_check) return crd_missing_logged;
      auto probe = client->List(kTenantResource, "", {.limit = 1});
      if (probe.ok()) {
        tenants = std::make_unique<kube::Informer>(
            client, kube::InformerOptions{.resource = kTenantResource}, notify);
        tenants->Start();
        return false;
      }
      if (probe.status().code() != Code::kNotFound) {  // API unreachable: keep what we have
        next_crd_check = std::chrono::steady_clock::now() + std::chrono::seconds(2);
        return false;
      }
      if (!crd_missing_logged) {
        VC_LOG(Warning) << "the Tenant CRD (tenants.kubectl-vc.dev) is not installed: every "
                           "tenant pod is zero trust until it is";
        crd_missing_logged = true;
      }
      next_crd_check = std::chrono::steady_clock::now() + std::chrono::seconds(30);
      return true;
    };
    while (!stop.cancelled()) {
      // Every wake-up is a pass: after a change, after the retry interval when the last pass
      // left work, at the latest after the resync period. Until the informers synced, poll
      // (an informer with nothing to list never calls a handler).
      auto interval =
          !synced ? std::chrono::milliseconds(50)
          : agent.NeedsRetry()
              ? config.retry_interval
              : std::chrono::duration_cast<std::chrono::milliseconds>(config.resync_period);
      if (!tenants)
        interval = std::min<std::chrono::milliseconds>(interval, std::chrono::seconds(30));
      changes.Wait(interval, stop);
      if (stop.cancelled()) break;
      // A partial view would read as "pods gone": wait for every first list.
      const bool tenants_ok = tenants_usable();
      if (!pods->HasSynced() || !workloads->HasSynced() || !nodes->HasSynced() ||
          !services->HasSynced() || !slices->HasSynced() || !tenants_ok) {
        continue;
      }
      if (!synced) {
        VC_LOG(Info) << "informers synced: " << pods->List().size() << " pods, "
                     << (tenants ? tenants->List().size() : 0) << " tenants";
        synced = true;
      }
      ClusterView view;
      auto node = nodes->Get("", config.node_name);
      view.node = node ? *node : nlohmann::json(nullptr);
      view.pods = pods->List();
      view.workloads = workloads->List();
      if (tenants) view.tenants = tenants->List();
      {
        // Before the slices are copied: a slice event after this wakes the next pass, one
        // before it is in the copy.
        std::set<std::string> now_named;
        for (const auto& tenant : view.tenants) {
          auto settings = ParseTenant(tenant);
          if (!settings.ok()) continue;
          for (const ServiceRef& ref : settings->service_refs) now_named.insert(ref.key());
          // Its own API server's Service (BuildNodePolicy): a new control-plane pod moves it.
          now_named.insert(settings->namespace_ + "/" + settings->name);
        }
        std::lock_guard<std::mutex> lock(named_mu);
        named_services.swap(now_named);
      }
      view.services = services->List();
      view.endpoint_slices = slices->List();
      if (Status s = agent.ReconcileOnce(view); !s.ok()) {
        VC_LOG(Warning) << "reconcile: " << s.ToString() << " (retrying)";
      }
      view = {};
      // A pass over thousands of pods copies the cache; give the freed heap back, or the RSS
      // of a DaemonSet on every node stays at its peak.
      ::malloc_trim(0);
    }
  });

  // 4. Probes and metrics.
  HealthServer server(
      [&] {
        if (!agent.ready()) return true;  // still starting; readiness says so
        return vc::Clock::Real()->Now() - agent.last_pass() < kStaleAfter + config.resync_period;
      },
      [&] { return agent.ready(); });
  server.AddHandler("/metrics", [&] {
    HealthServer::Response r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = FormatPrometheus(agent.Metrics());
    return r;
  });
  auto port = server.Start(listen_host, listen_port);
  if (!port.ok()) {
    stop.Cancel();
    {
      std::lock_guard<std::mutex> lock(informers_mu);
      informers_cv.notify_all();
    }
    loop.join();
    return port.status();
  }
  VC_LOG(Info) << "vc-node-agent on node " << config.node_name << ": probes and metrics on "
               << listen_host << ":" << *port;

  // 5. Informers, once the last policy is back in place.
  while (!restored && !stop.cancelled()) stop.WaitFor(std::chrono::milliseconds(20));
  kube::InformerOptions pod_options{.resource = kube::resources::kPods,
                                    .field_selector = "spec.nodeName=" + config.node_name};
  pod_options.resync_period = config.resync_period;
  pod_options.transform = SlimPod;
  pods = std::make_unique<kube::Informer>(client, pod_options, notify);
  // Tenant pods of every node: their addresses tell peers here which tenant they are.
  kube::InformerOptions workload_options{
      .resource = kube::resources::kPods,
      .label_selector = std::string(labels::kComponent) + "=" + labels::kComponentWorkload};
  workload_options.resync_period = config.resync_period;
  workload_options.transform = SlimPod;
  workloads = std::make_unique<kube::Informer>(client, workload_options, notify);
  nodes = std::make_unique<kube::Informer>(
      client,
      kube::InformerOptions{.resource = kube::resources::kNodes,
                            .field_selector = "metadata.name=" + config.node_name},
      notify);
  // Services and their EndpointSlices, for shared services named by Service and tenants' own
  // Services: only what service_backends.h reads is kept.
  kube::InformerOptions service_options{.resource = kube::resources::kServices};
  service_options.transform = SlimService;
  services = std::make_unique<kube::Informer>(client, service_options, notify);
  kube::InformerOptions slice_options{.resource = kube::resources::kEndpointSlices};
  slice_options.transform = SlimEndpointSlice;
  slices = std::make_unique<kube::Informer>(client, slice_options, notify_named_slices);
  pods->Start();
  workloads->Start();
  nodes->Start();
  services->Start();
  slices->Start();
  {
    std::lock_guard<std::mutex> lock(informers_mu);
    informers_started = true;
    informers_cv.notify_all();
  }

  while (!stop.WaitFor(std::chrono::seconds(1))) {
  }
  VC_LOG(Info) << "stopping: pins, maps and filters stay in place";
  server.Stop();
  changes.Notify();
  loop.join();
  pods->Stop();
  workloads->Stop();
  nodes->Stop();
  services->Stop();
  slices->Stop();
  if (tenants) tenants->Stop();
  return Status::Ok();
}

}  // namespace vc::agent
