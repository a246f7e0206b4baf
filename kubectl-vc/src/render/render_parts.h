// SPDX-License-Identifier: Apache-2.0
// Internal to render/: the pieces host_objects.cpp assembles.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "values_path.h"
#include "vc/cli/render/host_objects.h"

namespace vc::cli::render {

std::string TrustLevel(const nlohmann::json& values);
nlohmann::json Metadata(const VirtualCluster& vc, const std::string& name, bool namespaced);

std::vector<HostObject> RenderRbac(const VirtualCluster& vc);
std::vector<HostObject> RenderPolicies(const VirtualCluster& vc);
std::vector<HostObject> RenderAutoWakeup(const VirtualCluster& vc);

// A container's securityContext that passes pod security `restricted` (with a pod's that runs
// as non-root with RuntimeDefault seccomp), so the control plane runs where it is enforced.
nlohmann::json RestrictedContainer();
// Requests of cpu and memory, a memory limit, no CPU limit (a throttled TLS handshake can
// outlast a request's deadline).
nlohmann::json Resources(const std::string& cpu, const std::string& memory,
                         const std::string& limit);
// controlPlane.statefulSet.scheduling (nodeSelector, tolerations, affinity, priorityClassName)
// onto a pod spec: the control plane's, and the wake job's, which must run where it may.
void ApplyScheduling(const VirtualCluster& vc, nlohmann::json* pod_spec);
kube::Resource TenantResource();

// The virtual scheduler (controlPlane.advanced.virtualScheduler): whether it runs, and its
// KubeSchedulerConfiguration, which the config Secret carries under kSchedulerConfigKey.
inline constexpr const char* kSchedulerConfigKey = "scheduler.yaml";
inline constexpr const char* kSchedulerConfigDir = "/etc/kubernetes/scheduler";
bool VirtualScheduler(const nlohmann::json& values);
std::string SchedulerConfiguration(const nlohmann::json& values);
nlohmann::json RenderTenant(const VirtualCluster& vc);

}  // namespace vc::cli::render
