// SPDX-License-Identifier: Apache-2.0
// EnforcementStore: SQLite record of what the agent last enforced (the policy map content
// and which veths carry our filters). On start, before the API server answers, the agent
// re-enforces this against what is pinned: after a reboot (bpffs empty) the last known
// policy is back before the first pod talks, and after a crash only drift is repaired.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "vc/agent/datapath/datapath_state.h"
#include "vc/sqlite.h"
#include "vc/status.h"

namespace vc::agent {

struct AttachedVeth {
  std::string name;  // to detect ifindex reuse
  TenantId tenant = kNoTenant;

  bool operator==(const AttachedVeth&) const = default;
};

struct EnforcedState {
  DatapathState maps;
  std::map<uint32_t, AttachedVeth> veths;  // ifindex -> veth with our filters (both hooks)

  bool operator==(const EnforcedState&) const = default;
};

class EnforcementStore {
 public:
  static constexpr const char* kDefaultPath = "/var/lib/vc-node-agent/state.db";

  // Creates the file, its directory and the schema when missing.
  static StatusOr<std::unique_ptr<EnforcementStore>> Open(const std::string& path);
  // Empty state when nothing was saved yet.
  StatusOr<EnforcedState> Load();
  // Replaces the record in one transaction: a crash leaves the old or the new, never a mix.
  Status Save(const EnforcedState& state);

 private:
  explicit EnforcementStore(std::unique_ptr<sqlite::Database> db) : db_(std::move(db)) {}
  std::unique_ptr<sqlite::Database> db_;
};

}  // namespace vc::agent
