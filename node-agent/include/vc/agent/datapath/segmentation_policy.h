// SPDX-License-Identifier: Apache-2.0
// Pure policy: which map entries a set of tenants and pods needs. Values in, values out; no
// kernel, no clock. The Kubernetes-watching part of the agent turns pods, Node and the
// tenants' isolation settings into SegmentationInput and hands it to SegmentationEnforcer,
// which calls these.
#pragma once

#include <map>
#include <vector>

#include "vc/agent/datapath/datapath_state.h"
#include "vc/agent/datapath/segmentation_types.h"
#include "vc/status.h"

namespace vc::agent {

struct SegmentationInput {
  std::vector<TenantSpec> tenants;
  std::vector<PodEndpoint> pods;
  NodeContext node;
};

// The allow rules one tenant gets:
//  - high: none (its policy allows everything; rules would never be consulted);
//  - partial: egress to each shared service (needed when a service is a pod of another
//    tenant; non-tenant addresses are allowed to partial tenants anyway);
//  - zero: egress to each shared service, and TCP ingress from the node's probe sources.
std::vector<AllowRule> RulesForTenant(const TenantSpec& tenant, const NodeContext& node);

// The whole desired content of the policy maps. `veths` maps a pod address to the ifindex
// of its host-side veth, for the pods whose veth was found (others get their address
// entry, and their veth entry once it is found). Errors: a tenant id out of range, two
// tenants claiming one address or one veth.
StatusOr<DatapathState> ComputeDesiredState(const SegmentationInput& input,
                                            const std::map<IpAddress, uint32_t>& veths);

}  // namespace vc::agent
