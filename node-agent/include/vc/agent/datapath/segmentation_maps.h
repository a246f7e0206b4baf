// SPDX-License-Identifier: Apache-2.0
// SegmentationMaps: the policy maps of the datapath (ebpf/lib/maps.h), as the agent sees
// them. BpfSegmentationMaps writes the pinned maps; FakeSegmentationMaps keeps them in
// memory for tests. Nothing else in the agent touches the maps.
#pragma once

#include <cstdint>

#include "vc/agent/datapath/datapath_state.h"
#include "vc/agent/datapath/ip_prefix.h"
#include "vc/agent/datapath/segmentation_types.h"
#include "vc/status.h"

namespace vc::agent {

class SegmentationMaps {
 public:
  virtual ~SegmentationMaps() = default;

  // Put = create or overwrite in place (atomic per entry in the kernel).
  virtual Status PutPodTenant(const IpPrefix& prefix, TenantId tenant) = 0;
  virtual Status DeletePodTenant(const IpPrefix& prefix) = 0;
  virtual Status PutTenantPolicy(TenantId tenant, TrustLevel trust) = 0;
  virtual Status DeleteTenantPolicy(TenantId tenant) = 0;
  virtual Status PutAllowRule(const AllowRule& rule) = 0;
  virtual Status DeleteAllowRule(const AllowRule& rule) = 0;
  virtual Status PutIfaceTenant(uint32_t ifindex, TenantId tenant) = 0;
  virtual Status DeleteIfaceTenant(uint32_t ifindex) = 0;

  // Removes entries that no current program reads any more but an older build's program
  // would (pod addresses in the prefix trie, now in the exact hash). Only safe once every
  // filter runs the current build: until then the older program still needs them.
  virtual Status DropSupersededEntries() = 0;

  // Everything in the policy maps, as the current programs read it.
  virtual StatusOr<DatapathState> ReadState() = 0;
  // One tenant's counters summed over CPUs (kNoTenant: traffic of no tenant).
  virtual StatusOr<TenantCounters> ReadCounters(TenantId tenant) = 0;
};

}  // namespace vc::agent
