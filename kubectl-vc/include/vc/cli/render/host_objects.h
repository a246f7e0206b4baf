// SPDX-License-Identifier: Apache-2.0
// The host objects of one virtual cluster, rendered from its effective values. Pure: values in,
// objects out, in the order they must be applied (namespace first, the StatefulSet after what
// it references). `kubectl vc create` applies them; tests and `--dry-run` print them.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "vc/kube/resource.h"

namespace vc::cli::render {

// Versions of what the control-plane pod runs. Images are what a real host pulls; the test
// pod runner maps each image to a locally built binary of the same version.
struct Images {
  std::string syncer = "ghcr.io/kubectl-vc/vc-syncer:v0.1.0";
  std::string kine = "docker.io/rancher/kine:v0.14.10";
  std::string apiserver = "registry.k8s.io/kube-apiserver:v1.36.3";
  std::string controller_manager = "registry.k8s.io/kube-controller-manager:v1.36.3";
  std::string scheduler = "registry.k8s.io/kube-scheduler:v1.36.3";  // virtualScheduler only
};

struct VirtualCluster {
  std::string name;              // DNS-1123 label, validated by the caller
  std::string namespace_;        // host namespace, "vcluster-NAME" unless -n
  bool create_namespace = true;  // false when -n names a namespace that exists already
  nlohmann::json values;         // effective values (kubectl-vc/README.md, contracts)
  Images images;
};

struct HostObject {
  kube::Resource resource;
  nlohmann::json object;  // complete: apiVersion, kind, metadata.name/namespace
};

std::vector<HostObject> RenderHostObjects(const VirtualCluster& vc);

// The images the control-plane pod runs: `defaults` (this build's, VirtualCluster::images) with
// what the values change: controlPlane.distro.k8s.version (the tag of kube-apiserver and
// kube-controller-manager), the per-component image parts (controlPlane.distro.k8s.apiServer
// .image, ...controllerManager.image, controlPlane.backingStore.kine.image,
// controlPlane.statefulSet.image for vc-syncer) and controlPlane.advanced.defaultImageRegistry
// (the registry of every image whose registry the values do not give). Values are schema-checked.
Images ImagesFor(const nlohmann::json& values, const Images& defaults);

// Pieces, for the callers that need one (pause/resume scale the StatefulSet; the CRD is
// applied once per host cluster).
nlohmann::json RenderStatefulSet(const VirtualCluster& vc);
nlohmann::json TenantCustomResourceDefinition();
kube::Resource TenantResource();  // tenants.kubectl-vc.dev/v1alpha1, namespaced

// Labels every host object of this virtual cluster carries (vc/labels.h).
nlohmann::json TenantLabels(const VirtualCluster& vc);
// The label selector (`key=value,...`) that finds every host object this virtual cluster owns.
std::string TenantSelector(const VirtualCluster& vc);

// The names create uses, in one place.
std::string ServiceAccountName(const VirtualCluster& vc);
std::string ConfigSecretName(const std::string& name);      // vc-config-NAME
std::string KubeconfigSecretName(const std::string& name);  // vc-NAME
inline constexpr const char* kFieldManager = "kubectl-vc";
// The control-plane pod's snapshot endpoint (container "snapshot", vc-syncer snapshot-server).
inline constexpr int kSnapshotPort = 8444;

}  // namespace vc::cli::render
