// SPDX-License-Identifier: Apache-2.0
// BpfSegmentationMaps: SegmentationMaps over the fds of the pinned maps (bpf(2) syscalls
// through libbpf). Does not own the fds: SegmentationDatapath does.
#pragma once

#include <cstdint>

#include "vc/agent/datapath/segmentation_maps.h"

namespace vc::agent {

struct SegmentationMapFds {
  int pod_addr = -1;    // vc_pod_addr_v1: pod addresses (exact)
  int pod_tenant = -1;  // vc_pod_tenant_v1: shorter prefixes
  int tenant_policy = -1;
  int allow = -1;
  int iface_tenant = -1;
  int tenant_stats = -1;
};

class BpfSegmentationMaps : public SegmentationMaps {
 public:
  explicit BpfSegmentationMaps(SegmentationMapFds fds) : fds_(fds) {}

  Status PutPodTenant(const IpPrefix& prefix, TenantId tenant) override;
  Status DeletePodTenant(const IpPrefix& prefix) override;
  Status PutTenantPolicy(TenantId tenant, TrustLevel trust) override;
  Status DeleteTenantPolicy(TenantId tenant) override;
  Status PutAllowRule(const AllowRule& rule) override;
  Status DeleteAllowRule(const AllowRule& rule) override;
  Status PutIfaceTenant(uint32_t ifindex, TenantId tenant) override;
  Status DeleteIfaceTenant(uint32_t ifindex) override;
  Status DropSupersededEntries() override;
  StatusOr<DatapathState> ReadState() override;
  StatusOr<TenantCounters> ReadCounters(TenantId tenant) override;

 private:
  SegmentationMapFds fds_;
};

}  // namespace vc::agent
