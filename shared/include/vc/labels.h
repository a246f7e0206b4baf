// SPDX-License-Identifier: Apache-2.0
// The one set of names by which host objects are tied to a virtual cluster (a "tenant").
// kubectl-vc writes them, vc-syncer stamps them on every host object it syncs, and
// vc-node-agent selects on them. Changing a value here is a breaking change for running
// clusters: add, never rename.
#pragma once

namespace vc::labels {

inline constexpr const char* kPrefix = "kubectl-vc.dev/";

// On every host object a virtual cluster owns (its control plane and everything synced).
inline constexpr const char* kManagedBy = "app.kubernetes.io/managed-by";
inline constexpr const char* kManagedByValue = "kubectl-vc";
inline constexpr const char* kTenant = "kubectl-vc.dev/tenant";                     // vcluster name
inline constexpr const char* kTenantNamespace = "kubectl-vc.dev/tenant-namespace";  // host ns
inline constexpr const char* kTrustLevel = "kubectl-vc.dev/trust-level";  // high|partial|zero

// What a tenant's host pod is: "control-plane" (the virtual cluster itself) or "workload"
// (a pod synced from the virtual cluster). NetworkPolicies and the node agent select on it.
inline constexpr const char* kComponent = "kubectl-vc.dev/component";
inline constexpr const char* kComponentControlPlane = "control-plane";
inline constexpr const char* kComponentWorkload = "workload";

// The virtual identity of a synced object (annotations: values may exceed label limits).
inline constexpr const char* kVirtualName = "kubectl-vc.dev/object-name";
inline constexpr const char* kVirtualNamespace = "kubectl-vc.dev/object-namespace";
inline constexpr const char* kVirtualUid = "kubectl-vc.dev/object-uid";
// On a host pod: the virtual pod's metadata.generation its spec was last made from, so the
// kubelet's status.observedGeneration (of the host pod) maps back to the virtual pod's.
inline constexpr const char* kVirtualGeneration = "kubectl-vc.dev/object-generation";
// On a host pod: "true" when its first init container writes its /etc/hosts with the virtual
// names (syncer/include/vc/syncer/translate/hosts_file.h).
inline constexpr const char* kHostsFile = "kubectl-vc.dev/hosts-file";
// Also a label on synced host objects, so host Services select only the pods of one virtual
// namespace (namespaces are DNS labels: they fit in a label value).
inline constexpr const char* kVirtualNamespaceLabel = "kubectl-vc.dev/object-namespace";

// The control-plane pod, as the seed's `kubectl wait -l app=vcluster` expects.
inline constexpr const char* kAppLabel = "app";
inline constexpr const char* kAppValue = "vcluster";
inline constexpr const char* kReleaseLabel = "release";

// On the control plane's StatefulSet while it is paused: the replicas to go back to, since
// when, and who paused it (kPausedByAutoSleep: the syncer, after sleepMode's inactivity; a
// request through `kubectl vc connect` wakes it; absent: a person, with `kubectl vc pause`).
inline constexpr const char* kPausedReplicasAnnotation = "kubectl-vc.dev/paused-replicas";
inline constexpr const char* kPausedAtAnnotation = "kubectl-vc.dev/paused-at";
inline constexpr const char* kPausedByAnnotation = "kubectl-vc.dev/paused-by";
inline constexpr const char* kPausedByAutoSleep = "auto-sleep";
// The field manager of those annotations and of the replica count, apart from the one that
// applies the values, so `create --upgrade` never undoes a pause.
inline constexpr const char* kStateFieldManager = "kubectl-vc-state";

// Namespaces that kubectl-vc created (and so may delete).
inline constexpr const char* kCreatedNamespace = "kubectl-vc.dev/created-namespace";

// Dedicated nodes. The label uses the node-restriction prefix, which the NodeRestriction
// admission plugin forbids kubelets to set on their own Node: a compromised node cannot claim
// to be dedicated to a tenant it wants to spy on.
inline constexpr const char* kDedicatedNodeLabel =
    "node-restriction.kubernetes.io/kubectl-vc-tenant";
inline constexpr const char* kDedicatedTaintKey = "kubectl-vc.dev/dedicated";

}  // namespace vc::labels
