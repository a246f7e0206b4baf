// SPDX-License-Identifier: Apache-2.0
// FakeSegmentationMaps: SegmentationMaps in memory, for tests of reconcile and enforcement.
// Records every write so tests can assert that reconcile touched only what differed, and can
// be told to fail the n-th write.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "vc/agent/datapath/segmentation_maps.h"

namespace vc::agent {

class FakeSegmentationMaps : public SegmentationMaps {
 public:
  DatapathState state;
  std::map<TenantId, TenantCounters> counters;
  std::vector<std::string> writes;  // "put pod 10.0.0.1/32=1", "delete rule ...", ...
  int fail_after_writes = -1;       // >= 0: the write with this index fails
  int superseded_drops = 0;         // calls of DropSupersededEntries() (not a write above)

  Status PutPodTenant(const IpPrefix& p, TenantId t) override {
    RETURN_IF_ERROR(Record("put pod " + p.ToString() + "=" + std::to_string(t)));
    state.pod_tenants[p] = t;
    return Status::Ok();
  }
  Status DeletePodTenant(const IpPrefix& p) override {
    RETURN_IF_ERROR(Record("delete pod " + p.ToString()));
    state.pod_tenants.erase(p);
    return Status::Ok();
  }
  Status PutTenantPolicy(TenantId t, TrustLevel trust) override {
    RETURN_IF_ERROR(Record("put policy " + std::to_string(t) + "=" + TrustLevelName(trust)));
    state.tenant_policies[t] = trust;
    return Status::Ok();
  }
  Status DeleteTenantPolicy(TenantId t) override {
    RETURN_IF_ERROR(Record("delete policy " + std::to_string(t)));
    state.tenant_policies.erase(t);
    return Status::Ok();
  }
  Status PutAllowRule(const AllowRule& r) override {
    RETURN_IF_ERROR(Record("put rule " + r.ToString()));
    state.allow_rules.insert(r);
    return Status::Ok();
  }
  Status DeleteAllowRule(const AllowRule& r) override {
    RETURN_IF_ERROR(Record("delete rule " + r.ToString()));
    state.allow_rules.erase(r);
    return Status::Ok();
  }
  Status PutIfaceTenant(uint32_t i, TenantId t) override {
    RETURN_IF_ERROR(Record("put iface " + std::to_string(i) + "=" + std::to_string(t)));
    state.iface_tenants[i] = t;
    return Status::Ok();
  }
  Status DeleteIfaceTenant(uint32_t i) override {
    RETURN_IF_ERROR(Record("delete iface " + std::to_string(i)));
    state.iface_tenants.erase(i);
    return Status::Ok();
  }
  Status DropSupersededEntries() override {
    ++superseded_drops;
    return Status::Ok();
  }
  StatusOr<DatapathState> ReadState() override { return state; }
  StatusOr<TenantCounters> ReadCounters(TenantId t) override { return counters[t]; }

 private:
  Status Record(std::string what) {
    if (fail_after_writes >= 0 && static_cast<int>(writes.size()) == fail_after_writes) {
      return Unavailable("fake map write failed: " + what);
    }
    writes.push_back(std::move(what));
    return Status::Ok();
  }
};

}  // namespace vc::agent
