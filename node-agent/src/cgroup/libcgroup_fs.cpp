// SPDX-License-Identifier: Apache-2.0
#include "vc/agent/cgroup/libcgroup_fs.h"

#include <libcgroup.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <vector>

namespace vc::agent {
namespace {

// The v1 controllers the agent reads or writes, and the file of each it uses.
constexpr const char* kControllers[] = {"cpu", "cpuacct", "memory", "pids"};

// libcgroup returns its own codes; ECGOTHER means "see errno", which it stashes per thread.
Status LibcgroupError(const std::string& verb, int code) {
  std::string cause = cgroup_strerror(code);
  int err = 0;
  if (code == ECGOTHER) {
    err = cgroup_get_last_errno();
    cause = std::strerror(err);
  }
  std::string message = verb + ": " + cause;
  if (code == ECGROUPNOTEXIST || code == ECGROUPSUBSYSNOTMOUNTED || err == ENOENT) {
    return NotFound(message);
  }
  if (code == ECGROUPNOTINITIALIZED || code == ECGROUPNOTMOUNTED) {
    return FailedPrecondition(message);
  }
  return Internal(message);
}

struct CgroupDeleter {
  void operator()(struct cgroup* group) const { cgroup_free(&group); }
};
using CgroupPtr = std::unique_ptr<struct cgroup, CgroupDeleter>;

// The first line of one control file, through libcgroup so that its mount table decides where
// the hierarchy is.
StatusOr<std::string> ReadValue(const char* controller, const std::string& cgroup,
                                const char* file) {
  char buffer[256] = {};
  void* handle = nullptr;
  std::string name = file;  // cgroup_read_value_begin takes a non-const char*
  int ret = cgroup_read_value_begin(controller, cgroup.c_str(), name.data(), &handle, buffer,
                                    sizeof(buffer));
  if (handle != nullptr) cgroup_read_value_end(&handle);
  if (ret != 0 && ret != ECGEOF) {
    return LibcgroupError("read " + std::string(controller) + ":" + cgroup + "/" + file, ret);
  }
  return std::string(buffer);
}

StatusOr<int64_t> ReadLimit(const char* controller, const std::string& cgroup, const char* file) {
  ASSIGN_OR_RETURN(std::string text, ReadValue(controller, cgroup, file));
  return ParseLimitValue(text);
}

// v1 spells "no limit" as -1 in cpu.cfs_quota_us and memory.limit_in_bytes, "max" in pids.max.
std::string V1Value(int64_t value, bool max_keyword) {
  if (value == kUnlimited) return max_keyword ? "max" : "-1";
  return std::to_string(value);
}

// The cgroups directly under `cgroup` in the cpu hierarchy (a kubelet pod's: its containers,
// the sandbox's included), as names libcgroup takes; and whether `cgroup` itself holds
// processes (a kubelet pod's never does).
struct CpuChildren {
  std::vector<std::string> names;
  bool holds_processes = false;
};

StatusOr<CpuChildren> CpuChildrenOf(const std::string& cgroup) {
  char* mount_point = nullptr;
  if (int ret = cgroup_get_subsys_mount_point("cpu", &mount_point); ret != 0) {
    return LibcgroupError("find the cpu hierarchy", ret);
  }
  const std::filesystem::path root(mount_point);
  std::free(mount_point);
  const std::string relative = cgroup.empty() || cgroup.front() != '/' ? cgroup : cgroup.substr(1);
  const std::filesystem::path dir = root / relative;
  CpuChildren children;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_directory(ec)) {
      children.names.push_back(relative + "/" + entry.path().filename().string());
    }
  }
  if (ec) return NotFound("list " + dir.string() + ": " + ec.message());
  std::sort(children.names.begin(), children.names.end());
  std::ifstream procs(dir / "cgroup.procs");
  std::string pid;
  children.holds_processes = static_cast<bool>(procs >> pid);
  return children;
}

}  // namespace

StatusOr<std::unique_ptr<LibcgroupFs>> LibcgroupFs::Create() {
  // cgroup_init() rebuilds a global table and frees the old one under a lock that readers in
  // other threads also take; calling it once keeps it away from concurrent readers altogether.
  static std::once_flag once;
  static int init_result = 0;
  std::call_once(once, [] { init_result = cgroup_init(); });
  if (init_result != 0) return LibcgroupError("initialise libcgroup", init_result);
  for (const char* controller : kControllers) {
    char* mount_point = nullptr;
    int ret = cgroup_get_subsys_mount_point(controller, &mount_point);
    std::free(mount_point);
    if (ret != 0) {
      return FailedPrecondition(std::string("find cgroup v1 controller ") + controller +
                                ": not mounted (" + cgroup_strerror(ret) +
                                "); mount the host's /sys/fs/cgroup into the agent");
    }
  }
  return std::unique_ptr<LibcgroupFs>(new LibcgroupFs());
}

StatusOr<CgroupLimits> LibcgroupFs::ReadLimits(const std::string& cgroup) {
  CgroupLimits limits;
  CpuMax cpu;
  ASSIGN_OR_RETURN(cpu.quota_us, ReadLimit("cpu", cgroup, "cpu.cfs_quota_us"));
  ASSIGN_OR_RETURN(cpu.period_us, ReadLimit("cpu", cgroup, "cpu.cfs_period_us"));
  // Where WriteLimits puts the cpu quota (below): the loosest of the containers' counts.
  ASSIGN_OR_RETURN(CpuChildren children, CpuChildrenOf(cgroup));
  for (size_t i = 0; i < children.names.size(); ++i) {
    ASSIGN_OR_RETURN(int64_t quota, ReadLimit("cpu", children.names[i], "cpu.cfs_quota_us"));
    ASSIGN_OR_RETURN(int64_t period, ReadLimit("cpu", children.names[i], "cpu.cfs_period_us"));
    if (i == 0 || quota == kUnlimited || (cpu.quota_us != kUnlimited && quota > cpu.quota_us)) {
      cpu.quota_us = quota;
      cpu.period_us = period;
    }
  }
  limits.cpu = cpu;
  ASSIGN_OR_RETURN(limits.memory_max_bytes, ReadLimit("memory", cgroup, "memory.limit_in_bytes"));
  ASSIGN_OR_RETURN(limits.pids_max, ReadLimit("pids", cgroup, "pids.max"));
  return limits;
}

Status LibcgroupFs::WriteLimits(const std::string& cgroup, const CgroupLimits& limits) {
  if (limits.empty()) return Status::Ok();
  if (cgroup.size() >= FILENAME_MAX) return InvalidArgument("write cgroup limits: name too long");
  CgroupPtr group(cgroup_new_cgroup(cgroup.c_str()));
  if (!group) return Internal("write cgroup limits: out of memory");

  // One controller per resource, each written by cgroup_modify_cgroup() in the order added.
  // cfs_period_us goes before cfs_quota_us: the quota is meant against the new period.
  auto add = [&](const char* controller) -> StatusOr<struct cgroup_controller*> {
    struct cgroup_controller* c = cgroup_add_controller(group.get(), controller);
    if (c == nullptr) return Internal(std::string("add controller ") + controller);
    return c;
  };
  auto set = [&](struct cgroup_controller* c, const char* file, const std::string& value) {
    int ret = cgroup_set_value_string(c, file, value.c_str());
    return ret == 0 ? Status::Ok() : LibcgroupError(std::string("set ") + file, ret);
  };
  if (limits.cpu) RETURN_IF_ERROR(WriteCpuV1(cgroup, *limits.cpu));
  if (limits.memory_max_bytes) {
    ASSIGN_OR_RETURN(auto* memory, add("memory"));
    RETURN_IF_ERROR(set(memory, "memory.limit_in_bytes", V1Value(*limits.memory_max_bytes, false)));
  }
  if (limits.pids_max) {
    ASSIGN_OR_RETURN(auto* pids, add("pids"));
    RETURN_IF_ERROR(set(pids, "pids.max", V1Value(*limits.pids_max, true)));
  }
  int ret = cgroup_modify_cgroup(group.get());
  if (ret != 0) return LibcgroupError("write limits " + ToString(limits) + " to " + cgroup, ret);
  return Status::Ok();
}

// On v1 the kernel refuses a cgroup a cfs quota above its parent's (EINVAL), and runc writes
// each new container's own CPU limit into its cgroup: a pod whose quota the agent lowered
// below a container's limit could start no container. So the pod's share goes to each of its
// containers (the sandbox's too: idle), and the pod's own quota is lifted (-1), so that the
// next container runc makes fits under it; kubelet's pod cgroups never hold processes
// themselves. A cgroup without children that holds processes (not a kubelet pod: tests, other
// runtimes) gets the quota itself; a pod cgroup without either yet gets nothing until its
// containers exist (the next pass, on the pod's next change).
Status LibcgroupFs::WriteCpuV1(const std::string& cgroup, const CpuMax& cpu) {
  auto write = [](const std::string& name, const CpuMax& value) -> Status {
    CgroupPtr group(cgroup_new_cgroup(name.c_str()));
    if (!group) return Internal("write cgroup limits: out of memory");
    struct cgroup_controller* c = cgroup_add_controller(group.get(), "cpu");
    if (c == nullptr) return Internal("add controller cpu");
    for (const auto& [file, text] :
         {std::pair<const char*, std::string>{"cpu.cfs_period_us", std::to_string(value.period_us)},
          {"cpu.cfs_quota_us", V1Value(value.quota_us, false)}}) {
      if (int ret = cgroup_set_value_string(c, file, text.c_str()); ret != 0) {
        return LibcgroupError(std::string("set ") + file, ret);
      }
    }
    int ret = cgroup_modify_cgroup(group.get());
    return ret == 0 ? Status::Ok()
                    : LibcgroupError("write cpu quota " + V1Value(value.quota_us, false) + "/" +
                                         std::to_string(value.period_us) + " to " + name,
                                     ret);
  };
  ASSIGN_OR_RETURN(CpuChildren children, CpuChildrenOf(cgroup));
  if (children.names.empty()) {
    return children.holds_processes ? write(cgroup, cpu) : Status::Ok();
  }
  // The pod's own quota is lifted first, so that no child's write can exceed it.
  ASSIGN_OR_RETURN(int64_t pod_period, ReadLimit("cpu", cgroup, "cpu.cfs_period_us"));
  RETURN_IF_ERROR(write(cgroup, CpuMax{.quota_us = kUnlimited, .period_us = pod_period}));
  for (const std::string& child : children.names) {
    Status s = write(child, cpu);
    if (!s.ok() && s.code() != Code::kNotFound) return s;  // a container that just went is fine
  }
  return Status::Ok();
}

StatusOr<CgroupUsage> LibcgroupFs::ReadUsage(const std::string& cgroup) {
  CgroupUsage usage;
  ASSIGN_OR_RETURN(int64_t cpu_ns, ReadLimit("cpuacct", cgroup, "cpuacct.usage"));
  ASSIGN_OR_RETURN(int64_t memory, ReadLimit("memory", cgroup, "memory.usage_in_bytes"));
  ASSIGN_OR_RETURN(int64_t pids, ReadLimit("pids", cgroup, "pids.current"));
  usage.cpu_usage_ns = static_cast<uint64_t>(cpu_ns);
  usage.memory_bytes = static_cast<uint64_t>(memory);
  usage.pids = static_cast<uint64_t>(pids);
  return usage;
}

}  // namespace vc::agent
