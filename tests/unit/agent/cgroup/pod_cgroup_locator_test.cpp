// SPDX-License-Identifier: Apache-2.0
// The locator over directory trees shaped like the four layouts kubelet produces
// (cgroupfs/systemd x v1/v2). No privileges: only directory names matter to it.
#include "vc/agent/cgroup/pod_cgroup_locator.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "unit/agent/cgroup/cgroup_test_tree.h"

namespace vc::agent {
namespace {

using testing::CgroupTestTree;

constexpr const char* kUid = "8d7e0f3a-1b2c-4d5e-9f00-aabbccddeeff";

TEST(KubeletCgroupRoot, ReadFromTheAgentsOwnCgroup) {
  struct Case {
    std::string proc_self_cgroup;
    std::string want;
  };
  const std::vector<Case> cases = {
      // cgroup v1, cgroupfs driver, kubelet --cgroup-root=/vc-lc-1-2 (local real nodes).
      {"12:pids:/vc-lc-1-2/kubepods/besteffort/pod" + std::string(kUid) +
           "/abc\n"
           "4:cpu,cpuacct:/vc-lc-1-2/kubepods/besteffort/pod" +
           std::string(kUid) +
           "/abc\n"
           "0::/\n",
       "/vc-lc-1-2"},
      // the default root, both drivers, and a Guaranteed pod.
      {"3:memory:/kubepods/pod" + std::string(kUid) + "/abc\n", ""},
      {"0::/kubepods.slice/kubepods-burstable.slice/x.scope\n", ""},
      {"0::/nested/a:b/kubepods.slice/kubepods-pod_x.slice/cri-containerd-1.scope\n",
       "/nested/a:b"},
      // Not kubelet's: a private cgroup namespace, a name that only starts like kubepods,
      // garbage.
      {"0::/\n", ""},
      {"0::/kubepodsx/pod1\n", ""},
      {"nonsense\n\n:", ""},
      {"", ""},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(KubeletCgroupRootFromProcCgroup(c.proc_self_cgroup), c.want) << c.proc_self_cgroup;
  }
}

TEST(PodCgroupPath, NamesEveryQosForBothDrivers) {
  struct Case {
    CgroupDriver driver;
    QosClass qos;
    std::string want;
  };
  const std::vector<Case> cases = {
      {CgroupDriver::kCgroupfs, QosClass::kGuaranteed,
       "kubepods/pod8d7e0f3a-1b2c-4d5e-9f00-aabbccddeeff"},
      {CgroupDriver::kCgroupfs, QosClass::kBurstable,
       "kubepods/burstable/pod8d7e0f3a-1b2c-4d5e-9f00-aabbccddeeff"},
      {CgroupDriver::kCgroupfs, QosClass::kBestEffort,
       "kubepods/besteffort/pod8d7e0f3a-1b2c-4d5e-9f00-aabbccddeeff"},
      {CgroupDriver::kSystemd, QosClass::kGuaranteed,
       "kubepods.slice/kubepods-pod8d7e0f3a_1b2c_4d5e_9f00_aabbccddeeff.slice"},
      {CgroupDriver::kSystemd, QosClass::kBurstable,
       "kubepods.slice/kubepods-burstable.slice/"
       "kubepods-burstable-pod8d7e0f3a_1b2c_4d5e_9f00_aabbccddeeff.slice"},
      {CgroupDriver::kSystemd, QosClass::kBestEffort,
       "kubepods.slice/kubepods-besteffort.slice/"
       "kubepods-besteffort-pod8d7e0f3a_1b2c_4d5e_9f00_aabbccddeeff.slice"},
  };
  for (const Case& c : cases) {
    for (CgroupVersion version : {CgroupVersion::kV1, CgroupVersion::kV2}) {
      // The version changes where the hierarchy is, never the pod's name within it.
      EXPECT_EQ(PodCgroupPath({c.driver, version}, c.qos, kUid), c.want)
          << CgroupDriverName(c.driver) << " " << QosClassName(c.qos);
    }
  }
}

TEST(PodCgroupPath, HonoursKubeletCgroupRoot) {
  EXPECT_EQ(PodCgroupPath({}, QosClass::kBurstable, "u1", "/kubelet/"),
            "kubelet/kubepods/burstable/podu1");
  EXPECT_EQ(PodCgroupPath({}, QosClass::kBurstable, "u1", "/"), "kubepods/burstable/podu1");
}

TEST(ParseQosClass, AcceptsStatusValuesOnly) {
  QosClass qos{};
  EXPECT_TRUE(ParseQosClass("Burstable", &qos));
  EXPECT_EQ(qos, QosClass::kBurstable);
  EXPECT_FALSE(ParseQosClass("burstable", &qos));
}

// One tree per layout, as kubelet leaves it, and what the locator must find in it.
struct LayoutCase {
  const char* name;
  CgroupLayout want;
  void (*build)(CgroupTestTree&);
  std::string probe;  // the hierarchy under which pod cgroups live, relative to the root
};

void CgroupfsV1(CgroupTestTree& t) {
  // Like this machine: per-controller hierarchies plus an empty cgroup2 tree at unified/.
  t.File("unified/cgroup.controllers", "hugetlb\n");
  for (const char* c : {"cpu", "cpuacct", "memory", "pids"}) t.Dir(std::string(c) + "/kubepods");
  t.Dir(std::string("cpu/kubepods/burstable/pod") + kUid);
}

void SystemdV1(CgroupTestTree& t) {
  // Co-mounted cpu,cpuacct with the usual "cpu" symlink.
  t.Dir("cpu,cpuacct/kubepods.slice");
  t.Symlink("cpu,cpuacct", "cpu");
  t.Dir("systemd/kubepods.slice");
  t.Dir(std::string("cpu,cpuacct/kubepods.slice/kubepods-burstable.slice/") +
        "kubepods-burstable-pod8d7e0f3a_1b2c_4d5e_9f00_aabbccddeeff.slice");
}

void CgroupfsV2(CgroupTestTree& t) {
  t.File("cgroup.controllers", "cpuset cpu io memory pids\n");
  t.Dir(std::string("kubepods/burstable/pod") + kUid);
}

void SystemdV2(CgroupTestTree& t) {
  t.File("cgroup.controllers", "cpuset cpu io memory pids\n");
  t.Dir("system.slice");
  t.Dir(std::string("kubepods.slice/kubepods-burstable.slice/") +
        "kubepods-burstable-pod8d7e0f3a_1b2c_4d5e_9f00_aabbccddeeff.slice");
}

class PodCgroupLocatorLayouts : public ::testing::TestWithParam<LayoutCase> {};

TEST_P(PodCgroupLocatorLayouts, DetectsLayoutAndFindsPod) {
  const LayoutCase& c = GetParam();
  CgroupTestTree tree;
  c.build(tree);
  PodCgroupLocator locator(tree.root());

  auto layout = locator.DetectLayout();
  ASSERT_TRUE(layout.ok()) << layout.status().message();
  EXPECT_EQ(*layout, c.want);
  EXPECT_EQ(locator.ProbeHierarchy(*layout), c.probe.empty() ? tree.root() : tree.root() / c.probe);

  auto found = locator.Locate(*layout, QosClass::kBurstable, kUid);
  ASSERT_TRUE(found.ok()) << found.status().message();
  EXPECT_EQ(*found, PodCgroupPath(c.want, QosClass::kBurstable, kUid));

  // A stale QoS hint still finds the pod under its real parent.
  auto hinted = locator.Locate(*layout, QosClass::kGuaranteed, kUid);
  ASSERT_TRUE(hinted.ok()) << hinted.status().message();
  EXPECT_EQ(*hinted, *found);

  auto missing =
      locator.Locate(*layout, QosClass::kBurstable, "00000000-0000-0000-0000-000000000000");
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
}

INSTANTIATE_TEST_SUITE_P(
    AllFour, PodCgroupLocatorLayouts,
    ::testing::Values(
        LayoutCase{"cgroupfs_v1", {CgroupDriver::kCgroupfs, CgroupVersion::kV1}, CgroupfsV1, "cpu"},
        LayoutCase{"systemd_v1", {CgroupDriver::kSystemd, CgroupVersion::kV1}, SystemdV1, "cpu"},
        LayoutCase{"cgroupfs_v2", {CgroupDriver::kCgroupfs, CgroupVersion::kV2}, CgroupfsV2, ""},
        LayoutCase{"systemd_v2", {CgroupDriver::kSystemd, CgroupVersion::kV2}, SystemdV2, ""}),
    [](const ::testing::TestParamInfo<LayoutCase>& info) { return std::string(info.param.name); });

TEST(PodCgroupLocator, FindsGuaranteedPodsDirectlyUnderKubepods) {
  CgroupTestTree tree;
  tree.File("cgroup.controllers", "cpu memory pids\n");
  tree.Dir("kubepods.slice/kubepods-podabc_1.slice");
  PodCgroupLocator locator(tree.root());
  auto layout = locator.DetectLayout();
  ASSERT_TRUE(layout.ok());
  auto found = locator.Locate(*layout, QosClass::kGuaranteed, "abc-1");
  ASSERT_TRUE(found.ok()) << found.status().message();
  EXPECT_EQ(*found, "kubepods.slice/kubepods-podabc_1.slice");
}

TEST(PodCgroupLocator, UsesKubeletCgroupRoot) {
  CgroupTestTree tree;
  tree.Dir("cpu/vc-test/kubepods/besteffort/podu1");
  tree.Dir("cpu/kubepods.slice");  // another kubelet's tree must not win
  PodCgroupLocator locator(tree.root(), "/vc-test");
  auto layout = locator.DetectLayout();
  ASSERT_TRUE(layout.ok()) << layout.status().message();
  EXPECT_EQ(layout->driver, CgroupDriver::kCgroupfs);
  auto found = locator.Locate(*layout, QosClass::kBestEffort, "u1");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(*found, "vc-test/kubepods/besteffort/podu1");
}

TEST(PodCgroupLocator, ExplainsWhenKubeletHasNoCgroups) {
  CgroupTestTree tree;
  tree.Dir("cpu");
  auto layout = PodCgroupLocator(tree.root()).DetectLayout();
  EXPECT_EQ(layout.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(layout.status().message().find("kubelet"), std::string::npos);

  CgroupTestTree empty;
  EXPECT_EQ(PodCgroupLocator(empty.root()).DetectLayout().status().code(),
            Code::kFailedPrecondition);
}

TEST(PodCgroupLocator, RejectsUidsThatEscapeTheHierarchy) {
  CgroupTestTree tree;
  tree.Dir("cpu/kubepods");
  PodCgroupLocator locator(tree.root());
  CgroupLayout layout;
  EXPECT_EQ(locator.Locate(layout, QosClass::kBurstable, "../../etc").status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(locator.Locate(layout, QosClass::kBurstable, "").status().code(),
            Code::kInvalidArgument);
}

}  // namespace
}  // namespace vc::agent
