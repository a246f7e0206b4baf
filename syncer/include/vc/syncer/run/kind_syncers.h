// SPDX-License-Identifier: Apache-2.0
// The per-kind syncers `vc-syncer run` starts (its "start syncers" step), as the sync
// configuration asks for them, wired to one another: the pod syncer reads through the
// ConfigMap, Secret, PVC, Service and class syncers, the node syncer asks the pod syncer which
// pods a pseudo node holds, and the Event syncer which virtual pod a host pod is. The custom
// resources' syncers come from sync/custom_resource_syncers.h.
#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "vc/status.h"
#include "vc/syncer/sync/sync_context.h"

namespace vc::syncer::run {

using KindSyncers = std::vector<std::unique_ptr<sync::KindSyncer>>;

// In the order they start: a syncer before those that call into it (endpoints before
// services; ConfigMaps, Secrets, PVCs, Services and classes before pods; nodes before pods).
// None is started. Fails when a custom resource cannot be synced (CustomResourceSyncers, which
// installs their CRDs in the virtual cluster and waits up to `timeout` for each).
StatusOr<KindSyncers> BuildKindSyncers(const std::shared_ptr<sync::SyncContext>& ctx,
                                       std::chrono::milliseconds timeout);

}  // namespace vc::syncer::run
