// SPDX-License-Identifier: Apache-2.0
// Values that cross the CgroupFs interface: the limits the agent writes on a pod cgroup and
// the usage it reads back. Version-neutral: CgroupFs implementations translate to v1 files
// (cpu.cfs_quota_us, memory.limit_in_bytes, pids.max) or v2 files (cpu.max, memory.max,
// pids.max).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "vc/status.h"

namespace vc::agent {

// "max" in a cgroup file.
inline constexpr int64_t kUnlimited = -1;
// kubelet's CFS period; quotas are computed against it.
inline constexpr int64_t kDefaultCpuPeriodUs = 100000;
// The kernel rejects smaller CFS quotas (EINVAL below 1ms).
inline constexpr int64_t kMinCpuQuotaUs = 1000;

struct CpuMax {
  int64_t quota_us = kUnlimited;
  int64_t period_us = kDefaultCpuPeriodUs;
  bool operator==(const CpuMax&) const = default;
};

// An unset field means "not ours to set": the enforcer leaves what kubelet wrote there.
struct CgroupLimits {
  std::optional<CpuMax> cpu;
  std::optional<int64_t> memory_max_bytes;  // kUnlimited for no limit
  std::optional<int64_t> pids_max;          // kUnlimited for no limit
  bool operator==(const CgroupLimits&) const = default;
  bool empty() const { return !cpu && !memory_max_bytes && !pids_max; }
};

struct CgroupUsage {
  uint64_t cpu_usage_ns = 0;  // cumulative cpu time since the cgroup was made
  uint64_t memory_bytes = 0;  // current charge (v1 memory.usage_in_bytes, v2 memory.current)
  uint64_t pids = 0;          // pids.current
  CgroupUsage& operator+=(const CgroupUsage& other);
  bool operator==(const CgroupUsage&) const = default;
};

// The fields of `desired` that differ from `current`: what a reconcile has to write.
CgroupLimits LimitsToWrite(const CgroupLimits& desired, const CgroupLimits& current);

// True when some field of `desired` is tighter than the same field of `current`. Such writes go
// first, so that the sum over a tenant's pods never exceeds its budget in between.
bool TightensAny(const CgroupLimits& desired, const CgroupLimits& current);

// "cpu=20000/100000us memory=67108864 pids=max"; unset fields are left out.
std::string ToString(const CgroupLimits& limits);

// Parsers for the kernel's formats, shared by the implementations and testable alone.
// "max" -> kUnlimited, "123" -> 123. v1 reports an unlimited memory limit as a huge number
// (PAGE_COUNTER_MAX pages); values >= 2^62 also read as kUnlimited.
StatusOr<int64_t> ParseLimitValue(std::string_view text);
// v2 cpu.max: "max 100000" or "50000 100000".
StatusOr<CpuMax> ParseCpuMax(std::string_view text);
std::string FormatLimitValue(int64_t value);  // kUnlimited -> "max"
std::string FormatCpuMax(const CpuMax& cpu);  // "max 100000" or "50000 100000"

}  // namespace vc::agent
