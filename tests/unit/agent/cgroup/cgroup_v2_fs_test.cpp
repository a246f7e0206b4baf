// SPDX-License-Identifier: Apache-2.0
// CgroupV2Fs against a temporary directory tree shaped like a cgroup2 hierarchy. The v2 cpu
// and memory controllers are not available on the machines these tests run on (hybrid
// cgroups: v1 controllers, an empty cgroup2 tree), so this proves the file names, formats and
// error mapping, not the kernel's enforcement; tests/privileged/cgroup/ proves enforcement on v1.
#include "vc/agent/cgroup/cgroup_v2_fs.h"

#include <gtest/gtest.h>

#include <string>

#include "unit/agent/cgroup/cgroup_test_tree.h"

namespace vc::agent {
namespace {

using testing::CgroupTestTree;

constexpr const char* kPod =
    "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podu1.slice";

// The files a pod cgroup has when cpu, memory and pids are enabled in its parent's
// subtree_control, with the values kubelet leaves on a pod without limits.
void MakePodCgroup(CgroupTestTree& tree, const std::string& pod) {
  tree.File("cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n");
  tree.File(pod + "/cpu.max", "max 100000\n");
  tree.File(pod + "/memory.max", "max\n");
  tree.File(pod + "/pids.max", "max\n");
  tree.File(pod + "/cpu.stat", "usage_usec 1234567\nuser_usec 1000000\nsystem_usec 234567\n");
  tree.File(pod + "/memory.current", "52428800\n");
  tree.File(pod + "/pids.current", "7\n");
}

TEST(CgroupV2Fs, ReadsWhatKubeletLeft) {
  CgroupTestTree tree;
  MakePodCgroup(tree, kPod);
  CgroupV2Fs fs(tree.root());
  auto limits = fs.ReadLimits(kPod);
  ASSERT_TRUE(limits.ok()) << limits.status().message();
  EXPECT_EQ(limits->cpu, (CpuMax{.quota_us = kUnlimited, .period_us = 100000}));
  EXPECT_EQ(limits->memory_max_bytes, kUnlimited);
  EXPECT_EQ(limits->pids_max, kUnlimited);
}

TEST(CgroupV2Fs, WritesTheV2Formats) {
  CgroupTestTree tree;
  MakePodCgroup(tree, kPod);
  CgroupV2Fs fs(tree.root());
  CgroupLimits limits{.cpu = CpuMax{.quota_us = 25000, .period_us = 100000},
                      .memory_max_bytes = 64 << 20,
                      .pids_max = 32};
  ASSERT_TRUE(fs.WriteLimits(std::string("/") + kPod, limits).ok());
  EXPECT_EQ(tree.Read(std::string(kPod) + "/cpu.max"), "25000 100000");
  EXPECT_EQ(tree.Read(std::string(kPod) + "/memory.max"), "67108864");
  EXPECT_EQ(tree.Read(std::string(kPod) + "/pids.max"), "32");
  auto back = fs.ReadLimits(kPod);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, limits);

  // Unset fields are left alone; "max" is written for unlimited.
  ASSERT_TRUE(fs.WriteLimits(kPod, {.pids_max = kUnlimited}).ok());
  EXPECT_EQ(tree.Read(std::string(kPod) + "/pids.max"), "max");
  EXPECT_EQ(tree.Read(std::string(kPod) + "/cpu.max"), "25000 100000");
}

TEST(CgroupV2Fs, ReadsUsage) {
  CgroupTestTree tree;
  MakePodCgroup(tree, kPod);
  auto usage = CgroupV2Fs(tree.root()).ReadUsage(kPod);
  ASSERT_TRUE(usage.ok()) << usage.status().message();
  EXPECT_EQ(usage->cpu_usage_ns, 1234567000u);
  EXPECT_EQ(usage->memory_bytes, 52428800u);
  EXPECT_EQ(usage->pids, 7u);
}

TEST(CgroupV2Fs, MissingControllerFilesPointAtSubtreeControl) {
  CgroupTestTree tree;
  tree.Dir(kPod);
  tree.File(std::string(kPod) + "/cpu.max", "max 100000\n");  // only cpu enabled
  CgroupV2Fs fs(tree.root());
  auto limits = fs.ReadLimits(kPod);
  EXPECT_EQ(limits.status().code(), Code::kNotFound);
  EXPECT_NE(limits.status().message().find("subtree_control"), std::string::npos);
  EXPECT_EQ(fs.WriteLimits(kPod, {.memory_max_bytes = 1 << 20}).code(), Code::kNotFound);
  EXPECT_FALSE(fs.WriteLimits("kubepods.slice/gone", {.pids_max = 1}).ok());
}

TEST(CgroupLimitsFormat, ParsesKernelSpellings) {
  EXPECT_EQ(*ParseLimitValue("max\n"), kUnlimited);
  EXPECT_EQ(*ParseLimitValue("4096\n"), 4096);
  EXPECT_EQ(*ParseLimitValue("-1"), kUnlimited);
  EXPECT_EQ(*ParseLimitValue("9223372036854771712\n"), kUnlimited);  // v1's "no limit"
  EXPECT_FALSE(ParseLimitValue("12abc").ok());
  EXPECT_EQ(*ParseCpuMax("50000 100000\n"), (CpuMax{.quota_us = 50000, .period_us = 100000}));
  EXPECT_FALSE(ParseCpuMax("50000").ok());
  EXPECT_EQ(FormatCpuMax({.quota_us = kUnlimited, .period_us = 100000}), "max 100000");
  EXPECT_EQ(ToString({.cpu = CpuMax{.quota_us = 2000}, .pids_max = kUnlimited}),
            "cpu=2000/100000us pids=max");
}

TEST(CgroupLimitsFormat, TighteningIsAnyFiniteDecrease) {
  CgroupLimits have{
      .cpu = CpuMax{.quota_us = 50000}, .memory_max_bytes = kUnlimited, .pids_max = 10};
  EXPECT_TRUE(TightensAny({.cpu = CpuMax{.quota_us = 20000}}, have));
  EXPECT_FALSE(TightensAny({.cpu = CpuMax{.quota_us = 80000}}, have));
  EXPECT_TRUE(TightensAny({.memory_max_bytes = 1 << 30}, have));
  EXPECT_FALSE(TightensAny({.pids_max = kUnlimited}, have));
  EXPECT_TRUE(LimitsToWrite(have, have).empty());
}

}  // namespace
}  // namespace vc::agent
