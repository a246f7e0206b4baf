// SPDX-License-Identifier: Apache-2.0
// NetworkPolicy (sync.toHost.networkPolicies): the tenant's policy enforced by the host's
// network plugin over the host copies of its pods. Pure.
//
// On the host every virtual namespace is the one host namespace, so selectors become label
// selectors over the host pods' labels (names.h): a podSelector selects the tenant's workload
// pods of the policy's namespace (HostLabelKey'd keys, plus the tenant, component and
// object-namespace labels), never the control plane's or another tenant's. A peer's
// namespaceSelector becomes the object-namespace label: {} is every namespace of the tenant,
// kubernetes.io/metadata.name (matchLabels, or an In expression) names them. A peer that cannot
// be said on the host (any other namespace selector) becomes one that matches no pod, so the
// host policy allows less than the tenant's, never more (an empty `from` would allow every
// source). ipBlock peers and ports are kept.
#pragma once

#include <nlohmann/json.hpp>

#include "vc/syncer/translate/names.h"

namespace vc::syncer::translate {

nlohmann::json TranslateNetworkPolicy(const nlohmann::json& virtual_policy, const Tenant& tenant);

// The label a peer that matches nothing selects (no pod carries it).
inline constexpr const char* kMatchesNoPod = "kubectl-vc.dev/matches-no-pod";

}  // namespace vc::syncer::translate
