// SPDX-License-Identifier: Apache-2.0
// Test-owned cgroup v1 trees that look like kubelet's: /sys/fs/cgroup/<controller>/
// vc-test-<random>/kubepods/burstable/pod<uid> in each controller hierarchy the quota code
// uses. Everything made here is removed again in the destructor, bottom-up, after killing
// whatever still runs inside; the test runner itself is never moved into these groups, and the
// cgroups the shell runs in are never touched.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

namespace vc::agent::testing {

class ScopedV1Cgroups {
 public:
  // The hierarchies pods get a cgroup in, as kubelet makes one in every mounted hierarchy.
  static constexpr const char* kControllers[] = {"cpu", "cpuacct", "memory", "pids"};

  explicit ScopedV1Cgroups(std::filesystem::path cgroup_root = "/sys/fs/cgroup");
  ~ScopedV1Cgroups();
  ScopedV1Cgroups(const ScopedV1Cgroups&) = delete;
  ScopedV1Cgroups& operator=(const ScopedV1Cgroups&) = delete;

  // Whether the v1 controllers are mounted where expected (otherwise tests skip).
  static bool Available(const std::filesystem::path& cgroup_root = "/sys/fs/cgroup");

  // kubelet's --cgroup-root for the locator: "vc-test-<random>".
  const std::string& prefix() const { return prefix_; }

  // Makes prefix/kubepods/burstable/pod<uid> and, as runc would, its container's cgroup
  // pod<uid>/ctr (ContainerOf) in every hierarchy. False on failure (see error()).
  bool AddBurstablePod(const std::string& uid);
  // The container cgroup AddBurstablePod made under `pod_cgroup`: where a pod's processes run.
  static std::string ContainerOf(const std::string& pod_cgroup) { return pod_cgroup + "/ctr"; }

  // Moves `pid` (a child of the test, never the runner) into `cgroup` in every hierarchy.
  bool Attach(pid_t pid, const std::string& cgroup);

  // Writes one control file of a test cgroup; false on failure (see error()).
  bool Write(const char* controller, const std::string& cgroup, const char* file,
             const std::string& value);

  // Makes the memory limit of `cgroup` end in the OOM killer, as on a kubelet node (no swap):
  // memory.swappiness 0, so that its anonymous pages are not swapped out when the host has
  // swap (v1 memory.limit_in_bytes does not count swap), and the OOM killer enabled
  // (memory.oom_control). False with error() when either is not so.
  bool NoSwap(const std::string& cgroup);

  // The content of one control file, e.g. ("memory", cgroup, "memory.failcnt").
  std::string Read(const char* controller, const std::string& cgroup, const char* file) const;

  const std::string& error() const { return error_; }

 private:
  std::filesystem::path Dir(const char* controller, const std::string& cgroup) const;
  // SIGKILLs every process left in the directory and waits (with a deadline) until it is empty.
  void Evacuate(const std::filesystem::path& dir);

  std::filesystem::path root_;
  std::string prefix_;
  std::vector<std::filesystem::path> made_;  // in creation order; removed in reverse
  std::string error_;
};

// A value out of a cgroup "key value" file: "oom_kill 1" out of memory.oom_control,
// "nr_throttled 3" out of cpu.stat. -1 when the key is absent.
inline int64_t CgroupField(const std::string& text, const std::string& key) {
  std::istringstream lines(text);
  std::string name;
  int64_t value = 0;
  while (lines >> name >> value) {
    if (name == key) return value;
  }
  return -1;
}

}  // namespace vc::agent::testing
