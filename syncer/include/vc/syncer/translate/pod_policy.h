// SPDX-License-Identifier: Apache-2.0
// The pod verdict: does a virtual pod fit the Pod Security Standard the tenant is held to?
// A subset of the upstream baseline and restricted checks, the ones that matter for escaping
// onto the host (host namespaces, host paths, privileged, capabilities, privilege
// escalation, running as root). Pure; the pod syncer refuses a pod with violations and says
// why in an Event.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "vc/syncer/translate/sync_config.h"

namespace vc::syncer::translate {

// The stricter of policies.podSecurityStandard and what isolation.trustLevel implies
// (high: privileged, partial: baseline, zero: restricted).
std::string PodSecurityLevel(const SyncConfig& config);

// Human-readable violations ("hostNetwork=true", "container \"app\": privileged=true", ...)
// of `level` ("privileged" allows everything); empty when the pod may run.
std::vector<std::string> PodPolicyViolations(const nlohmann::json& pod, std::string_view level);

}  // namespace vc::syncer::translate
