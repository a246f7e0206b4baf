// SPDX-License-Identifier: Apache-2.0
#include "vc/agent/cgroup/cgroup_limits.h"

#include <charconv>
#include <sstream>

namespace vc::agent {
namespace {

// v1 reports "no memory limit" as PAGE_COUNTER_MAX pages (9223372036854771712 on x86-64);
// nothing real is that large.
constexpr int64_t kV1UnlimitedThreshold = int64_t{1} << 62;

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\n' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\n' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

// A tightening is a finite limit replacing a larger or unlimited one.
bool Tighter(int64_t desired, int64_t current) {
  if (desired == kUnlimited) return false;
  return current == kUnlimited || desired < current;
}

double CpuFraction(const CpuMax& cpu) {
  if (cpu.quota_us == kUnlimited || cpu.period_us <= 0) return -1;
  return static_cast<double>(cpu.quota_us) / static_cast<double>(cpu.period_us);
}

}  // namespace

CgroupUsage& CgroupUsage::operator+=(const CgroupUsage& other) {
  cpu_usage_ns += other.cpu_usage_ns;
  memory_bytes += other.memory_bytes;
  pids += other.pids;
  return *this;
}

CgroupLimits LimitsToWrite(const CgroupLimits& desired, const CgroupLimits& current) {
  CgroupLimits out;
  if (desired.cpu && desired.cpu != current.cpu) out.cpu = desired.cpu;
  if (desired.memory_max_bytes && desired.memory_max_bytes != current.memory_max_bytes) {
    out.memory_max_bytes = desired.memory_max_bytes;
  }
  if (desired.pids_max && desired.pids_max != current.pids_max) out.pids_max = desired.pids_max;
  return out;
}

bool TightensAny(const CgroupLimits& desired, const CgroupLimits& current) {
  if (desired.cpu && current.cpu) {
    double want = CpuFraction(*desired.cpu);
    double have = CpuFraction(*current.cpu);
    if (want >= 0 && (have < 0 || want < have)) return true;
  } else if (desired.cpu && desired.cpu->quota_us != kUnlimited) {
    return true;
  }
  if (desired.memory_max_bytes &&
      Tighter(*desired.memory_max_bytes, current.memory_max_bytes.value_or(kUnlimited))) {
    return true;
  }
  return desired.pids_max && Tighter(*desired.pids_max, current.pids_max.value_or(kUnlimited));
}

std::string ToString(const CgroupLimits& limits) {
  std::ostringstream out;
  const char* sep = "";
  if (limits.cpu) {
    out << "cpu=" << FormatLimitValue(limits.cpu->quota_us) << "/" << limits.cpu->period_us << "us";
    sep = " ";
  }
  if (limits.memory_max_bytes) {
    out << sep << "memory=" << FormatLimitValue(*limits.memory_max_bytes);
    sep = " ";
  }
  if (limits.pids_max) out << sep << "pids=" << FormatLimitValue(*limits.pids_max);
  return out.str();
}

StatusOr<int64_t> ParseLimitValue(std::string_view text) {
  text = Trim(text);
  if (text == "max") return kUnlimited;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return InvalidArgument("parse cgroup value: \"" + std::string(text) + "\" is not a number");
  }
  if (value < 0 || value >= kV1UnlimitedThreshold) return kUnlimited;  // v1 writes -1 as-is
  return value;
}

StatusOr<CpuMax> ParseCpuMax(std::string_view text) {
  text = Trim(text);
  auto space = text.find(' ');
  if (space == std::string_view::npos) {
    return InvalidArgument("parse cpu.max: \"" + std::string(text) + "\" is not \"quota period\"");
  }
  ASSIGN_OR_RETURN(int64_t quota, ParseLimitValue(text.substr(0, space)));
  ASSIGN_OR_RETURN(int64_t period, ParseLimitValue(text.substr(space + 1)));
  if (period == kUnlimited || period == 0) {
    return InvalidArgument("parse cpu.max: bad period in \"" + std::string(text) + "\"");
  }
  return CpuMax{.quota_us = quota, .period_us = period};
}

std::string FormatLimitValue(int64_t value) {
  return value == kUnlimited ? "max" : std::to_string(value);
}

std::string FormatCpuMax(const CpuMax& cpu) {
  return FormatLimitValue(cpu.quota_us) + " " + std::to_string(cpu.period_us);
}

}  // namespace vc::agent
