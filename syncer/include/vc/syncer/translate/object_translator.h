// SPDX-License-Identifier: Apache-2.0
// Translators for the kinds that are copied more or less as they are: ConfigMaps, Secrets,
// PersistentVolumeClaims, Services, Ingresses (virtual -> host), and the fields that flow
// back (a Service's ClusterIP, a claim's status). Pure.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "vc/syncer/translate/host_policy.h"
#include "vc/syncer/translate/names.h"
#include "vc/syncer/translate/sync_config.h"

namespace vc::syncer::translate {

// ConfigMap or Secret: metadata translated, data/binaryData/stringData/type/immutable kept.
nlohmann::json TranslateDataObject(const nlohmann::json& virtual_object, const Tenant& tenant);

// PVC: the spec without volumeName (the host binds its own volume).
nlohmann::json TranslatePvc(const nlohmann::json& virtual_pvc, const Tenant& tenant);

// Service: the selector translated (HostSelector), or null when it has none (a selector the
// virtual Service dropped is removed on the host); clusterIP(s) left to the host (the service
// syncer asks for the virtual one at create), ExternalName kept. Node ports are asked for as
// the virtual Service has them, so a client that read the virtual one reaches it on a node
// (the service syncer takes the host's back when the host refuses them: HostNodePorts).
// Headless (clusterIP None) stays headless. A LoadBalancer allocates no node ports on the
// host unless isolation.serviceTypes allows NodePort. (What may not be synced at all:
// ServiceRefusal, host_policy.h.)
nlohmann::json TranslateService(const nlohmann::json& virtual_service, const Tenant& tenant,
                                const SyncConfig& config = {});

// Ingress: backend Service names, TLS Secret names and the Secrets of
// kIngressSecretAnnotations translated (those as HOST_NAMESPACE/HOST_NAME).
nlohmann::json TranslateIngress(const nlohmann::json& virtual_ingress, const Tenant& tenant);
// The Secrets an Ingress references (tls[].secretName, kIngressSecretAnnotations): synced along.
std::vector<std::string> IngressSecrets(const nlohmann::json& virtual_ingress);

// ingress-nginx's annotations that name a Secret, "NAME" or "NAMESPACE/NAME".
inline constexpr const char* kIngressSecretAnnotations[] = {
    "nginx.ingress.kubernetes.io/auth-secret", "nginx.ingress.kubernetes.io/auth-tls-secret",
    "nginx.ingress.kubernetes.io/proxy-ssl-secret"};
// The Secret name such an annotation's `value` names in namespace `ns`; "" when it names
// another namespace's (IngressRefusal refuses every NAMESPACE/NAME value).
std::string IngressAnnotationSecret(const std::string& value, const std::string& ns);

// PriorityClass (sync.toHost.priorityClasses): named HostClusterName, value, preemptionPolicy
// and description kept; never globalDefault on the host (it would be every host pod's).
nlohmann::json TranslatePriorityClass(const nlohmann::json& virtual_class, const Tenant& tenant);
// The classes that are the tenant's to copy: not the built-in system-* ones (the host has its
// own of those names).
bool SyncsPriorityClass(const nlohmann::json& virtual_class);
inline bool SystemPriorityClass(const std::string& name) { return name.rfind("system-", 0) == 0; }

// PodDisruptionBudget (sync.toHost.podDisruptionBudgets): on the host always an integer
// minAvailable (an integer one as given; else the virtual budget's status.desiredHealthy, once
// the virtual disruption controller has counted; until then 0), since the host's controller
// cannot scale maxUnavailable or a percentage over pods without a controller, which host pods
// are; unhealthyPodEvictionPolicy kept. The selector becomes one over the host copies of the
// pods it selects in the budget's namespace: matchLabels through HostSelector (which adds the
// tenant and namespace labels), matchExpressions' keys through HostLabelKey. An empty selector
// (every pod of the namespace) selects the tenant's pods of that namespace, never another's; a
// budget without one selects nothing, as in Kubernetes.
nlohmann::json TranslatePodDisruptionBudget(const nlohmann::json& virtual_budget,
                                            const Tenant& tenant);

// The virtual Service's ports with the node ports the host Service has where they differ
// (ports match by position: TranslateService keeps the order); nullopt when they agree or the
// host has none.
std::optional<nlohmann::json> HostNodePorts(const nlohmann::json& virtual_service,
                                            const nlohmann::json& host_service);

// A merge patch making `host` carry `want`'s labels, annotations and the listed top-level
// fields (e.g. {"data", "binaryData"} or {"spec"}; "*": every top-level field but apiVersion,
// kind, metadata and status); null when they already agree. Within
// "spec" only the keys `want` has are compared (the host fills in defaults); a null there
// means "absent".
nlohmann::json HostObjectPatch(const nlohmann::json& want, const nlohmann::json& host,
                               const std::vector<std::string>& fields);

}  // namespace vc::syncer::translate
