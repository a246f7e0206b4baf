// SPDX-License-Identifier: Apache-2.0
// What a tenant may make the host do through objects other than pods (pods: pod_policy.h).
// Every tenant is cluster-admin in its virtual cluster; these checks decide what of its
// Services and Ingresses reaches the host. A refusal names the rule, why it exists (the CVE
// class where there is one) and the setting that would allow it, or says that none does. The
// syncer then records it as a SyncRefused Event on the virtual object and keeps no host copy.
// Pure.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "vc/syncer/translate/sync_config.h"

namespace vc::syncer::translate {

// Why a Service may not be synced; empty if it may.
//  - its type is not in isolation.serviceTypes;
//  - a LoadBalancer with externalTrafficPolicy Local when NodePort is not allowed: the host
//    would open a health-check node port on every node for it;
//  - spec.externalIPs, at every trust level: kube-proxy on every host node would send traffic
//    for those addresses to the tenant's pods, whoever owns them (CVE-2020-8554);
//  - an ExternalName in the cluster's DNS (*.svc, *.cluster.local), at every trust level: on
//    the host it would name the host's Services (other namespaces', the API server's), and an
//    ingress controller following it would proxy there.
std::string ServiceRefusal(const nlohmann::json& virtual_service, const SyncConfig& config);

// Why an Ingress may not be synced; empty if it may. Its annotations configure the host's
// ingress controller, which serves every tenant:
//  - at every trust level, annotations that put the tenant's text into the controller's
//    configuration (ingress-nginx's *-snippet keys, auth-url, auth-tls-match-cn, mirror-*:
//    CVE-2021-25742, CVE-2023-5044, CVE-2025-24514, CVE-2025-1097, CVE-2025-1098; any
//    controller's *-snippet(s)), and annotations that name a Secret or ConfigMap in another
//    namespace ("namespace/name");
//  - at every trust level, a value of a controller annotation with characters configuration
//    syntax needs (quotes, braces, ';', '#', '$', '\', newlines);
//  - below trust level high, any controller annotation outside a short list of harmless ones
//    (timeouts, body size, TLS redirect, backend protocol, Traefik's entry points/priority),
//    Traefik's references to middlewares and TLS options included.
std::string IngressRefusal(const nlohmann::json& virtual_ingress, const SyncConfig& config);

}  // namespace vc::syncer::translate
