// SPDX-License-Identifier: Apache-2.0
// Where the agent keeps its pins: it mounts bpffs only at /sys/fs/bpf (a host without
// systemd), never anywhere else, and removing a pin root removes only what is on a bpffs.
#include "vc/agent/datapath/bpffs.h"

#include <gtest/gtest.h>
#include <linux/magic.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "support/bpffs.h"
#include "support/prerequisite.h"
#include "support/temp_dir.h"

namespace vc::testing {
namespace {

long FsType(const std::string& path) {
  struct statfs st {};
  return statfs(path.c_str(), &st) == 0 ? static_cast<long>(st.f_type) : -1;
}

TEST(BpffsTest, APinRootOnABpffsIsCreatedAndRemoved) {
  VC_REQUIRE(geteuid() == 0, "root (mount)");
  TestPinRoot bpffs;
  VC_REQUIRE(bpffs.ok(), "a bpffs of the test's own: " << bpffs.error());
  const std::string root = bpffs.path() + "/node-a";
  ASSERT_TRUE(agent::EnsurePinRoot(root).ok());
  EXPECT_EQ(FsType(root), static_cast<long>(BPF_FS_MAGIC));
  ASSERT_TRUE(agent::RemovePinRoot(root).ok());
  EXPECT_FALSE(std::filesystem::exists(root));
}

TEST(BpffsTest, APinRootElsewhereMustAlreadyBeOnABpffsAndNothingIsMounted) {
  VC_REQUIRE(geteuid() == 0, "root (mount)");
  TempDir tmp;
  ASSERT_FALSE(tmp.path().empty());
  const long sys_fs_bpf_before = FsType(agent::kBpffsMountPoint);
  Status s = agent::EnsurePinRoot(tmp.path() + "/vc");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.ToString().find("is not on a bpffs"), std::string::npos) << s.ToString();
  EXPECT_NE(s.ToString().find("mount a bpffs there"), std::string::npos) << s.ToString();
  EXPECT_EQ(FsType(agent::kBpffsMountPoint), sys_fs_bpf_before) << "mounted /sys/fs/bpf";
  EXPECT_EQ(FsType(tmp.path()), FsType(std::filesystem::temp_directory_path().string()));
}

TEST(BpffsTest, RemovingAPinRootThatIsNotOnABpffsTouchesNothing) {
  VC_REQUIRE(geteuid() == 0, "root (mount)");
  TempDir tmp;
  ASSERT_FALSE(tmp.path().empty());
  { std::ofstream(tmp.path() + "/keep") << "x"; }
  Status s = agent::RemovePinRoot(tmp.path());
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(std::filesystem::exists(tmp.path() + "/keep"));
}

}  // namespace
}  // namespace vc::testing
