// SPDX-License-Identifier: Apache-2.0
#include "vc/agent/cgroup/pod_cgroup_locator.h"

#include <system_error>
#include <utility>

namespace vc::agent {
namespace {

namespace fs = std::filesystem;

bool IsDir(const fs::path& path) {
  std::error_code ec;  // an unreadable path is as good as a missing one here
  return fs::is_directory(path, ec);
}

bool IsFile(const fs::path& path) {
  std::error_code ec;
  return fs::exists(path, ec) && !fs::is_directory(path, ec);
}

}  // namespace

PodCgroupLocator::PodCgroupLocator(std::filesystem::path cgroup_root,
                                   std::string kubelet_cgroup_root)
    : cgroup_root_(std::move(cgroup_root)), kubelet_cgroup_root_(std::move(kubelet_cgroup_root)) {}

fs::path PodCgroupLocator::V1CpuHierarchy() const {
  // Distributions mount cpu alone (as here) or co-mounted with cpuacct, with or without the
  // "cpu" symlink; is_directory follows symlinks.
  for (const char* name : {"cpu", "cpu,cpuacct", "cpuacct,cpu"}) {
    if (IsDir(cgroup_root_ / name)) return cgroup_root_ / name;
  }
  return {};
}

fs::path PodCgroupLocator::ProbeHierarchy(const CgroupLayout& layout) const {
  return layout.version == CgroupVersion::kV2 ? cgroup_root_ : V1CpuHierarchy();
}

StatusOr<CgroupLayout> PodCgroupLocator::DetectLayout() const {
  CgroupLayout layout;
  if (IsFile(cgroup_root_ / "cgroup.controllers")) {
    layout.version = CgroupVersion::kV2;
  } else if (!V1CpuHierarchy().empty()) {
    layout.version = CgroupVersion::kV1;
  } else {
    return FailedPrecondition("detect cgroup layout: " + cgroup_root_.string() +
                              " holds neither a cgroup2 hierarchy nor a v1 cpu hierarchy; "
                              "mount the host's cgroupfs there");
  }
  const fs::path probe = ProbeHierarchy(layout);
  for (CgroupDriver driver : {CgroupDriver::kSystemd, CgroupDriver::kCgroupfs}) {
    if (IsDir(probe / KubepodsCgroupPath(driver, kubelet_cgroup_root_))) {
      layout.driver = driver;
      return layout;
    }
  }
  return FailedPrecondition(
      "detect cgroup driver: neither " +
      (probe / KubepodsCgroupPath(CgroupDriver::kCgroupfs, kubelet_cgroup_root_)).string() +
      " nor " +
      (probe / KubepodsCgroupPath(CgroupDriver::kSystemd, kubelet_cgroup_root_)).string() +
      " exists; is kubelet running, with this --cgroup-root?");
}

StatusOr<std::string> PodCgroupLocator::Locate(const CgroupLayout& layout, QosClass qos,
                                               std::string_view pod_uid) const {
  if (pod_uid.empty() || pod_uid.find('/') != std::string_view::npos ||
      pod_uid.find("..") != std::string_view::npos) {
    return InvalidArgument("locate pod cgroup: invalid pod uid \"" + std::string(pod_uid) + "\"");
  }
  const fs::path probe = ProbeHierarchy(layout);
  std::string first = PodCgroupPath(layout, qos, pod_uid, kubelet_cgroup_root_);
  if (IsDir(probe / first)) return first;
  for (QosClass other : {QosClass::kGuaranteed, QosClass::kBurstable, QosClass::kBestEffort}) {
    if (other == qos) continue;
    std::string path = PodCgroupPath(layout, other, pod_uid, kubelet_cgroup_root_);
    if (IsDir(probe / path)) return path;
  }
  return NotFound("locate pod cgroup: no cgroup for pod " + std::string(pod_uid) + " under " +
                  probe.string() + " (expected " + first + "); kubelet may not have made it yet");
}

}  // namespace vc::agent
