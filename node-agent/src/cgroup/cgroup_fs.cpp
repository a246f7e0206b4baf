// SPDX-License-Identifier: Apache-2.0
#include "vc/agent/cgroup/cgroup_fs.h"

#include "vc/agent/cgroup/cgroup_v2_fs.h"
#include "vc/agent/cgroup/libcgroup_fs.h"

namespace vc::agent {

StatusOr<std::unique_ptr<CgroupFs>> NewCgroupFs(const CgroupLayout& layout,
                                                const std::filesystem::path& cgroup_root) {
  if (layout.version == CgroupVersion::kV2) {
    return std::unique_ptr<CgroupFs>(std::make_unique<CgroupV2Fs>(cgroup_root));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<LibcgroupFs> v1, LibcgroupFs::Create());
  return std::unique_ptr<CgroupFs>(std::move(v1));
}

}  // namespace vc::agent
