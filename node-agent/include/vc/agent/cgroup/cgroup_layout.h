// SPDX-License-Identifier: Apache-2.0
// How kubelet lays out pod cgroups: which cgroup driver and which cgroup version a node uses,
// and the pod's cgroup path that follows from them. Pure: no filesystem access here (that is
// PodCgroupLocator's job), so every naming rule is testable as a plain function.
#pragma once

#include <string>
#include <string_view>

namespace vc::agent {

// kubelet's --cgroup-driver.
enum class CgroupDriver { kCgroupfs, kSystemd };

// v1: one hierarchy per controller (/sys/fs/cgroup/<controller>/...), also on "hybrid" hosts
// that additionally mount an empty cgroup2 tree at /sys/fs/cgroup/unified. v2: one unified
// hierarchy at /sys/fs/cgroup. kubelet decides the same way (cgroup2 magic at the root).
enum class CgroupVersion { kV1, kV2 };

// The pod's QoS class as kubelet computes it (status.qosClass). It picks the parent cgroup.
enum class QosClass { kGuaranteed, kBurstable, kBestEffort };

struct CgroupLayout {
  CgroupDriver driver = CgroupDriver::kCgroupfs;
  CgroupVersion version = CgroupVersion::kV1;
  bool operator==(const CgroupLayout&) const = default;
};

const char* CgroupDriverName(CgroupDriver driver);     // "cgroupfs" | "systemd"
const char* CgroupVersionName(CgroupVersion version);  // "v1" | "v2"
const char* QosClassName(QosClass qos);                // "Guaranteed" | "Burstable" | "BestEffort"
// Parses status.qosClass; false on anything else.
bool ParseQosClass(std::string_view text, QosClass* out);

// The pod's cgroup relative to a hierarchy's root, without a leading slash, as kubelet names it:
//   cgroupfs: kubepods/pod<uid>                                  (Guaranteed)
//             kubepods/burstable/pod<uid>, kubepods/besteffort/pod<uid>
//   systemd:  kubepods.slice/kubepods-pod<uid_>.slice            (Guaranteed)
//             kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<uid_>.slice
// where <uid_> has '-' replaced by '_' (systemd reads '-' in a slice name as nesting).
// `kubelet_cgroup_root` is kubelet's --cgroup-root ("" or "/" for the default).
std::string PodCgroupPath(const CgroupLayout& layout, QosClass qos, std::string_view pod_uid,
                          std::string_view kubelet_cgroup_root = "");

// The directory kubelet creates first (kubepods or kubepods.slice): the evidence of its driver.
std::string KubepodsCgroupPath(CgroupDriver driver, std::string_view kubelet_cgroup_root = "");

// kubelet's --cgroup-root as seen from inside one of its pods: `proc_self_cgroup` is the text
// of /proc/self/cgroup, whose paths run <root>/kubepods[.slice]/... for a container kubelet
// started. "" (the default root) when no path names kubepods, as inside a private cgroup
// namespace, where kubelet's default root is then the only sensible guess. Lets one DaemonSet
// serve nodes whose kubelets use different roots.
std::string KubeletCgroupRootFromProcCgroup(std::string_view proc_self_cgroup);

}  // namespace vc::agent
