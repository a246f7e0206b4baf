// SPDX-License-Identifier: Apache-2.0
#include "vc/agent/cgroup/cgroup_layout.h"

#include <algorithm>

namespace vc::agent {
namespace {

// kubelet's --cgroup-root, normalised to "" or "a/b/" (relative, with a trailing slash).
std::string RootPrefix(std::string_view kubelet_cgroup_root) {
  while (!kubelet_cgroup_root.empty() && kubelet_cgroup_root.front() == '/') {
    kubelet_cgroup_root.remove_prefix(1);
  }
  while (!kubelet_cgroup_root.empty() && kubelet_cgroup_root.back() == '/') {
    kubelet_cgroup_root.remove_suffix(1);
  }
  if (kubelet_cgroup_root.empty()) return "";
  return std::string(kubelet_cgroup_root) + "/";
}

// The QoS parent's name part; Guaranteed pods sit directly under kubepods.
const char* QosSegment(QosClass qos) {
  switch (qos) {
    case QosClass::kBurstable:
      return "burstable";
    case QosClass::kBestEffort:
      return "besteffort";
    case QosClass::kGuaranteed:
      break;
  }
  return "";
}

}  // namespace

const char* CgroupDriverName(CgroupDriver driver) {
  return driver == CgroupDriver::kSystemd ? "systemd" : "cgroupfs";
}

const char* CgroupVersionName(CgroupVersion version) {
  return version == CgroupVersion::kV2 ? "v2" : "v1";
}

const char* QosClassName(QosClass qos) {
  switch (qos) {
    case QosClass::kGuaranteed:
      return "Guaranteed";
    case QosClass::kBurstable:
      return "Burstable";
    case QosClass::kBestEffort:
      return "BestEffort";
  }
  return "BestEffort";
}

bool ParseQosClass(std::string_view text, QosClass* out) {
  for (QosClass qos : {QosClass::kGuaranteed, QosClass::kBurstable, QosClass::kBestEffort}) {
    if (text == QosClassName(qos)) {
      *out = qos;
      return true;
    }
  }
  return false;
}

std::string KubepodsCgroupPath(CgroupDriver driver, std::string_view kubelet_cgroup_root) {
  return RootPrefix(kubelet_cgroup_root) +
         (driver == CgroupDriver::kSystemd ? "kubepods.slice" : "kubepods");
}

std::string KubeletCgroupRootFromProcCgroup(std::string_view proc_self_cgroup) {
  while (!proc_self_cgroup.empty()) {
    const size_t eol = proc_self_cgroup.find('\n');
    std::string_view line = proc_self_cgroup.substr(0, eol);
    proc_self_cgroup = eol == std::string_view::npos ? "" : proc_self_cgroup.substr(eol + 1);
    // "ID:controllers:/path"; the path may itself hold ':'.
    const size_t first = line.find(':');
    const size_t second = first == std::string_view::npos ? first : line.find(':', first + 1);
    if (second == std::string_view::npos) continue;
    std::string_view path = line.substr(second + 1);
    for (std::string_view name : {"/kubepods.slice", "/kubepods"}) {
      size_t at = path.find(name);
      while (at != std::string_view::npos) {
        const size_t end = at + name.size();
        if (end == path.size() || path[end] == '/') return std::string(path.substr(0, at));
        at = path.find(name, end);
      }
    }
  }
  return "";
}

std::string PodCgroupPath(const CgroupLayout& layout, QosClass qos, std::string_view pod_uid,
                          std::string_view kubelet_cgroup_root) {
  std::string path = KubepodsCgroupPath(layout.driver, kubelet_cgroup_root);
  const std::string segment = QosSegment(qos);
  if (layout.driver == CgroupDriver::kCgroupfs) {
    if (!segment.empty()) path += "/" + segment;
    return path + "/pod" + std::string(pod_uid);
  }
  // systemd: each level repeats its parents' names, joined by '-'.
  std::string uid(pod_uid);
  std::replace(uid.begin(), uid.end(), '-', '_');
  std::string unit = "kubepods";
  if (!segment.empty()) {
    unit += "-" + segment;
    path += "/" + unit + ".slice";
  }
  return path + "/" + unit + "-pod" + uid + ".slice";
}

}  // namespace vc::agent
