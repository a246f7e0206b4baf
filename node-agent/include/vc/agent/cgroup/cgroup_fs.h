// SPDX-License-Identifier: Apache-2.0
// The kernel handle for pod cgroup limits and usage. Implementations: LibcgroupFs (v1
// controllers, through libcgroup), CgroupV2Fs (v2, direct file writes), and a fake in tests.
// Cgroups are named relative to a hierarchy's root, as PodCgroupLocator::Locate returns them.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "vc/agent/cgroup/cgroup_layout.h"
#include "vc/agent/cgroup/cgroup_limits.h"
#include "vc/status.h"

namespace vc::agent {

class CgroupFs {
 public:
  virtual ~CgroupFs() = default;

  // The current cpu quota/period, memory limit and pids limit of `cgroup`. All three are set in
  // the result; a controller that is missing for the cgroup is an error.
  virtual StatusOr<CgroupLimits> ReadLimits(const std::string& cgroup) = 0;

  // Writes the fields that are set in `limits`, in the order cpu, memory, pids; stops at the
  // first failure (e.g. EBUSY when v1 cannot reclaim memory down to a new limit).
  virtual Status WriteLimits(const std::string& cgroup, const CgroupLimits& limits) = 0;

  virtual StatusOr<CgroupUsage> ReadUsage(const std::string& cgroup) = 0;
};

// The implementation that fits `layout`: LibcgroupFs for v1 (libcgroup finds the hierarchies
// from /proc/mounts itself), CgroupV2Fs rooted at `cgroup_root` for v2.
StatusOr<std::unique_ptr<CgroupFs>> NewCgroupFs(const CgroupLayout& layout,
                                                const std::filesystem::path& cgroup_root);

}  // namespace vc::agent
