// SPDX-License-Identifier: Apache-2.0
// The agent's /metrics: a snapshot of counters and gauges, formatted as Prometheus text
// exposition (version 0.0.4). Pure: the NodeAgent fills the snapshot, this formats it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "vc/agent/cgroup/cgroup_limits.h"
#include "vc/agent/cgroup/tenant_budget.h"
#include "vc/agent/datapath/segmentation_types.h"

namespace vc::agent {

struct TenantMetrics {
  std::string tenant;  // namespace/name
  std::string trust;   // high|partial|zero
  int pods = 0;
  TenantCounters counters;  // datapath, summed over CPUs
  bool has_budget = false;
  NodeBudget budget;
  bool overcommitted = false;
  bool has_usage = false;
  CgroupUsage usage;
};

struct MetricsSnapshot {
  std::vector<TenantMetrics> tenants;
  int enforced_pods = 0;      // pod addresses in the datapath
  int pods_without_veth = 0;  // known pods whose veth was not found (yet)
  uint64_t reconciles = 0;
  std::map<std::string, uint64_t> reconcile_errors;  // by step: segmentation, quota, eviction
  uint64_t evictions = 0;
  double last_success_unix_seconds = 0;
  bool ready = false;
};

std::string FormatPrometheus(const MetricsSnapshot& m);

}  // namespace vc::agent
