// SPDX-License-Identifier: Apache-2.0
// The syncers of sync.toHost.customResources and sync.fromHost.customResources
// (translate/custom_resources.h). Each named CRD is read from the host and installed in the
// virtual cluster (made, or brought back to the host's spec when it differs; a CRD of that
// name the tenant made is taken over: the values say the kind is the host's), then waited for
// until the virtual API server serves it. toHost: an ObjectSyncer over the kind (copies with
// translated names and references, status back, referenced Secrets and ConfigMaps imported).
// fromHost: a HostClassSyncer (cluster-scoped only: the host's objects, read-only).
#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "vc/status.h"
#include "vc/syncer/sync/object_syncer.h"
#include "vc/syncer/sync/sync_context.h"
#include "vc/syncer/translate/custom_resources.h"

namespace vc::syncer::sync {

// The ObjectKind of a toHost custom resource: every top-level field but status copied (the
// references renamed), status back (through the subresource when the CRD has one), and the
// Secrets and ConfigMaps the references name imported.
ObjectKind CustomResourceKind(kube::Resource resource, bool status_subresource,
                              translate::CustomResourceSync sync);

// A missing host CRD, a namespaced fromHost kind or a cluster-scoped toHost one is an error
// naming the values key and the fix; nothing is installed past it.
StatusOr<std::vector<std::unique_ptr<KindSyncer>>> CustomResourceSyncers(
    const std::shared_ptr<const SyncContext>& ctx, std::chrono::milliseconds timeout);

}  // namespace vc::syncer::sync
