// SPDX-License-Identifier: Apache-2.0
// Resource: which REST collection an object lives in, and the URL paths and query strings
// the client builds from it. Pure values: no discovery, the project names what it uses.
//
//   ResourcePath(resources::kPods, "ns", "web-0", "status")
//     -> /api/v1/namespaces/ns/pods/web-0/status
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vc::kube {

struct Resource {
  std::string group;     // "" for the core group
  std::string version;   // "v1"
  std::string resource;  // plural, lower case: "deployments"
  std::string kind;      // "Deployment"
  bool namespaced = true;

  // "v1" or "apps/v1": what objects of this resource carry as apiVersion.
  std::string ApiVersion() const { return group.empty() ? version : group + "/" + version; }
  // "deployments.apps" or "pods", as kubectl and RBAC messages name it.
  std::string GroupResource() const { return group.empty() ? resource : resource + "." + group; }
};

// /api/v1 or /apis/GROUP/VERSION.
std::string GroupVersionPath(const Resource& r);

// The collection (empty name) or object path. `ns` is ignored for cluster-scoped resources and
// may be empty for namespaced ones (all namespaces, for list and watch). Segments are escaped.
std::string ResourcePath(const Resource& r, std::string_view ns, std::string_view name = {},
                         std::string_view subresource = {});

// Percent-encoding as Go's url.QueryEscape (space -> '+') and url.PathEscape.
std::string QueryEscape(std::string_view s);
std::string PathEscape(std::string_view s);
// RFC 3986 (and AWS SigV4): letters, digits, "-_.~" and the bytes of `keep` stay, every other
// byte is %XX. For registry token queries and S3 keys ("/" kept) and query values.
std::string PercentEncode(std::string_view s, std::string_view keep = {});

// "?k1=v1&k2=v2" with escaped values, pairs with an empty value left out; "" if none remain.
std::string EncodeQuery(const std::vector<std::pair<std::string, std::string>>& params);

// The built-ins the project touches. Names follow the plural resource.
namespace resources {
inline const Resource kNamespaces{"", "v1", "namespaces", "Namespace", false};
inline const Resource kPods{"", "v1", "pods", "Pod", true};
inline const Resource kServices{"", "v1", "services", "Service", true};
inline const Resource kEndpoints{"", "v1", "endpoints", "Endpoints", true};
inline const Resource kConfigMaps{"", "v1", "configmaps", "ConfigMap", true};
inline const Resource kSecrets{"", "v1", "secrets", "Secret", true};
inline const Resource kServiceAccounts{"", "v1", "serviceaccounts", "ServiceAccount", true};
inline const Resource kEvents{"", "v1", "events", "Event", true};
inline const Resource kNodes{"", "v1", "nodes", "Node", false};
inline const Resource kPersistentVolumeClaims{"", "v1", "persistentvolumeclaims",
                                              "PersistentVolumeClaim", true};
inline const Resource kResourceQuotas{"", "v1", "resourcequotas", "ResourceQuota", true};
inline const Resource kLimitRanges{"", "v1", "limitranges", "LimitRange", true};
inline const Resource kDeployments{"apps", "v1", "deployments", "Deployment", true};
inline const Resource kStatefulSets{"apps", "v1", "statefulsets", "StatefulSet", true};
inline const Resource kCronJobs{"batch", "v1", "cronjobs", "CronJob", true};
inline const Resource kJobs{"batch", "v1", "jobs", "Job", true};
inline const Resource kDaemonSets{"apps", "v1", "daemonsets", "DaemonSet", true};
inline const Resource kReplicaSets{"apps", "v1", "replicasets", "ReplicaSet", true};
inline const Resource kRoles{"rbac.authorization.k8s.io", "v1", "roles", "Role", true};
inline const Resource kRoleBindings{"rbac.authorization.k8s.io", "v1", "rolebindings",
                                    "RoleBinding", true};
inline const Resource kClusterRoles{"rbac.authorization.k8s.io", "v1", "clusterroles",
                                    "ClusterRole", false};
inline const Resource kClusterRoleBindings{"rbac.authorization.k8s.io", "v1", "clusterrolebindings",
                                           "ClusterRoleBinding", false};
inline const Resource kIngresses{"networking.k8s.io", "v1", "ingresses", "Ingress", true};
inline const Resource kIngressClasses{"networking.k8s.io", "v1", "ingressclasses", "IngressClass",
                                      false};
inline const Resource kRuntimeClasses{"node.k8s.io", "v1", "runtimeclasses", "RuntimeClass", false};
inline const Resource kPriorityClasses{"scheduling.k8s.io", "v1", "priorityclasses",
                                       "PriorityClass", false};
inline const Resource kStorageClasses{"storage.k8s.io", "v1", "storageclasses", "StorageClass",
                                      false};
inline const Resource kCsiDrivers{"storage.k8s.io", "v1", "csidrivers", "CSIDriver", false};
inline const Resource kCsiNodes{"storage.k8s.io", "v1", "csinodes", "CSINode", false};
inline const Resource kNetworkPolicies{"networking.k8s.io", "v1", "networkpolicies",
                                       "NetworkPolicy", true};
inline const Resource kEndpointSlices{"discovery.k8s.io", "v1", "endpointslices", "EndpointSlice",
                                      true};
inline const Resource kLeases{"coordination.k8s.io", "v1", "leases", "Lease", true};
inline const Resource kCustomResourceDefinitions{
    "apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false};
inline const Resource kPodDisruptionBudgets{"policy", "v1", "poddisruptionbudgets",
                                            "PodDisruptionBudget", true};
}  // namespace resources

}  // namespace vc::kube
