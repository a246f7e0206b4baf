// SPDX-License-Identifier: Apache-2.0
// Names and metadata of host objects synced from a virtual cluster. Pure.
//
// All virtual namespaces map into the one host namespace of the virtual cluster, so a host
// name must carry the virtual namespace and the virtual cluster's name:
//   HostName("web-0", "shop", "dev-team") -> "web-0-x-shop-x-dev-team"
// Past 63 characters (a DNS label, what pod and service names must be) the name is cut to
// 52 characters + "-" + the first 10 hex digits of the SHA-256 of the full name: stable across
// restarts (no stored state needed) and collision-free in practice (40 bits of hash).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace vc::syncer::translate {

// Who the host objects belong to.
struct Tenant {
  std::string name;            // the virtual cluster's name (kubectl-vc.dev/tenant)
  std::string host_namespace;  // where its synced objects live
  std::string trust_level = "high";
};

inline constexpr size_t kMaxNameLength = 63;

std::string Sha256Hex(std::string_view data);

// `full` when it fits in 63 characters; else its first 52 + "-" + 10 hex of its SHA-256
// (a trailing '-' or '.' of the cut is dropped so the result stays a DNS label).
std::string ShortenName(const std::string& full);

// name-x-namespace-x-vcluster, shortened.
std::string HostName(std::string_view name, std::string_view ns, std::string_view vcluster);

// The host name of a cluster-scoped virtual object (a PriorityClass): name-x-vcluster-HASH,
// HASH the first 8 hex digits of the SHA-256 of "HOST_NAMESPACE/vcluster", shortened. Tenants
// never share one: "-x-" may be part of a name or namespace, so name-x-namespace-x-vcluster
// would let the tenant of one namespace name another's; here every name of a tenant ends in
// its own hash.
std::string HostClusterName(std::string_view name, const Tenant& tenant);

// A virtual label key as a host label key that cannot collide with host labels (ours, the
// control plane's app/release, anyone's): "app" -> "label.kubectl-vc.dev/app",
// "example.com/tier" -> "label.kubectl-vc.dev/example.com_tier" (shortened past 63).
std::string HostLabelKey(std::string_view key);
inline constexpr const char* kHostLabelPrefix = "label.kubectl-vc.dev/";

// Virtual labels -> host labels: every key through HostLabelKey, plus the tenant labels,
// component=workload and the virtual namespace.
nlohmann::json HostLabels(const nlohmann::json& virtual_labels, std::string_view virtual_ns,
                          const Tenant& tenant);

// A virtual label selector (matchLabels / Service selector) as the host selector that
// selects exactly the host copies of the pods it selects in `virtual_ns`.
nlohmann::json HostSelector(const nlohmann::json& virtual_selector, std::string_view virtual_ns,
                            const Tenant& tenant);

// The metadata of the host copy of `virtual_object`: name, host namespace, labels (above),
// the virtual annotations plus the virtual identity (name, namespace, uid).
nlohmann::json HostMetadata(const nlohmann::json& virtual_object, const Tenant& tenant);

// The virtual key ("ns/name") a host object was synced from; empty when it carries none.
std::string VirtualKeyOf(const nlohmann::json& host_object);

// "tenant=NAME,component=workload": selects what the syncer made on the host.
std::string SyncedSelector(const Tenant& tenant);

// Strings of a JSON object at `key`, or an empty object.
const nlohmann::json& ObjectAt(const nlohmann::json& j, const char* key);

}  // namespace vc::syncer::translate
