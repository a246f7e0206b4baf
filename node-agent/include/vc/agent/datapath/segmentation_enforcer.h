// SPDX-License-Identifier: Apache-2.0
// SegmentationEnforcer: makes the datapath say what the policy says. The agent's
// Kubernetes side calls Enforce() with every change of its node's pods or the tenants'
// isolation settings; on start it calls RestoreLastEnforced() first, before the API server
// answers. Both reconcile: read what is pinned/attached, write only the differences, record
// the result in the EnforcementStore. No kernel access of its own: everything goes through
// the interfaces it is given, so tests run it against fakes.
#pragma once

#include <cstddef>
#include <vector>

#include "vc/agent/datapath/enforcement_store.h"
#include "vc/agent/datapath/segmentation_datapath.h"
#include "vc/agent/datapath/segmentation_maps.h"
#include "vc/agent/datapath/segmentation_policy.h"
#include "vc/agent/datapath/tc_attacher.h"
#include "vc/agent/datapath/veth_locator.h"
#include "vc/status.h"

namespace vc::agent {

struct EnforcementPrograms {
  SegmentationProgram from_pod;
  SegmentationProgram to_pod;
};

struct EnforceReport {
  size_t map_writes = 0;        // entries written or deleted
  size_t filters_attached = 0;  // tc filters attached or replaced
  size_t filters_detached = 0;
  std::vector<PodEndpoint> pods_without_veth;  // retry when their network is up
};

class SegmentationEnforcer {
 public:
  SegmentationEnforcer(SegmentationMaps& maps, TcAttacher& tc, VethLocator& veths,
                       EnforcementStore& store, EnforcementPrograms programs)
      : maps_(maps), tc_(tc), veths_(veths), store_(store), programs_(programs) {}

  StatusOr<EnforceReport> Enforce(const SegmentationInput& input);
  StatusOr<EnforceReport> RestoreLastEnforced();

 private:
  StatusOr<EnforceReport> Reconcile(const EnforcedState& desired, const EnforcedState& previous);
  Status EnsureFilters(uint32_t ifindex, EnforceReport& report);

  SegmentationMaps& maps_;
  TcAttacher& tc_;
  VethLocator& veths_;
  EnforcementStore& store_;
  EnforcementPrograms programs_;
};

}  // namespace vc::agent
