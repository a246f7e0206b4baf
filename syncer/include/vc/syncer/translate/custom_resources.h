// SPDX-License-Identifier: Apache-2.0
// Custom resources the values name (vcluster.yaml's keys):
//
//   sync:
//     toHost:
//       customResources:
//         certificates.cert-manager.io:          # PLURAL.GROUP of a CRD the host has
//           enabled: true
//           patches:                             # fields that name other objects
//             - path: spec.secretName
//               reference: {apiVersion: v1, kind: Secret}
//     fromHost:
//       customResources:
//         clusterissuers.cert-manager.io: {enabled: true, scope: Cluster}
//
// The CRD comes from the host (its schema, names and versions; a conversion webhook, which
// would point at a host Service, is dropped) and is installed in the virtual cluster. toHost:
// the tenant's objects are copied to the host with translated names, every top-level field but
// status, and the fields the patches name renamed as the host copies of what they reference;
// status comes back. A Secret or ConfigMap a patch names that appears on the host under the
// translated name (cert-manager's issued certificate) is imported into the virtual cluster.
// fromHost (cluster-scoped only): the host's objects are shown read-only. Pure.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "vc/kube/resource.h"
#include "vc/status.h"
#include "vc/syncer/translate/names.h"

namespace vc::syncer::translate {

// One `patches` entry with a `reference`.
struct ReferencePatch {
  std::string path;         // dotted, "[*]" for every element of a list: "spec.tls[*].secretName"
  std::string api_version;  // of the referenced object: "v1"
  std::string kind;         // "Secret"
  std::string name_path;    // "" : the value at path is the name; else the name's key in it
};

struct CustomResourceSync {
  std::string name;  // "certificates.cert-manager.io"
  std::vector<ReferencePatch> references;
};

// The entries of sync.{toHost,fromHost}.customResources that are enabled, by name.
std::vector<CustomResourceSync> CustomResourcesFromValues(const nlohmann::json& section);

// What the syncer will not do, as an error naming the key and the fix: a name that is not
// PLURAL.GROUP, a patch path it cannot read.
Status CheckCustomResource(const CustomResourceSync& sync, const char* direction);

// The resource a CRD serves, at its storage version; an error when the CRD says none.
StatusOr<kube::Resource> CrdResource(const nlohmann::json& crd);
// Whether that version has a status subresource (status then only changes through it).
bool CrdHasStatusSubresource(const nlohmann::json& crd);

// The virtual cluster's copy of a host CRD: name, spec without a conversion webhook,
// labelled kubectl-vc.dev/from-host=true.
nlohmann::json VirtualCrd(const nlohmann::json& host_crd);

// The host copy of a tenant's custom resource: HostMetadata, every top-level field but
// apiVersion, kind, metadata and status as it is, the references renamed (HostName in the
// object's namespace). A top-level field the tenant removed is null (removed on the host).
nlohmann::json TranslateCustomResource(const nlohmann::json& virtual_object, const Tenant& tenant,
                                       const CustomResourceSync& sync);

// The names an object's Secret or ConfigMap references hold (`kind`: "Secret", "ConfigMap").
std::vector<std::string> ReferencedNames(const nlohmann::json& virtual_object,
                                         const CustomResourceSync& sync, const std::string& kind);

// The virtual copy of a host Secret or ConfigMap a reference named: virtual name and
// namespace, the host object's data, binaryData, type and immutable, and the annotation
// kubectl-vc.dev/imported-from naming the host object (the Secret syncer never copies such an
// object back over its source).
nlohmann::json ImportedObject(const nlohmann::json& host_object, const std::string& ns,
                              const std::string& name);
inline constexpr const char* kImportedFrom = "kubectl-vc.dev/imported-from";

}  // namespace vc::syncer::translate
