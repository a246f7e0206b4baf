// SPDX-License-Identifier: Apache-2.0
#include "vc/agent/agent/agent_metrics.h"

#include "vc/prometheus_text.h"

namespace vc::agent {
namespace {

std::string TenantLabel(const TenantMetrics& t) {
  return PrometheusText::Label("tenant", t.tenant);
}

}  // namespace

std::string FormatPrometheus(const MetricsSnapshot& m) {
  PrometheusText w;
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
    w.Sample("vc_agent_tenant_pods", TenantLabel(t) + "," + PrometheusText::Label("trust", t.trust),
             t.pods);
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
    w.Fixed("vc_agent_quota_cpu_usage_seconds_total", TenantLabel(t),
            static_cast<double>(t.usage.cpu_usage_ns) / 1e9, 6);
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
  w.Fixed("vc_agent_last_success_timestamp_seconds", "", m.last_success_unix_seconds, 3);
  w.Header("vc_agent_ready", "gauge", "1 once the first full reconcile succeeded.");
  w.Sample("vc_agent_ready", "", m.ready ? 1 : 0);
  return w.str();
}

}  // namespace vc::agent
