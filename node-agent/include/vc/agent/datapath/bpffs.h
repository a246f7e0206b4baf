// SPDX-License-Identifier: Apache-2.0
// bpffs: where pins live. This machine (and many distributions' minimal images) boots
// without bpffs mounted; pins in a plain directory would fail, so the agent mounts it.
#pragma once

#include <string>

#include "vc/status.h"

namespace vc::agent {

inline constexpr const char* kBpffsMountPoint = "/sys/fs/bpf";
inline constexpr const char* kDefaultPinRoot = "/sys/fs/bpf/vc";

// Mounts bpffs at /sys/fs/bpf when `pin_root` is under it and it is not a bpffs yet (a host
// without systemd), then creates `pin_root` (and parents). Any other pin root must already be
// on a bpffs: FailedPrecondition when it is not.
Status EnsurePinRoot(const std::string& pin_root);

// Removes every pin under `pin_root` and the directory itself (uninstall, tests). Attached
// tc filters keep their programs alive; removing the pins only loses our handle on them.
Status RemovePinRoot(const std::string& pin_root);

}  // namespace vc::agent
