// SPDX-License-Identifier: Apache-2.0
// BuildNodePolicy: what the informers saw (this node, its pods, the tenants' settings) turned
// into the inputs of the datapath (SegmentationInput) and of the quota enforcer (TenantPods).
// Pure apart from the id allocator it is handed.
//
// Decisions (fail closed):
//  - a tenant is in the policy when it has an active pod on this node; tenant pods of other
//    nodes only enter the tenant map (their addresses are how peers here are classified: a
//    zero-trust pod reaches its own tenant's pods elsewhere, a partial one no other tenant's);
//  - a pod whose tenant has no Tenant object (not created yet, deleted, unreadable) is zero
//    trust without shared services: its labels say it is a tenant's, nothing says what it may do;
//  - host-network pods are never entered (their address is the node's), finished pods neither
//    (their address may already be someone else's);
//  - the node's InternalIP/ExternalIP addresses are the probe sources.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "vc/agent/agent/pod_facts.h"
#include "vc/agent/agent/service_backends.h"
#include "vc/agent/agent/tenant_ids.h"
#include "vc/agent/agent/tenant_settings.h"
#include "vc/agent/cgroup/quota_enforcer.h"
#include "vc/agent/datapath/segmentation_policy.h"

namespace vc::agent {

struct TenantOnNode {
  TenantId id = kNoTenant;
  std::string key;  // namespace/name
  TrustLevel trust = TrustLevel::kZero;
  bool has_settings = false;  // a Tenant object was found
  int pods = 0;
  NodeBudget budget;
};

struct NodePolicy {
  SegmentationInput segmentation;
  std::vector<TenantPods> quotas;            // tenants with a node budget (TenantPods.tenant = key)
  std::map<TenantId, TenantOnNode> tenants;  // every tenant of the policy
  std::vector<std::string> problems;         // for logs: skipped settings, id exhaustion
};

// `services`: the cluster's Services by "namespace/name" with their endpoints (IndexServices),
// for shared services named by Service.
NodePolicy BuildNodePolicy(const nlohmann::json& node, const std::vector<PodFacts>& pods,
                           const std::vector<TenantSettings>& tenants, TenantIdAllocator& ids,
                           const std::map<std::string, ServiceAddresses>& services = {});

}  // namespace vc::agent
