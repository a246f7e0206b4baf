// SPDX-License-Identifier: Apache-2.0
// The pod translator: a virtual pod -> its host pod, and the host pod's status -> the virtual
// pod's. Pure. What it rewrites, and why:
//  - metadata: host name/labels/annotations (names.h); the virtual identity in annotations.
//  - ConfigMap, Secret, PVC references (volumes, projected sources, env, envFrom,
//    imagePullSecrets) -> the host copies' names; `PodReferences` lists what the pod syncer
//    must sync along before it creates the pod.
//  - service account: the host pod gets no host token (automountServiceAccountToken=false,
//    no serviceAccountName); each projected serviceAccountToken source becomes a key of one
//    host Secret (TokenSecretName) that the syncer fills with tokens the *virtual* API issued
//    for the virtual pod (TokenRequest bound to it), and keeps fresh (pod_tokens.h).
//  - the downward API (env and volumes) reading metadata.name/namespace/uid reads the virtual
//    identity annotations instead, so the workload sees its virtual self.
//  - the API server: KUBERNETES_SERVICE_HOST/PORT name the virtual cluster's host Service,
//    and enableServiceLinks=false keeps the host's Services out of the environment.
//  - placement: spec.nodeName is left to the host scheduler; priority (class and value) is
//    dropped (classes are host objects the tenant does not own); dedicated nodes add the
//    node selector label and the toleration of the tenant's taint; a virtual toleration of the
//    dedicated taint is removed (a tenant must not tolerate its way onto another's nodes);
//    sync.toHost.pods.enforceTolerations are added.
//  - DNS: a ClusterFirst pod resolves through the virtual cluster's CoreDNS (dns_config.h);
//    a pod with a subdomain gets an /etc/hosts with its virtual FQDN (hosts_file.h).
#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "vc/syncer/translate/names.h"
#include "vc/syncer/translate/sync_config.h"

namespace vc::syncer::translate {

// What the API defaults a projection's expirationSeconds to.
inline constexpr int64_t kDefaultTokenExpirationSeconds = 3600;

struct TokenProjection {
  std::string key;       // in the token Secret: "token-0", "token-1", ...
  std::string audience;  // "" = the virtual API server's own
  int64_t expiration_seconds = kDefaultTokenExpirationSeconds;
};

struct PodReferences {
  std::set<std::string> config_maps;  // virtual names, in the pod's namespace
  std::set<std::string> secrets;
  std::set<std::string> pvcs;
  std::string service_account;  // virtual, for TokenRequest
  std::vector<TokenProjection> tokens;
};

struct PodEnvironment {
  std::string apiserver_host;  // the virtual cluster's host Service ClusterIP
  int apiserver_port = 443;
  std::string dns_ip;  // the virtual cluster's DNS (kube-dns' host ClusterIP); "": host DNS
  std::string cluster_domain = "cluster.local";
  // The environment variables of the virtual Services of the pod's namespace
  // (ServiceLinkEnv), for a pod whose enableServiceLinks is not false: the host's kubelet would
  // give it the host's.
  nlohmann::json service_links = nlohmann::json::array();
  // The host RuntimeClass for the pod's runtimeClassName (HostRuntimeClassFor); "": none.
  std::string runtime_class;
  // The image of the init container that writes /etc/hosts with the virtual FQDN of a pod
  // with a subdomain (hosts_file.h); "": the host kubelet's file stays.
  std::string hosts_image;
  // The host PriorityClass for the pod's priorityClassName (sync.toHost.priorityClasses);
  // "": none, the host's default priority.
  std::string priority_class;
};

// The host RuntimeClass a virtual one runs as: a host RuntimeClass with the same handler (the
// runtime the node runs is what the handler names; the host's admission then sets the host
// class's overhead and scheduling), the one of the same name first (a class mirrored from the
// host, sync.fromHost.runtimeClasses), else the first by name; "" when no host class has it.
std::string HostRuntimeClassFor(const nlohmann::json& virtual_runtime_class,
                                const std::vector<nlohmann::json>& host_runtime_classes);

// The variables a kubelet gives a container for Services (FOO_SERVICE_HOST, FOO_SERVICE_PORT,
// FOO_SERVICE_PORT_<NAME>, FOO_PORT, FOO_PORT_<PORT>_<PROTO>{,_PROTO,_PORT,_ADDR}), for the
// Services with a cluster IP, in their order.
nlohmann::json ServiceLinkEnv(const std::vector<nlohmann::json>& services);

struct PodTranslation {
  nlohmann::json host_pod;
  PodReferences refs;
  // What of the virtual pod was left out on the host, and why (a toleration that would reach
  // other tenants' dedicated nodes): the pod syncer says so in a SyncAdjusted Event.
  std::vector<std::string> adjustments;
};

// The host Secret holding the virtual service-account tokens of one pod.
std::string TokenSecretName(const nlohmann::json& virtual_pod, const Tenant& tenant);

// The virtual service account the pod runs as (tokens are requested for it).
std::string ServiceAccountName(const nlohmann::json& virtual_pod);

// The pod's projected serviceAccountToken sources, keyed as TranslatePod keys them in the
// token Secret (refs.tokens): for the pod syncer, which keeps them fresh.
std::vector<TokenProjection> TokenProjections(const nlohmann::json& virtual_pod);

// Whether the pod was created already on a node (spec.nodeName written by its author, as a
// DaemonSet-less controller or `kubectl run --overrides` does) rather than bound by a Binding
// (the virtual scheduler's or ours, which gives it the PodScheduled condition; so does the
// kubelet, once the host pod's status came back).
bool CreatedOnANode(const nlohmann::json& virtual_pod);

// The host pod of a virtual pod. One created on a node goes to that node by spec.nodeName, as in
// any cluster: past the host's scheduler, so the kubelet's admission decides (ports, resources;
// a conflict fails the pod, and its controller makes a new one). The kubelet also checks the
// pod's node selector and required node affinity, which is where the tenant's placement stays
// enforced: its dedicated nodes' label, or, for a tenant without dedicated nodes, the absence of
// any tenant's dedication label.
PodTranslation TranslatePod(const nlohmann::json& virtual_pod, const Tenant& tenant,
                            const SyncConfig& config, const PodEnvironment& env);

// The host pod's status as the virtual pod's (phase, conditions, IPs, container statuses;
// not qosClass, which the virtual API server computed and will not let change).
nlohmann::json VirtualPodStatus(const nlohmann::json& host_pod);

// The pod condition types the kubelet sets (and removes: a resize's): the virtual pod has one
// only while the host pod does. Others (DisruptionTarget from an eviction in the virtual
// cluster, a readiness gate a tenant's controller sets) stay when the host pod lacks them.
bool KubeletCondition(const std::string& type);

// The strategic merge patch of the virtual pod's status subresource that makes it
// VirtualPodStatus(host_pod): conditions merge by type, so those only the virtual pod has
// stay, except kubelet conditions the host pod dropped (deleted: $patch delete); a field a
// condition lost (a Ready condition's message once True) is set to null.
nlohmann::json VirtualStatusPatch(const nlohmann::json& virtual_pod,
                                  const nlohmann::json& host_pod);

// True when the virtual pod's status differs from VirtualPodStatus(host_pod).
bool StatusDiffers(const nlohmann::json& virtual_pod, const nlohmann::json& host_pod);

// A merge patch that brings the host pod's mutable fields (labels, annotations, container
// images, added tolerations, activeDeadlineSeconds) in line with the virtual pod; null when
// nothing differs.
nlohmann::json HostPodUpdate(const nlohmann::json& virtual_pod, const nlohmann::json& host_pod,
                             const Tenant& tenant, const SyncConfig& config,
                             const PodEnvironment& env);

// The host pod's `ephemeralcontainers` subresource patch that adds the virtual pod's ephemeral
// containers it lacks (`kubectl debug`), rewritten as TranslatePod rewrites containers (their
// references in `refs`); null when there are none to add. Ephemeral containers are only ever
// added.
nlohmann::json HostPodEphemeralContainers(const nlohmann::json& virtual_pod,
                                          const nlohmann::json& host_pod, const Tenant& tenant,
                                          const PodEnvironment& env, PodReferences* refs);

// A strategic merge patch for the host pod's `resize` subresource that gives its containers
// the virtual pod's resources (an in-place resize in the virtual cluster); null when they are
// the same, or the virtual pod's generation is the one the host pod was made from (what the
// host's admission defaulted stays). The kubelet actuates it; the statuses it writes come back
// with the pod's status.
nlohmann::json HostPodResize(const nlohmann::json& virtual_pod, const nlohmann::json& host_pod);

}  // namespace vc::syncer::translate
