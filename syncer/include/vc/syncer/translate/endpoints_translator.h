// SPDX-License-Identifier: Apache-2.0
// Endpoints of selector-less Services, virtual -> host. Pure.
//
// A Service with a selector gets its Endpoints on each side from that side's own endpoints
// controller (the host one over the translated selector). A Service without one has the
// Endpoints its owner writes by hand (an external database, pods picked by name): nothing on
// the host would make them, so the syncer keeps a translated copy next to the host Service.
// The host's EndpointSlice mirroring controller turns that copy into the EndpointSlices
// kube-proxy reads, as it does for any custom Endpoints. EndpointSlices the tenant writes by
// hand (a selector-less Service described by slices alone) are copied too: SyncsEndpointSlice.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "vc/syncer/translate/names.h"
#include "vc/syncer/translate/sync_config.h"

namespace vc::syncer::translate {

// Whether the syncer keeps the host Endpoints of this virtual Service: it has no selector
// (missing or empty, as the endpoints controllers read it), its type may be synced
// (ServiceRefusal), and it is not the virtual API server's own `default/kubernetes`.
bool SyncsEndpoints(const nlohmann::json& virtual_service, const SyncConfig& config);

// Which addresses of a tenant's hand-written Endpoints reach the host. An address anywhere
// else makes the host's Service machinery (kube-proxy, an ingress controller) carry traffic
// past network isolation to it (CVE-2021-25740). Trust level high: as written (deliberately;
// a lower trust level closes it). Partial and zero: only the IPs of the tenant's own host pods.
struct EndpointAddressFilter {
  bool any = true;
  std::set<std::string> own_pod_ips;
  bool Allows(const std::string& ip) const { return any || own_pod_ips.count(ip) > 0; }
};

// The filter for the tenant's trust level (config.trust_level) and its host pods' IPs.
EndpointAddressFilter FilterForTrustLevel(const SyncConfig& config,
                                          std::set<std::string> own_pod_ips);

// The addresses (ready or not) of virtual Endpoints that `filter` refuses, in order, once each.
std::vector<std::string> RefusedEndpointAddresses(const nlohmann::json& virtual_endpoints,
                                                  const EndpointAddressFilter& filter);

// The host copy of virtual Endpoints: HostMetadata (the host Service's name, the tenant's
// labels and annotations), subsets kept with ports, IPs, hostname and nodeName as they are. A
// `targetRef` to a Pod names the host pod (HostName, host namespace) without the virtual uid
// and resourceVersion; a targetRef to anything else is dropped (it names a virtual object the
// host does not have). Addresses `filter` refuses are left out, and a subset left without
// any address with them.
nlohmann::json TranslateEndpoints(const nlohmann::json& virtual_endpoints, const Tenant& tenant,
                                  const EndpointAddressFilter& filter = {});

// Virtual Endpoints as they can be created again (after the virtual endpoints controller
// deleted them with their Service, see sync/endpoints_syncer.h): name, namespace, labels,
// annotations and subsets; no uid, resourceVersion or other server-set fields.
nlohmann::json RecreatedEndpoints(const nlohmann::json& virtual_endpoints);

// Whether host Endpoints are the syncer's copy: they carry the virtual identity and the host's
// endpoints controller has not taken them over (it labels what it manages, keeping our
// annotations, once the host Service has a selector).
bool IsSyncedEndpoints(const nlohmann::json& host_endpoints);

// What to do with the host Endpoints of one virtual key.
struct EndpointsPlan {
  enum class Action {
    kNothing,
    kCreate,   // `object`: the host Endpoints
    kPatch,    // `object`: a merge patch for the host Endpoints
    kDelete,   // the host Endpoints (ours, no longer wanted)
    kReplace,  // delete what is there (not ours), then create `object`
  };
  Action action = Action::kNothing;
  nlohmann::json object;
};

// The plan that converges the host Endpoints on the virtual Service and Endpoints of one key
// (nullopt: absent). Host Endpoints that are not ours are only touched when ours must take
// their place.
EndpointsPlan PlanHostEndpoints(const std::optional<nlohmann::json>& virtual_service,
                                const std::optional<nlohmann::json>& virtual_endpoints,
                                const std::optional<nlohmann::json>& host_endpoints,
                                const SyncConfig& config, const Tenant& tenant,
                                const EndpointAddressFilter& filter = {});

// Whether a virtual EndpointSlice is one a tenant wrote by hand for a Service: it names one
// (kubernetes.io/service-name) and no controller of the virtual cluster manages it (its own
// endpointslice and mirroring controllers' slices come from what the host makes itself: the
// host Service's selector, our Endpoints copy), nor the syncer (default/kubernetes).
bool SyncsEndpointSlice(const nlohmann::json& virtual_slice);

// Why a hand-written EndpointSlice may not reach the host, or "". Below trust level high its
// addresses could point the host's kube-proxy anywhere (CVE-2021-25740), and unlike Endpoints
// a slice is not checked address by address: refused, with the way out in the message.
std::string EndpointSliceRefusal(const nlohmann::json& virtual_slice, const SyncConfig& config);

// The host copy: HostMetadata, the Service it names translated (kubernetes.io/service-name),
// managed by the syncer (so no host controller takes it over); addressType, ports and
// endpoints as written, a targetRef to a Pod naming the host pod, any other targetRef dropped.
nlohmann::json TranslateEndpointSlice(const nlohmann::json& virtual_slice, const Tenant& tenant);

}  // namespace vc::syncer::translate
