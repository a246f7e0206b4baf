// SPDX-License-Identifier: Apache-2.0
// CgroupFs over the unified (v2) hierarchy, by writing its files directly: cpu.max,
// memory.max, pids.max; usage from cpu.stat, memory.current, pids.current. libcgroup 2.0's v2
// support is built around creating groups and subtree_control, not around tuning groups that
// someone else made, so the few files we need are written here instead.
#pragma once

#include <filesystem>
#include <string>

#include "vc/agent/cgroup/cgroup_fs.h"

namespace vc::agent {

class CgroupV2Fs final : public CgroupFs {
 public:
  // `unified_root` is the cgroup2 mount (/sys/fs/cgroup), or a directory tree shaped like it.
  explicit CgroupV2Fs(std::filesystem::path unified_root);

  StatusOr<CgroupLimits> ReadLimits(const std::string& cgroup) override;
  Status WriteLimits(const std::string& cgroup, const CgroupLimits& limits) override;
  StatusOr<CgroupUsage> ReadUsage(const std::string& cgroup) override;

 private:
  std::filesystem::path Dir(const std::string& cgroup) const;

  std::filesystem::path root_;
};

}  // namespace vc::agent
