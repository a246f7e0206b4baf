// SPDX-License-Identifier: Apache-2.0
// DatapathDiff: what to change in the pinned maps to turn `actual` into `desired`, and the
// order to apply it in. Reconcile writes only the differences: entries that are already
// right are never touched, so a restart opens no window in which a pinned rule is missing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "vc/agent/datapath/datapath_state.h"
#include "vc/agent/datapath/segmentation_maps.h"
#include "vc/status.h"

namespace vc::agent {

struct DatapathDiff {
  std::vector<AllowRule> put_rules;
  std::vector<std::pair<TenantId, TrustLevel>> put_policies;
  std::vector<std::pair<uint32_t, TenantId>> put_ifaces;
  std::vector<std::pair<IpPrefix, TenantId>> put_pods;
  std::vector<IpPrefix> delete_pods;
  std::vector<uint32_t> delete_ifaces;
  std::vector<AllowRule> delete_rules;
  std::vector<TenantId> delete_policies;

  bool empty() const { return size() == 0; }
  size_t size() const;
};

DatapathDiff DiffDatapath(const DatapathState& desired, const DatapathState& actual);

// Applies in an order that never widens access on the way: additions of allowances first
// (rules, then trust, then veth and address ownership), removals after (addresses, veths,
// rules, trust). A tenant whose policy is not written yet is zero trust in the datapath, so
// a half-applied diff fails closed. Stops at the first error; the next reconcile retries.
Status ApplyDiff(const DatapathDiff& diff, SegmentationMaps& maps);

}  // namespace vc::agent
