// SPDX-License-Identifier: Apache-2.0
// Shared services named by Service (a Tenant's `service` + `namespace` entries, ServiceRef):
// a Service and its EndpointSlices (discovery.k8s.io/v1, label kubernetes.io/service-name) ->
// the addresses and ports a tenant may reach. Pure.
//
// One mechanism for every kind of Service: traffic reaches a Service either through a cluster
// IP (kube-proxy translates it on the way) or straight at a backend (headless Services, whose
// DNS names are the endpoints' addresses; socket-level load balancing, which translates before
// the packet leaves the pod). Both are allowed: each selected Service port on every cluster IP,
// and on every serving endpoint the port that Service port targets there (the EndpointSlice
// port of the same name and protocol, which is the pod's port).
//
// Which Service ports: all of them when the Tenant lists none; else those with the protocol and
// number the Tenant lists (port 0: every port of that protocol). A listed port the Service does
// not have allows nothing and is reported (the Tenant names the Service's ports, not its
// pods'). A Service without ports (headless, any port) allows the listed ports, or every TCP
// and UDP port, on its endpoints.
//
// Trust: the endpoints are whatever the Service's EndpointSlices say. The controller writes
// those of a Service with a selector; anyone allowed to write EndpointSlices in the Service's
// namespace writes those of one without. Name Services in namespaces that tenants cannot write
// to. The peer's own policy still applies: a tenant pod is not opened by naming it here.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "vc/agent/agent/tenant_settings.h"
#include "vc/agent/datapath/ip_address.h"
#include "vc/agent/datapath/segmentation_types.h"

namespace vc::agent {

// The label that ties an EndpointSlice to its Service.
inline constexpr const char* kServiceNameLabel = "kubernetes.io/service-name";

// A port as Services and EndpointSlices name it: an EndpointSlice port carries the name of
// the Service port it serves ("" for a Service's single unnamed port).
struct NamedPort {
  std::string name;
  IpProto proto = IpProto::kTcp;
  uint16_t port = 0;  // 0: every port (an EndpointSlice port without a number)
};

// One EndpointSlice: the addresses of its serving endpoints and the ports they all have.
struct EndpointGroup {
  std::vector<IpAddress> addresses;
  std::vector<NamedPort> ports;
};

struct ServiceAddresses {
  // The tenant whose virtual cluster the Service was synced from ("" for the host's own): its
  // cluster IPs are that tenant's addresses, as its pods' are (BuildNodePolicy).
  std::string tenant_key;
  std::vector<IpAddress> cluster_ips;    // none for headless and ExternalName Services
  std::vector<NamedPort> ports;          // the Service's ports (spec.ports[].port)
  std::vector<EndpointGroup> endpoints;  // one per EndpointSlice
};

// spec.clusterIPs (else spec.clusterIP; "None" is no address), spec.ports and the tenant labels.
ServiceAddresses ParseServiceAddresses(const nlohmann::json& service);
// Endpoints whose conditions say they serve (`serving`, else `ready`; unknown counts as
// serving, as the API defines it), of slices with IPv4 or IPv6 addresses; FQDN slices give none.
EndpointGroup ParseEndpointSlice(const nlohmann::json& slice);

// What the agent's informers keep of a Service and of an EndpointSlice: what the functions
// above read (name, namespace, resourceVersion, the service-name and tenant labels; cluster IPs
// and ports;
// addresses, conditions and ports), no topology, hints, target references or managedFields.
nlohmann::json SlimService(nlohmann::json service);
nlohmann::json SlimEndpointSlice(nlohmann::json slice);

// Services by "namespace/name", each with the EndpointSlices labelled with its name. Slices of
// a Service that is not listed are left out (a Service that is gone allows nothing).
std::map<std::string, ServiceAddresses> IndexServices(const std::vector<nlohmann::json>& services,
                                                      const std::vector<nlohmann::json>& slices);

// The tenant's ServiceRefs as SharedService entries (rules above). A Service that does not
// exist (yet), or has neither a cluster IP nor a serving endpoint, gives nothing (fail closed);
// that and ports the Service lacks are lines in `problems`.
std::vector<SharedService> ResolveServiceRefs(
    const TenantSettings& tenant, const std::map<std::string, ServiceAddresses>& services,
    std::vector<std::string>* problems);

}  // namespace vc::agent
