// SPDX-License-Identifier: Apache-2.0
// DatapathState: the content of the four policy maps (not the flow table or counters, which
// the datapath owns). The same type describes what the agent wants (computed by
// segmentation_policy.h), what is pinned (read back from bpffs) and what was last enforced
// (the state store), so reconcile is a diff of two values.
#pragma once

#include <cstdint>
#include <map>
#include <set>

#include "vc/agent/datapath/ip_prefix.h"
#include "vc/agent/datapath/segmentation_types.h"

namespace vc::agent {

struct DatapathState {
  std::map<IpPrefix, TenantId> pod_tenants;        // vc_pod_addr_v1 (/128), vc_pod_tenant_v1
  std::map<TenantId, TrustLevel> tenant_policies;  // vc_tenant_policy_v1
  std::set<AllowRule> allow_rules;                 // vc_allow_v1
  std::map<uint32_t, TenantId> iface_tenants;      // vc_iface_tenant_v1: veth ifindex

  bool operator==(const DatapathState&) const = default;
};

}  // namespace vc::agent
