// SPDX-License-Identifier: Apache-2.0
#include "vc/agent/datapath/datapath_diff.h"

namespace vc::agent {
namespace {

// Entries of `desired` that `actual` lacks or holds with another value, and keys of
// `actual` that `desired` lacks.
template <typename K, typename V>
void DiffMap(const std::map<K, V>& desired, const std::map<K, V>& actual,
             std::vector<std::pair<K, V>>& put, std::vector<K>& del) {
  for (const auto& [k, v] : desired) {
    auto it = actual.find(k);
    if (it == actual.end() || it->second != v) put.emplace_back(k, v);
  }
  for (const auto& [k, v] : actual) {
    if (!desired.count(k)) del.push_back(k);
  }
}

}  // namespace

size_t DatapathDiff::size() const {
  return put_rules.size() + put_policies.size() + put_ifaces.size() + put_pods.size() +
         delete_pods.size() + delete_ifaces.size() + delete_rules.size() + delete_policies.size();
}

DatapathDiff DiffDatapath(const DatapathState& desired, const DatapathState& actual) {
  DatapathDiff d;
  DiffMap(desired.tenant_policies, actual.tenant_policies, d.put_policies, d.delete_policies);
  DiffMap(desired.iface_tenants, actual.iface_tenants, d.put_ifaces, d.delete_ifaces);
  DiffMap(desired.pod_tenants, actual.pod_tenants, d.put_pods, d.delete_pods);
  for (const AllowRule& r : desired.allow_rules) {
    if (!actual.allow_rules.count(r)) d.put_rules.push_back(r);
  }
  for (const AllowRule& r : actual.allow_rules) {
    if (!desired.allow_rules.count(r)) d.delete_rules.push_back(r);
  }
  return d;
}

Status ApplyDiff(const DatapathDiff& diff, SegmentationMaps& maps) {
  for (const AllowRule& r : diff.put_rules) RETURN_IF_ERROR(maps.PutAllowRule(r));
  for (const auto& [t, trust] : diff.put_policies) RETURN_IF_ERROR(maps.PutTenantPolicy(t, trust));
  for (const auto& [i, t] : diff.put_ifaces) RETURN_IF_ERROR(maps.PutIfaceTenant(i, t));
  for (const auto& [p, t] : diff.put_pods) RETURN_IF_ERROR(maps.PutPodTenant(p, t));
  for (const IpPrefix& p : diff.delete_pods) RETURN_IF_ERROR(maps.DeletePodTenant(p));
  for (uint32_t i : diff.delete_ifaces) RETURN_IF_ERROR(maps.DeleteIfaceTenant(i));
  for (const AllowRule& r : diff.delete_rules) RETURN_IF_ERROR(maps.DeleteAllowRule(r));
  for (TenantId t : diff.delete_policies) RETURN_IF_ERROR(maps.DeleteTenantPolicy(t));
  return Status::Ok();
}

}  // namespace vc::agent
