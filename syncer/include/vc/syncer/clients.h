// SPDX-License-Identifier: Apache-2.0
// The two API servers vc-syncer talks to: the host (its pod's service account, or a
// kubeconfig in tests) and the virtual cluster (/data/kubeconfig/syncer.conf).
#pragma once

#include <memory>
#include <string>

#include "vc/kube/client.h"
#include "vc/status.h"

namespace vc::syncer {

// `kubeconfig` empty: the in-cluster service account (LoadRestConfig falls back to it when
// no kubeconfig selects anything); otherwise that file's current context.
// `qps` > 0 limits requests (not watches) to qps per second with bursts of `burst`.
StatusOr<std::shared_ptr<kube::Client>> LoadHostClient(const std::string& kubeconfig,
                                                       double qps = 0, int burst = 0);

// The virtual apiserver, from the kubeconfig init wrote (never in-cluster: in the pod that
// would be the host).
StatusOr<std::shared_ptr<kube::Client>> LoadVirtualClient(const std::string& kubeconfig);

}  // namespace vc::syncer
