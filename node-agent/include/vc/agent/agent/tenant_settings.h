// SPDX-License-Identifier: Apache-2.0
// TenantSettings: a tenant's isolation settings as the agent reads them from its Tenant object
// (tenants.kubectl-vc.dev/v1alpha1, one per virtual cluster, in the virtual cluster's host
// namespace, named after it; kubectl-vc/src/render/tenant.cpp writes it). Pure parsing.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vc/agent/cgroup/tenant_budget.h"
#include "vc/agent/datapath/segmentation_types.h"
#include "vc/kube/resource.h"
#include "vc/status.h"

namespace vc::agent {

// The CRD the agent watches (same group/version/plural as kubectl-vc's TenantResource()).
inline const kube::Resource kTenantResource{"kubectl-vc.dev", "v1alpha1", "tenants", "Tenant",
                                            true};

// A shared service named by its Service (kubectl-vc's profiles list kube-system/kube-dns): the
// node resolves it to the Service's cluster IPs and endpoints (service_backends.h). No ports:
// the Service's own ports.
struct ServiceRef {
  std::string namespace_;
  std::string name;
  std::vector<std::pair<IpProto, uint16_t>> ports;
  std::string key() const { return namespace_ + "/" + name; }
};

struct TenantSettings {
  std::string namespace_;  // host namespace of the virtual cluster
  std::string name;        // the virtual cluster's name (the pods' tenant label)
  TrustLevel trust = TrustLevel::kZero;
  std::vector<SharedService> shared_services;  // entries with a cidr
  std::vector<ServiceRef> service_refs;        // entries naming a Service, resolved per pass
  NodeBudget node_quota;                       // 0: no budget for that resource
  // Entries the agent could not use (a service named without a cidr, a bad prefix), for logs.
  std::vector<std::string> skipped;

  // "namespace/name": how pods name their tenant (tenant-namespace + tenant labels).
  std::string key() const { return namespace_ + "/" + name; }
};

// Never fails on a bad entry inside the spec (it is skipped and named in `skipped`), only when
// the object has no name. An unknown or missing trust level is zero (fail closed).
StatusOr<TenantSettings> ParseTenant(const nlohmann::json& tenant);

// Kubernetes quantities: "500m", "2", "1.5" cpu -> millicores; "1Gi", "512Mi", "1G", "1e9",
// "1048576" -> bytes. Integers and strings both accepted (int-or-string fields).
StatusOr<int64_t> ParseCpuMillicores(const nlohmann::json& quantity);
StatusOr<int64_t> ParseMemoryBytes(const nlohmann::json& quantity);

}  // namespace vc::agent
