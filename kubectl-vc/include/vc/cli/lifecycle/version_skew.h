// SPDX-License-Identifier: Apache-2.0
// Which Kubernetes versions a virtual cluster may run on a host: the host's API server admits
// the tenant's pods and the host's kubelets run them, so the virtual cluster may not be newer
// than the host (a field the host does not know would be dropped without a word), and at most
// three minor versions older (the window Kubernetes itself gives its kubelets).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "vc/status.h"

namespace vc::cli::lifecycle {

struct MinorVersion {
  int major = 0;
  int minor = 0;
};

// "v1.36.3", "v1.36.3-gke.100", "1.36" -> {1, 36}; nullopt when it is not a version.
std::optional<MinorVersion> ParseMinorVersion(std::string_view version);

// OK when a virtual cluster of `virtual_version` may run on a host of `host_version` (both as
// /version's gitVersion or an image tag); else an error that names the rule and the fix.
// `virtual_source` says where the virtual version came from, for the message.
Status CheckVersionSkew(std::string_view host_version, std::string_view virtual_version,
                        std::string_view virtual_source);

// OK when a running virtual cluster of version `from` may be changed in place to `to`: the same
// minor version (any patch, either way) or the next one. kube-apiserver upgrades its stored
// objects one minor version at a time, as upstream supports it, and an older one is not promised
// to read what a newer one wrote, so a downgrade is refused (a snapshot taken before restores).
// `name` is the virtual cluster's, for the messages.
Status CheckUpgradeStep(std::string_view from, std::string_view to, std::string_view name);

}  // namespace vc::cli::lifecycle
