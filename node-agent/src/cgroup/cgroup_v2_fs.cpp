// SPDX-License-Identifier: Apache-2.0
#include "vc/agent/cgroup/cgroup_v2_fs.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

namespace vc::agent {
namespace {

namespace fs = std::filesystem;

// A missing controller file means the controller is not enabled in the parent's
// cgroup.subtree_control: say so, rather than "no such file".
Status FileError(const std::string& verb, const fs::path& path, int err) {
  std::string message = verb + " " + path.string() + ": " + std::strerror(err);
  if (err == ENOENT) {
    return NotFound(message + " (is the controller enabled in the parent's subtree_control?)");
  }
  return Internal(message);
}

StatusOr<std::string> ReadSmallFile(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return FileError("read", path, errno);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// One write(2) of the whole value: cgroup files take a value per write call, and the kernel's
// answer (EINVAL, EBUSY) comes back from that call, which a buffered stream would hide.
Status WriteSmallFile(const fs::path& path, const std::string& value) {
  int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) return FileError("open", path, errno);
  ssize_t written = ::write(fd, value.data(), value.size());
  int err = errno;
  ::close(fd);
  if (written < 0) return FileError("write " + value + " to", path, err);
  if (static_cast<size_t>(written) != value.size()) {
    return Internal("write " + path.string() + ": short write");
  }
  return Status::Ok();
}

StatusOr<uint64_t> ReadCounter(const fs::path& path) {
  ASSIGN_OR_RETURN(std::string text, ReadSmallFile(path));
  ASSIGN_OR_RETURN(int64_t value, ParseLimitValue(text));
  if (value == kUnlimited) return Internal("read " + path.string() + ": not a counter");
  return static_cast<uint64_t>(value);
}

// cpu.stat: "usage_usec 123\nuser_usec ...".
StatusOr<uint64_t> ReadCpuUsageUsec(const fs::path& path) {
  ASSIGN_OR_RETURN(std::string text, ReadSmallFile(path));
  std::istringstream lines(text);
  std::string key;
  uint64_t value = 0;
  while (lines >> key >> value) {
    if (key == "usage_usec") return value;
  }
  return Internal("read " + path.string() + ": no usage_usec");
}

}  // namespace

CgroupV2Fs::CgroupV2Fs(std::filesystem::path unified_root) : root_(std::move(unified_root)) {}

fs::path CgroupV2Fs::Dir(const std::string& cgroup) const {
  std::string_view relative = cgroup;
  while (!relative.empty() && relative.front() == '/') relative.remove_prefix(1);
  return root_ / relative;
}

StatusOr<CgroupLimits> CgroupV2Fs::ReadLimits(const std::string& cgroup) {
  const fs::path dir = Dir(cgroup);
  CgroupLimits limits;
  ASSIGN_OR_RETURN(std::string cpu_max, ReadSmallFile(dir / "cpu.max"));
  ASSIGN_OR_RETURN(limits.cpu, ParseCpuMax(cpu_max));
  ASSIGN_OR_RETURN(std::string memory_max, ReadSmallFile(dir / "memory.max"));
  ASSIGN_OR_RETURN(limits.memory_max_bytes, ParseLimitValue(memory_max));
  ASSIGN_OR_RETURN(std::string pids_max, ReadSmallFile(dir / "pids.max"));
  ASSIGN_OR_RETURN(limits.pids_max, ParseLimitValue(pids_max));
  return limits;
}

Status CgroupV2Fs::WriteLimits(const std::string& cgroup, const CgroupLimits& limits) {
  const fs::path dir = Dir(cgroup);
  if (limits.cpu) RETURN_IF_ERROR(WriteSmallFile(dir / "cpu.max", FormatCpuMax(*limits.cpu)));
  if (limits.memory_max_bytes) {
    RETURN_IF_ERROR(WriteSmallFile(dir / "memory.max", FormatLimitValue(*limits.memory_max_bytes)));
  }
  if (limits.pids_max) {
    RETURN_IF_ERROR(WriteSmallFile(dir / "pids.max", FormatLimitValue(*limits.pids_max)));
  }
  return Status::Ok();
}

StatusOr<CgroupUsage> CgroupV2Fs::ReadUsage(const std::string& cgroup) {
  const fs::path dir = Dir(cgroup);
  CgroupUsage usage;
  ASSIGN_OR_RETURN(uint64_t cpu_usec, ReadCpuUsageUsec(dir / "cpu.stat"));
  usage.cpu_usage_ns = cpu_usec * 1000;
  ASSIGN_OR_RETURN(usage.memory_bytes, ReadCounter(dir / "memory.current"));
  ASSIGN_OR_RETURN(usage.pids, ReadCounter(dir / "pids.current"));
  return usage;
}

}  // namespace vc::agent
