// SPDX-License-Identifier: Apache-2.0
// Pods, Nodes and Tenants as the API server returns them, for the agent's unit tests.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "vc/labels.h"

namespace vc::agent::testing {

// A Running pod with `ip`; `tenant` "" for a pod of no tenant (its namespace is vcluster-T).
inline nlohmann::json PodOf(const std::string& tenant, const std::string& name,
                            const std::string& ip, const std::string& phase = "Running") {
  const std::string ns = tenant.empty() ? "default" : "vcluster-" + tenant;
  nlohmann::json labels = {{"app", name}};
  if (!tenant.empty()) {
    labels[labels::kTenant] = tenant;
    labels[labels::kTenantNamespace] = ns;
    labels[labels::kComponent] = labels::kComponentWorkload;
  }
  nlohmann::json pod = {
      {"metadata", {{"name", name}, {"namespace", ns}, {"uid", "uid-" + name}, {"labels", labels}}},
      {"spec", {{"nodeName", "node-1"}, {"containers", nlohmann::json::array({{{"name", "c"}}})}}},
      {"status", {{"phase", phase}}}};
  if (!ip.empty()) pod["status"]["podIP"] = ip;
  return pod;
}

inline nlohmann::json TenantOf(const std::string& tenant, const std::string& trust,
                               nlohmann::json extra_spec = nlohmann::json::object()) {
  nlohmann::json spec = extra_spec;
  spec["trustLevel"] = trust;
  return {{"apiVersion", "kubectl-vc.dev/v1alpha1"},
          {"kind", "Tenant"},
          {"metadata", {{"name", tenant}, {"namespace", "vcluster-" + tenant}}},
          {"spec", spec}};
}

inline nlohmann::json NodeNamed(const std::string& name, const std::string& dedicated_to = "") {
  nlohmann::json node = {
      {"metadata", {{"name", name}, {"labels", nlohmann::json::object()}}},
      {"status",
       {{"addresses", nlohmann::json::array({{{"type", "InternalIP"}, {"address", "192.168.1.5"}},
                                             {{"type", "Hostname"}, {"address", name}}})}}}};
  if (!dedicated_to.empty()) node["metadata"]["labels"][labels::kDedicatedNodeLabel] = dedicated_to;
  return node;
}

}  // namespace vc::agent::testing
