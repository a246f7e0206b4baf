// SPDX-License-Identifier: Apache-2.0
#include "vc/agent/datapath/segmentation_policy.h"

#include <string>

namespace vc::agent {
namespace {

Status CheckTenantId(TenantId id, const std::string& what) {
  if (id == kNoTenant || id > kMaxTenantId) {
    return InvalidArgument("compute segmentation: " + what + " has tenant id " +
                           std::to_string(id) + ", outside 1.." + std::to_string(kMaxTenantId));
  }
  return Status::Ok();
}

}  // namespace

std::vector<AllowRule> RulesForTenant(const TenantSpec& tenant, const NodeContext& node) {
  std::vector<AllowRule> rules;
  if (tenant.trust == TrustLevel::kHigh) return rules;
  for (const SharedService& s : tenant.shared_services) {
    rules.push_back({tenant.id, Direction::kEgress, s.proto, s.port, s.prefix});
  }
  if (tenant.trust == TrustLevel::kZero) {
    // Probes come from the node (kubelet), to whatever port the pod's probe names; only what
    // the node itself sends matches (Direction::kFromNode).
    for (const IpPrefix& source : node.probe_sources) {
      rules.push_back({tenant.id, Direction::kFromNode, IpProto::kTcp, 0, source});
    }
  }
  return rules;
}

StatusOr<DatapathState> ComputeDesiredState(const SegmentationInput& input,
                                            const std::map<IpAddress, uint32_t>& veths) {
  DatapathState state;
  for (const TenantSpec& t : input.tenants) {
    RETURN_IF_ERROR(CheckTenantId(t.id, "tenant " + t.name));
    if (!state.tenant_policies.emplace(t.id, t.trust).second) {
      return InvalidArgument("compute segmentation: tenant id " + std::to_string(t.id) +
                             " is given to two tenants (second: " + t.name + ")");
    }
    for (AllowRule& r : RulesForTenant(t, input.node)) state.allow_rules.insert(std::move(r));
  }
  std::map<IpAddress, const PodEndpoint*> owner;
  for (const PodEndpoint& pod : input.pods) {
    RETURN_IF_ERROR(CheckTenantId(pod.tenant, "pod " + pod.name));
    auto [it, inserted] = owner.emplace(pod.ip, &pod);
    if (!inserted && it->second->tenant != pod.tenant) {
      // Two live pods of different tenants cannot share an address; one of them is a
      // terminated pod the caller should not have passed. Refuse rather than guess.
      return InvalidArgument("compute segmentation: pods " + it->second->name + " and " + pod.name +
                             " of different tenants both have " + pod.ip.ToString());
    }
    state.pod_tenants[IpPrefix::Host(pod.ip)] = pod.tenant;
    auto veth = veths.find(pod.ip);
    if (veth == veths.end()) continue;
    auto [iface, fresh] = state.iface_tenants.emplace(veth->second, pod.tenant);
    if (!fresh && iface->second != pod.tenant) {
      return InvalidArgument("compute segmentation: veth " + std::to_string(veth->second) +
                             " carries pods of tenants " + std::to_string(iface->second) + " and " +
                             std::to_string(pod.tenant));
    }
  }
  return state;
}

}  // namespace vc::agent
