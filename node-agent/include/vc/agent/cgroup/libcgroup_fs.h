// SPDX-License-Identifier: Apache-2.0
// CgroupFs over cgroup v1 controllers, through libcgroup 2.0.
//
// How libcgroup 2.0 resolves names (src/api.c, cg_build_path): cgroup_init() reads
// /proc/cgroups and /proc/mounts once and records each controller's mount point (a cpu and a
// cpuacct mounted apart, or co-mounted as cpu,cpuacct, both work). A cgroup name is then
// joined to that mount point with one leading '/' dropped, so "/kubepods/x" and "kubepods/x"
// name the same group: names are relative to the hierarchy's root, never filesystem paths.
// Inside a container the hierarchies are found wherever the host's cgroupfs is mounted.
#pragma once

#include <memory>
#include <string>

#include "vc/agent/cgroup/cgroup_fs.h"

namespace vc::agent {

class LibcgroupFs final : public CgroupFs {
 public:
  // Runs cgroup_init() once per process (libcgroup keeps its mount table in globals) and
  // checks that the cpu, cpuacct, memory and pids controllers are mounted as v1.
  static StatusOr<std::unique_ptr<LibcgroupFs>> Create();

  StatusOr<CgroupLimits> ReadLimits(const std::string& cgroup) override;
  // cgroup_modify_cgroup() with one controller per resource: cpu (cfs_period_us, then
  // cfs_quota_us; on a pod's containers, see WriteCpuV1), memory (limit_in_bytes), pids (max).
  // ReadLimits reports the cpu quota where WriteLimits puts it.
  Status WriteLimits(const std::string& cgroup, const CgroupLimits& limits) override;
  StatusOr<CgroupUsage> ReadUsage(const std::string& cgroup) override;

 private:
  LibcgroupFs() = default;
  Status WriteCpuV1(const std::string& cgroup, const CpuMax& cpu);
};

}  // namespace vc::agent
