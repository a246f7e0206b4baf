// SPDX-License-Identifier: Apache-2.0
// Finds the cgroup kubelet made for a pod. The agent never creates or moves pod cgroups: it
// only finds them and tunes their limits (see tenant_budget.h for why).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "vc/agent/cgroup/cgroup_layout.h"
#include "vc/status.h"

namespace vc::agent {

class PodCgroupLocator {
 public:
  // `cgroup_root` is where the cgroup filesystems are mounted (/sys/fs/cgroup on a host, a
  // directory tree in tests). `kubelet_cgroup_root` is kubelet's --cgroup-root, relative to a
  // hierarchy's root ("" for the default).
  explicit PodCgroupLocator(std::filesystem::path cgroup_root,
                            std::string kubelet_cgroup_root = "");

  // Reads the layout from the filesystem, the way kubelet chose it:
  //  - version: v2 when the root itself is a unified hierarchy (cgroup.controllers at the
  //    root); v1 when per-controller hierarchies exist (also on hybrid hosts whose cgroup2
  //    tree at <root>/unified carries no cpu/memory controllers).
  //  - driver: systemd when kubepods.slice exists under kubelet's root, cgroupfs when kubepods
  //    does. FailedPrecondition when neither exists (kubelet not running, or another root).
  StatusOr<CgroupLayout> DetectLayout() const;

  // The pod's cgroup, relative to a hierarchy's root (what CgroupFs takes). `qos` is where to
  // look first; the other QoS parents are searched too, because the agent's idea of a pod's
  // QoS class may lag kubelet's. NotFound when kubelet has not made the cgroup (yet).
  StatusOr<std::string> Locate(const CgroupLayout& layout, QosClass qos,
                               std::string_view pod_uid) const;

  // The directory in which the pod cgroups of `layout` are probed: the root on v2, the cpu
  // hierarchy on v1 (kubelet creates pod cgroups in every hierarchy at once).
  std::filesystem::path ProbeHierarchy(const CgroupLayout& layout) const;

 private:
  std::filesystem::path V1CpuHierarchy() const;

  std::filesystem::path cgroup_root_;
  std::string kubelet_cgroup_root_;
};

}  // namespace vc::agent
