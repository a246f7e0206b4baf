// SPDX-License-Identifier: Apache-2.0
// CgroupFs in memory: cgroups are map entries, every write is recorded so that tests can
// assert what a reconcile wrote (and that a second one writes nothing).
#pragma once

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "vc/agent/cgroup/cgroup_fs.h"

namespace vc::agent::testing {

class FakeCgroupFs final : public CgroupFs {
 public:
  // A cgroup as kubelet leaves it: no limits of its own.
  void AddCgroup(const std::string& cgroup, CgroupLimits limits = Unlimited()) {
    limits_[cgroup] = std::move(limits);
  }
  void SetUsage(const std::string& cgroup, CgroupUsage usage) { usage_[cgroup] = usage; }
  void FailWrites(const std::string& cgroup) { failing_.insert(cgroup); }

  static CgroupLimits Unlimited() {
    return {.cpu = CpuMax{}, .memory_max_bytes = kUnlimited, .pids_max = kUnlimited};
  }

  StatusOr<CgroupLimits> ReadLimits(const std::string& cgroup) override {
    auto it = limits_.find(cgroup);
    if (it == limits_.end()) return NotFound("read limits: no cgroup " + cgroup);
    return it->second;
  }

  Status WriteLimits(const std::string& cgroup, const CgroupLimits& limits) override {
    auto it = limits_.find(cgroup);
    if (it == limits_.end()) return NotFound("write limits: no cgroup " + cgroup);
    if (failing_.count(cgroup) != 0) return Internal("write limits: device or resource busy");
    writes.emplace_back(cgroup, limits);
    if (limits.cpu) it->second.cpu = limits.cpu;
    if (limits.memory_max_bytes) it->second.memory_max_bytes = limits.memory_max_bytes;
    if (limits.pids_max) it->second.pids_max = limits.pids_max;
    return Status::Ok();
  }

  StatusOr<CgroupUsage> ReadUsage(const std::string& cgroup) override {
    auto it = usage_.find(cgroup);
    if (it == usage_.end()) return NotFound("read usage: no cgroup " + cgroup);
    return it->second;
  }

  const CgroupLimits& LimitsOf(const std::string& cgroup) { return limits_.at(cgroup); }

  std::vector<std::pair<std::string, CgroupLimits>> writes;

 private:
  std::map<std::string, CgroupLimits> limits_;
  std::map<std::string, CgroupUsage> usage_;
  std::set<std::string> failing_;
};

}  // namespace vc::agent::testing
