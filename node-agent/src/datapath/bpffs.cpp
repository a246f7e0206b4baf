// SPDX-License-Identifier: Apache-2.0
#include "vc/agent/datapath/bpffs.h"

#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/vfs.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "vc/log.h"

namespace vc::agent {
namespace {

bool OnBpffs(const std::string& path) {
  struct statfs st {};
  return statfs(path.c_str(), &st) == 0 && st.f_type == BPF_FS_MAGIC;
}

}  // namespace

Status EnsurePinRoot(const std::string& pin_root) {
  std::error_code ec;
  const std::string mount_point = kBpffsMountPoint;
  const bool under_mount_point =
      pin_root == mount_point || pin_root.rfind(mount_point + "/", 0) == 0;
  // Only the well-known place is ours to mount; any other pin root must already be on a bpffs.
  if (under_mount_point && !OnBpffs(kBpffsMountPoint)) {
    std::filesystem::create_directories(kBpffsMountPoint, ec);
    if (mount("bpf", kBpffsMountPoint, "bpf", 0, "mode=0700") != 0) {
      return FailedPrecondition(std::string("mount bpffs at ") + kBpffsMountPoint + ": " +
                                std::strerror(errno) +
                                " (the agent needs CAP_SYS_ADMIN and "
                                "a writable /sys/fs/bpf host mount)");
    }
    VC_LOG(Info) << "mounted bpffs at " << kBpffsMountPoint;
  }
  std::filesystem::create_directories(pin_root, ec);
  if (ec) return Unavailable("create pin root " + pin_root + ": " + ec.message());
  if (!OnBpffs(pin_root)) {
    return FailedPrecondition("pin root " + pin_root + " is not on a bpffs; choose a path under " +
                              kBpffsMountPoint + " or mount a bpffs there");
  }
  return Status::Ok();
}

Status RemovePinRoot(const std::string& pin_root) {
  if (!OnBpffs(pin_root)) {
    // Never recurse into something that is not ours to delete.
    std::error_code ec;
    if (!std::filesystem::exists(pin_root, ec)) return Status::Ok();
    return FailedPrecondition("remove pins: " + pin_root + " is not on a bpffs");
  }
  std::error_code ec;
  std::filesystem::remove_all(pin_root, ec);
  if (ec) return Unavailable("remove pins under " + pin_root + ": " + ec.message());
  return Status::Ok();
}

}  // namespace vc::agent
