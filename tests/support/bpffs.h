// SPDX-License-Identifier: Apache-2.0
// TestPinRoot: a bpffs of the test's own, mounted on a fresh directory under $TMPDIR, with the
// pin root inside it. When the object goes (also when the test fails) the mount is detached
// and the directory removed, so a test never leaves /sys/fs/bpf mounted or pins behind.
#pragma once

#include <stdlib.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

namespace vc::testing {

class TestPinRoot {
 public:
  TestPinRoot() {
    std::string pattern = (std::filesystem::temp_directory_path() / "vc-bpffs-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      error_ = std::string("mkdtemp: ") + std::strerror(errno);
      return;
    }
    mount_point_ = pattern;
    if (::mount("bpf", mount_point_.c_str(), "bpf", 0, "mode=0700") != 0) {
      error_ = "mount bpffs at " + mount_point_ + ": " + std::strerror(errno);
      ::rmdir(mount_point_.c_str());
      mount_point_.clear();
      return;
    }
    path_ = mount_point_ + "/vc";
  }
  ~TestPinRoot() {
    if (mount_point_.empty()) return;
    ::umount2(mount_point_.c_str(), MNT_DETACH);
    ::rmdir(mount_point_.c_str());
  }
  TestPinRoot(const TestPinRoot&) = delete;
  TestPinRoot& operator=(const TestPinRoot&) = delete;

  bool ok() const { return !path_.empty(); }
  const std::string& error() const { return error_; }
  // The pin root (not yet created; EnsurePinRoot makes it).
  const std::string& path() const { return path_; }

 private:
  std::string mount_point_;
  std::string path_;
  std::string error_;
};

}  // namespace vc::testing
