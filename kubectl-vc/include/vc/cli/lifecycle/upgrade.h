// SPDX-License-Identifier: Apache-2.0
// `kubectl vc upgrade`: a virtual cluster's values and Kubernetes version changed in place, its
// data kept. The plan starts from the values the cluster runs with (Secret vc-config-NAME), puts
// the new files, --set entries and --version on top, and says what changes; Create (upgrade)
// then checks the version step and the host's server-side dry run before it applies anything,
// and waits for the StatefulSet's rollout.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "vc/cli/lifecycle/lifecycle.h"
#include "vc/cli/values/resolve.h"
#include "vc/status.h"

namespace vc::cli::lifecycle {

// One key path whose value differs; a value absent on one side is nullopt. Maps are walked,
// lists and scalars compared whole; strings are shown as they are, anything else as JSON.
struct ValueChange {
  std::string path;  // "controlPlane.distro.k8s.version"
  std::optional<std::string> before;
  std::optional<std::string> after;
};
std::vector<ValueChange> DiffValues(const nlohmann::json& before, const nlohmann::json& after);

struct UpgradeOptions {
  std::vector<values::ValuesSource> sources;  // -f, on top of the values the cluster runs with
  std::vector<std::string> set_entries;       // --set, after them
  // --version: controlPlane.distro.k8s.version ("1.36.1" is taken as v1.36.1). "vX.Y" means
  // this build's default image tag when that is of the same minor version. Empty: the version
  // the cluster runs stays, also when its values name none and this build's default differs.
  std::string version;
};

struct UpgradePlan {
  CreateOptions create;  // upgrade = true, the cluster's name and namespace, the layered values
  std::string from_version;
  std::string to_version;
  std::vector<ValueChange> changes;
  std::vector<std::string> warnings;  // the values' own
};

// Reads nothing from the host beyond `info`; fails on a cluster being deleted or whose values
// cannot be read, on bad values, and on a version step Kubernetes does not support
// (CheckUpgradeStep).
StatusOr<UpgradePlan> PlanUpgrade(const Info& info, const UpgradeOptions& options,
                                  const render::Images& images);

}  // namespace vc::cli::lifecycle
