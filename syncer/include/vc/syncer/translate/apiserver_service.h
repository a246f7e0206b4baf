// SPDX-License-Identifier: Apache-2.0
// The virtual API server's own Service, default/kubernetes. Pure.
//
// kube-apiserver creates it at start on the first address of the service range. A virtual
// cluster shares the host's range (create finds it), so that address is the HOST API
// server's: a pod resolving kubernetes.default.svc reached the host's API server with its
// virtual token. The syncer keeps the Service on the ClusterIP of the host Service in front of
// the virtual cluster's pod (what KUBERNETES_SERVICE_HOST says too), and writes its Endpoints
// and EndpointSlice, which the API server does not (--endpoint-reconciler-type=none, as
// vcluster runs it: its addresses would be the pod's, which it cannot know), from the host
// Service's EndpointSlices. The API server's own controller only creates the Service when it
// is missing (pkg/controlplane/controller/kubernetesservice), so it leaves ours alone.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace vc::syncer::translate {

inline constexpr const char* kApiServerServiceNamespace = "default";
inline constexpr const char* kApiServerServiceName = "kubernetes";

// The Service to recreate `current` as when its ClusterIP is not `cluster_ip` (a ClusterIP
// cannot change in place): its labels, ports, type and session affinity, single stack on
// `cluster_ip`. nullopt when it is there already.
std::optional<nlohmann::json> ApiServerServiceAt(const nlohmann::json& current,
                                                 const std::string& cluster_ip);

// Where the virtual API server listens on the host: the addresses of the host Service's
// EndpointSlices (`host_slices`, of any readiness: the syncer runs in the same pod and only
// after the API server answers, so the address serves; terminating ones are left out), once
// each and sorted, and the slices' port named https (else their first port).
struct ApiServerAddresses {
  std::vector<std::string> ips;
  int port = 0;
};
ApiServerAddresses ApiServerAddressesFrom(const std::vector<nlohmann::json>& host_slices);

// The virtual Endpoints and EndpointSlice of default/kubernetes for `a`, shaped as the API
// server's own reconciler writes them (port name https; the Endpoints marked skip-mirror so
// the mirroring controller does not make a second slice).
nlohmann::json ApiServerEndpoints(const ApiServerAddresses& a);
nlohmann::json ApiServerEndpointSlice(const ApiServerAddresses& a);

// Whether `current` already carries what `want` (one of the two above) says: the fields the
// syncer writes (labels it sets, subsets or endpoints, ports, address type).
bool ApiServerEndpointsCurrent(const nlohmann::json& current, const nlohmann::json& want);

}  // namespace vc::syncer::translate
