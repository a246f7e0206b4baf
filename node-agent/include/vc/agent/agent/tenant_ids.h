// SPDX-License-Identifier: Apache-2.0
// TenantIdAllocator: the dense ids (1..kMaxTenantId) that the datapath maps key tenants by.
// An id must not move while pods of its tenant run: the pinned maps and the filters outlive
// the agent, and a tenant whose id changed would, until the next reconcile, be judged by
// another tenant's policy. So ids are kept in a small JSON file in the state directory and
// reloaded at start; an id is freed only when its tenant has no pod on the node any more.
#pragma once

#include <map>
#include <set>
#include <string>

#include "vc/agent/datapath/segmentation_types.h"
#include "vc/status.h"

namespace vc::agent {

class TenantIdAllocator {
 public:
  TenantIdAllocator() = default;
  explicit TenantIdAllocator(std::map<std::string, TenantId> assigned);

  // The tenant's id, assigning the lowest free one when it has none. ResourceExhausted-like
  // FailedPrecondition when all kMaxTenantId ids are taken.
  StatusOr<TenantId> IdFor(const std::string& tenant_key);
  // Frees the ids of tenants not in `live`; true when something changed.
  bool Retain(const std::set<std::string>& live);

  const std::map<std::string, TenantId>& assigned() const { return assigned_; }

  std::string ToJson() const;
  static StatusOr<TenantIdAllocator> FromJson(const std::string& text);
  // Missing file: an empty allocator. Save writes a temp file and renames it over.
  static StatusOr<TenantIdAllocator> Load(const std::string& path);
  Status Save(const std::string& path) const;

 private:
  std::map<std::string, TenantId> assigned_;
  std::set<TenantId> used_;
};

}  // namespace vc::agent
