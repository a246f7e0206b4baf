// SPDX-License-Identifier: Apache-2.0
#include "vc/agent/agent/agent_metrics.h"

#include <iomanip>
#include <sstream>

namespace vc::agent {
namespace {

std::string Escape(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

class Writer {
 public:
  void Header(const std::string& name, const std::string& type, const std::string& help) {
    out_ << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n";
  }
  template <typename T>
  void Sample(const std::string& name, const std::string& labels, T value) {
    out_ << name;
    if (!labels.empty()) out_ << "{" << labels << "}";
    out_ << " " << value << "\n";
  }
  std::string str() const { return out_.str(); }

 private:
  std::ostringstream out_;
};

std::string TenantLabel(const TenantMetrics& t) { return "tenant=\"" + Escape(t.tenant) + "\""; }

}  // namespace

std::string FormatPrometheus(const MetricsSnapshot& m) {
  Writer w;
  w.Header("vc_agent_tenant_packets_total", "counter",
           "Packets of a tenant's pods judged by the datapath on this node, by verdict.");
  for (const TenantMetrics& t : m.tenants) {
    w.Sample("vc_agent_tenant_packets_total", TenantLabel(t) + ",verdict=\"allowed\"",
             t.counters.allowed_packets);
    w.Sample("vc_agent_tenant_packets_total", TenantLabel(t) + ",verdict=\"dropped\"",
             t.counters.dropped_packets);
  }
  w.Header("vc_agent_tenant_bytes_total", "counter",
           "Bytes of a tenant's pods judged by the datapath on this node, by verdict.");
  for (const TenantMetrics& t : m.tenants) {
    w.Sample("vc_agent_tenant_bytes_total", TenantLabel(t) + ",verdict=\"allowed\"",
             t.counters.allowed_bytes);
    w.Sample("vc_agent_tenant_bytes_total", TenantLabel(t) + ",verdict=\"dropped\"",
             t.counters.dropped_bytes);
  }
  w.Header("vc_agent_tenant_pods", "gauge", "Active pods of a tenant on this node.");
  for (const TenantMetrics& t : m.tenants) {
    w.Sample("vc_agent_tenant_pods", TenantLabel(t) + ",trust=\"" + Escape(t.trust) + "\"", t.pods);
  }
  w.Header("vc_agent_enforced_pods", "gauge", "Pod addresses in the datapath's tenant map.");
  w.Sample("vc_agent_enforced_pods", "", m.enforced_pods);
  w.Header("vc_agent_pods_without_veth", "gauge",
           "Known pods whose host-side veth was not found yet (retried).");
  w.Sample("vc_agent_pods_without_veth", "", m.pods_without_veth);

  w.Header("vc_agent_quota_budget", "gauge",
           "A tenant's node budget by resource (cpu in millicores, memory in bytes, pids).");
  for (const TenantMetrics& t : m.tenants) {
    if (!t.has_budget) continue;
    w.Sample("vc_agent_quota_budget", TenantLabel(t) + ",resource=\"cpu\"",
             t.budget.cpu_millicores);
    w.Sample("vc_agent_quota_budget", TenantLabel(t) + ",resource=\"memory\"",
             t.budget.memory_bytes);
    w.Sample("vc_agent_quota_budget", TenantLabel(t) + ",resource=\"pids\"", t.budget.pids);
  }
  w.Header("vc_agent_quota_overcommitted", "gauge",
           "1 when the per-pod floors alone exceed the tenant's budget.");
  for (const TenantMetrics& t : m.tenants) {
    if (t.has_budget)
      w.Sample("vc_agent_quota_overcommitted", TenantLabel(t), t.overcommitted ? 1 : 0);
  }
  w.Header("vc_agent_quota_cpu_usage_seconds_total", "counter",
           "CPU time used by a tenant's pod cgroups on this node.");
  for (const TenantMetrics& t : m.tenants) {
    if (!t.has_usage) continue;
    std::ostringstream v;
    v << std::fixed << std::setprecision(6) << static_cast<double>(t.usage.cpu_usage_ns) / 1e9;
    w.Sample("vc_agent_quota_cpu_usage_seconds_total", TenantLabel(t), v.str());
  }
  w.Header("vc_agent_quota_memory_bytes", "gauge", "Memory charged to a tenant's pod cgroups.");
  for (const TenantMetrics& t : m.tenants) {
    if (t.has_usage) w.Sample("vc_agent_quota_memory_bytes", TenantLabel(t), t.usage.memory_bytes);
  }
  w.Header("vc_agent_quota_pids", "gauge", "Processes in a tenant's pod cgroups.");
  for (const TenantMetrics& t : m.tenants) {
    if (t.has_usage) w.Sample("vc_agent_quota_pids", TenantLabel(t), t.usage.pids);
  }

  w.Header("vc_agent_reconciles_total", "counter", "Reconcile passes run.");
  w.Sample("vc_agent_reconciles_total", "", m.reconciles);
  w.Header("vc_agent_reconcile_errors_total", "counter", "Failed reconcile steps, by step.");
  for (const char* step : {"segmentation", "quota", "eviction"}) {
    auto it = m.reconcile_errors.find(step);
    w.Sample("vc_agent_reconcile_errors_total", std::string("step=\"") + step + "\"",
             it == m.reconcile_errors.end() ? 0 : it->second);
  }
  w.Header("vc_agent_evictions_total", "counter",
           "Pods evicted from this node because it is dedicated to another tenant.");
  w.Sample("vc_agent_evictions_total", "", m.evictions);
  w.Header("vc_agent_last_success_timestamp_seconds", "gauge",
           "Unix time of the last reconcile without errors.");
  {
    std::ostringstream v;
    v << std::fixed << std::setprecision(3) << m.last_success_unix_seconds;
    w.Sample("vc_agent_last_success_timestamp_seconds", "", v.str());
  }
  w.Header("vc_agent_ready", "gauge", "1 once the first full reconcile succeeded.");
  w.Sample("vc_agent_ready", "", m.ready ? 1 : 0);
  return w.str();
}

}  // namespace vc::agent
