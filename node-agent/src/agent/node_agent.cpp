// SPDX-License-Identifier: Apache-2.0
#include "vc/agent/agent/node_agent.h"

#include <chrono>

#include "vc/agent/agent/eviction.h"
#include "vc/log.h"
#include "vc/node/dedicated_nodes.h"

namespace vc::agent {
namespace {

using nlohmann::json;

double UnixNow() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string Rfc3339Now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Enters the datapath's namespace for one call and leaves it again.
class InDatapathNamespace {
 public:
  explicit InDatapathNamespace(DatapathNamespace* ns) : ns_(ns) {
    if (ns_ != nullptr) status_ = ns_->Enter();
  }
  ~InDatapathNamespace() {
    if (ns_ != nullptr && status_.ok()) ns_->Leave();
  }
  InDatapathNamespace(const InDatapathNamespace&) = delete;
  InDatapathNamespace& operator=(const InDatapathNamespace&) = delete;
  const Status& status() const { return status_; }

 private:
  DatapathNamespace* ns_;
  Status status_;
};

}  // namespace

NodeAgent::NodeAgent(NodeAgentOptions options, SegmentationEnforcer& segmentation,
                     SegmentationMaps& maps, QuotaEnforcer* quotas, kube::Client* client,
                     TenantIdAllocator ids, std::shared_ptr<vc::Clock> clock)
    : options_(std::move(options)),
      segmentation_(segmentation),
      maps_(maps),
      quotas_(quotas),
      client_(client),
      clock_(std::move(clock)),
      ids_(std::move(ids)) {}

Status NodeAgent::Restore() {
  InDatapathNamespace in_netns(options_.datapath_netns);
  RETURN_IF_ERROR(in_netns.status());
  auto report = segmentation_.RestoreLastEnforced();
  if (!report.ok()) {
    CountError("segmentation");
    return report.status().Annotate("restore last enforced policy");
  }
  VC_LOG(Info) << "restored last enforced policy: " << report->map_writes << " map writes, "
               << report->filters_attached << " filters attached";
  std::lock_guard<std::mutex> lock(mu_);
  pods_without_veth_ = static_cast<int>(report->pods_without_veth.size());
  return Status::Ok();
}

Status NodeAgent::ReconcileOnce(const ClusterView& view) {
  std::vector<PodFacts> pods;
  std::vector<TenantSettings> tenants;
  std::map<std::string, ServiceAddresses> services;
  try {
    for (const json& p : view.pods) pods.push_back(ParsePod(p));
    for (const json& p : view.workloads) {
      PodFacts f = ParsePod(p);
      const json::json_pointer node_name("/spec/nodeName");
      if (p.contains(node_name) && p.at(node_name) == options_.node_name) continue;  // in pods
      f.on_node = false;
      pods.push_back(std::move(f));
    }
    for (const json& t : view.tenants) {
      auto parsed = ParseTenant(t);
      if (parsed.ok()) tenants.push_back(std::move(*parsed));
    }
    services = IndexServices(view.services, view.endpoint_slices);
  } catch (const std::exception& e) {  // a field of an unexpected JSON type
    CountError("segmentation");
    return Internal(std::string("read cluster view: ") + e.what());
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    retry_ = false;
  }
  const auto before = ids_.assigned();
  NodePolicy policy = BuildNodePolicy(view.node, pods, tenants, ids_, services);
  // Each problem once while it lasts, not on every pass.
  std::set<std::string> problems(policy.problems.begin(), policy.problems.end());
  for (const std::string& p : problems) {
    if (reported_problems_.count(p) == 0) VC_LOG(Warning) << p;
  }
  reported_problems_ = std::move(problems);
  if (ids_.assigned() != before && !options_.tenant_ids_path.empty()) {
    if (Status s = ids_.Save(options_.tenant_ids_path); !s.ok()) VC_LOG(Warning) << s.ToString();
  }

  Status first;
  Status seg = Segment(policy);
  if (!seg.ok()) first = seg;
  Status quota = Quotas(policy);
  if (first.ok() && !quota.ok()) first = quota;
  Status evict = Evict(view);
  if (first.ok() && !evict.ok()) first = evict;

  std::lock_guard<std::mutex> lock(mu_);
  ++reconciles_;
  last_pass_ = clock_->Now();
  tenants_ = policy.tenants;
  if (seg.ok() && quota.ok() && evict.ok()) {
    last_success_unix_ = UnixNow();
    ready_ = true;
  }
  retry_ = retry_ || !first.ok();
  return first;
}

Status NodeAgent::Segment(const NodePolicy& policy) {
  auto report = [&]() -> StatusOr<EnforceReport> {
    InDatapathNamespace in_netns(options_.datapath_netns);
    RETURN_IF_ERROR(in_netns.status());
    return segmentation_.Enforce(policy.segmentation);
  }();
  std::lock_guard<std::mutex> lock(mu_);
  if (!report.ok()) {
    ++errors_["segmentation"];
    VC_LOG(Error) << "enforce segmentation: " << report.status().ToString();
    return report.status().Annotate("enforce segmentation");
  }
  enforced_pods_ = 0;
  for (const PodEndpoint& e : policy.segmentation.pods) enforced_pods_ += e.on_node ? 1 : 0;
  pods_without_veth_ = static_cast<int>(report->pods_without_veth.size());
  if (!report->pods_without_veth.empty()) {
    retry_ = true;
    VC_LOG(Debug) << report->pods_without_veth.size() << " pods without a veth yet, e.g. "
                  << report->pods_without_veth.front().name;
  }
  if (report->map_writes > 0 || report->filters_attached > 0 || report->filters_detached > 0) {
    VC_LOG(Info) << "segmentation: " << policy.segmentation.pods.size()
                 << " pod addresses (this node's: " << enforced_pods_ << ") of "
                 << policy.segmentation.tenants.size() << " tenants; " << report->map_writes
                 << " map writes, " << report->filters_attached << " filters attached, "
                 << report->filters_detached << " detached";
  }
  return Status::Ok();
}

Status NodeAgent::Quotas(const NodePolicy& policy) {
  if (quotas_ == nullptr) return Status::Ok();
  Status first;
  std::map<std::string, TenantQuotaReport> reports;
  bool cgroup_missing = false;
  {
    std::lock_guard<std::mutex> quota_lock(quota_mu_);
    for (const TenantPods& tenant : policy.quotas) {
      auto report = quotas_->Reconcile(tenant);
      if (!report.ok()) {
        if (first.ok()) first = report.status().Annotate("quota of tenant " + tenant.tenant);
        continue;
      }
      if (report->failures > 0 && first.ok()) {
        first = Internal("quota of tenant " + tenant.tenant + ": " +
                         std::to_string(report->failures) + " pods could not be limited");
      }
      for (const PodQuotaResult& pod : report->pods) {
        // kubelet has not made the cgroup yet
        cgroup_missing = cgroup_missing || pod.status.code() == Code::kNotFound;
      }
      reports[tenant.tenant] = std::move(*report);
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  retry_ = retry_ || cgroup_missing;
  quota_reports_ = std::move(reports);
  quota_tenants_ = policy.quotas;
  if (!first.ok()) {
    ++errors_["quota"];
    VC_LOG(Error) << first.ToString();
  }
  return first;
}

Status NodeAgent::Evict(const ClusterView& view) {
  const std::string tenant = node::DedicatedTenant(view.node);
  if (tenant.empty() || client_ == nullptr) {
    evicted_.clear();
    return Status::Ok();
  }
  // A delete, not the Eviction API: a dedicated node is an isolation promise that a foreign
  // tenant's PodDisruptionBudget does not outrank, and the API can hold the agent to its own
  // node only on a delete (manifests/node-agent/admission-policy.yaml reads the pod there; an
  // Eviction names no node). The pod still gets its own grace period.
  Status first;
  std::set<std::string> pending;
  for (const EvictionCandidate& pod : PodsToEvict(tenant, view.pods)) {
    pending.insert(pod.uid);
    if (evicted_.count(pod.uid) != 0) continue;  // done; the informer has not seen it go yet
    auto deleted = client_->Delete(kube::resources::kPods, pod.namespace_, pod.name,
                                   {.precondition_uid = pod.uid});
    if (!deleted.ok() && deleted.status().code() != Code::kNotFound) {
      if (first.ok()) first = deleted.status().Annotate("evict " + pod.namespace_ + "/" + pod.name);
      continue;
    }
    VC_LOG(Info) << "deleted " << pod.namespace_ << "/" << pod.name << ": " << pod.reason;
    evicted_.insert(pod.uid);
    RecordEvent({{"kind", "Pod"},
                 {"apiVersion", "v1"},
                 {"namespace", pod.namespace_},
                 {"name", pod.name},
                 {"uid", pod.uid}},
                "EvictedFromDedicatedNode",
                "Evicted by vc-node-agent on " + options_.node_name + ": " + pod.reason);
    std::lock_guard<std::mutex> lock(mu_);
    ++evictions_;
  }
  for (auto it = evicted_.begin(); it != evicted_.end();) {
    it = pending.count(*it) ? std::next(it) : evicted_.erase(it);
  }
  if (!first.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    ++errors_["eviction"];
    retry_ = true;
  }
  return first;
}

void NodeAgent::RecordEvent(const json& ref, const std::string& reason,
                            const std::string& message) {
  const std::string now = Rfc3339Now();
  const json event = {
      {"apiVersion", "v1"},
      {"kind", "Event"},
      {"metadata",
       {{"generateName", ref["name"].get<std::string>() + "."}, {"namespace", ref["namespace"]}}},
      {"involvedObject", ref},
      {"reason", reason},
      {"message", message},
      {"type", "Warning"},
      {"source", {{"component", "vc-node-agent"}, {"host", options_.node_name}}},
      {"reportingComponent", "vc-node-agent"},
      {"reportingInstance", options_.node_name},
      {"firstTimestamp", now},
      {"lastTimestamp", now},
      {"count", 1},
  };
  auto created =
      client_->Create(kube::resources::kEvents, ref["namespace"].get<std::string>(), event);
  if (!created.ok()) VC_LOG(Warning) << "record event: " << created.status().ToString();
}

void NodeAgent::CountError(const std::string& step) {
  std::lock_guard<std::mutex> lock(mu_);
  ++errors_[step];
}

bool NodeAgent::NeedsRetry() const {
  std::lock_guard<std::mutex> lock(mu_);
  return retry_;
}

bool NodeAgent::ready() const {
  std::lock_guard<std::mutex> lock(mu_);
  return ready_;
}

vc::Clock::TimePoint NodeAgent::last_pass() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_pass_;
}

MetricsSnapshot NodeAgent::Metrics() {
  // Usage now, not as of the last pass (which may be a resync period old).
  std::map<std::string, TenantUsage> usage;
  if (quotas_ != nullptr) {
    std::vector<TenantPods> quota_tenants;
    {
      std::lock_guard<std::mutex> lock(mu_);
      quota_tenants = quota_tenants_;
    }
    std::lock_guard<std::mutex> quota_lock(quota_mu_);
    for (const TenantPods& tenant : quota_tenants) usage[tenant.tenant] = quotas_->Usage(tenant);
  }
  std::lock_guard<std::mutex> lock(mu_);
  MetricsSnapshot m;
  for (const auto& [id, t] : tenants_) {
    TenantMetrics tm;
    tm.tenant = t.key;
    tm.trust = TrustLevelName(t.trust);
    tm.pods = t.pods;
    if (auto c = maps_.ReadCounters(id); c.ok()) tm.counters = *c;
    tm.has_budget = t.budget.cpu_millicores > 0 || t.budget.memory_bytes > 0 || t.budget.pids > 0;
    tm.budget = t.budget;
    if (auto r = quota_reports_.find(t.key); r != quota_reports_.end()) {
      tm.overcommitted = r->second.overcommitted;
    }
    if (auto u = usage.find(t.key); u != usage.end()) {
      tm.has_usage = true;
      tm.usage = u->second.total;
    }
    m.tenants.push_back(std::move(tm));
  }
  m.enforced_pods = enforced_pods_;
  m.pods_without_veth = pods_without_veth_;
  m.reconciles = reconciles_;
  m.reconcile_errors = errors_;
  m.evictions = evictions_;
  m.last_success_unix_seconds = last_success_unix_;
  m.ready = ready_;
  return m;
}

}  // namespace vc::agent
