// SPDX-License-Identifier: Apache-2.0
// experimental.deploy.vcluster.manifests: a YAML stream applied inside the virtual cluster at
// every start (server-side apply as vc-syncer, so a restart re-applies without conflicts and a
// tenant's later edits to other fields stay). Kinds are the built-ins kube/resource.h names.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "vc/kube/client.h"
#include "vc/status.h"

namespace vc::syncer::sync {

// The resource of an object's apiVersion + kind, among the built-ins; NotFound otherwise.
StatusOr<kube::Resource> ResourceOfObject(const nlohmann::json& object);

Status DeployManifests(kube::Client& virtual_cluster, const std::string& manifests);

// Server-side applies each object (as vc-syncer, forced), in order.
Status ApplyObjects(kube::Client& virtual_cluster, const std::vector<nlohmann::json>& objects);

}  // namespace vc::syncer::sync
