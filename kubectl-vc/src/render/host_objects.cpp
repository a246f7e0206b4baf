// SPDX-License-Identifier: Apache-2.0
// Assembles the host objects of a virtual cluster in apply order. The pieces live next door:
// statefulset.cpp (the control-plane pod), rbac.cpp, policies.cpp, tenant.cpp.
#include "vc/cli/render/host_objects.h"

#include "render_parts.h"
#include "vc/labels.h"
#include "vc/pod_security.h"
#include "vc/yaml.h"

namespace vc::cli::render {

using nlohmann::json;
namespace r = kube::resources;

json TenantLabels(const VirtualCluster& vc) {
  return {{labels::kManagedBy, labels::kManagedByValue},
          {labels::kTenant, vc.name},
          {labels::kTenantNamespace, vc.namespace_},
          {labels::kTrustLevel, TrustLevel(vc.values)}};
}

std::string TenantSelector(const VirtualCluster& vc) {
  return std::string(labels::kManagedBy) + "=" + labels::kManagedByValue + "," + labels::kTenant +
         "=" + vc.name + "," + labels::kTenantNamespace + "=" + vc.namespace_;
}

std::string ServiceAccountName(const VirtualCluster& vc) { return "vc-" + vc.name; }
std::string ConfigSecretName(const std::string& name) { return "vc-config-" + name; }
std::string KubeconfigSecretName(const std::string& name) { return "vc-" + name; }

std::string TrustLevel(const json& values) {
  return String(values, "/isolation/trustLevel", "high");
}

json Metadata(const VirtualCluster& vc, const std::string& name, bool namespaced) {
  json m = {{"name", name}, {"labels", TenantLabels(vc)}};
  if (namespaced) m["namespace"] = vc.namespace_;
  return m;
}

namespace {

json Namespace(const VirtualCluster& vc) {
  json m = Metadata(vc, vc.namespace_, false);
  m["labels"][labels::kCreatedNamespace] = "true";
  // Pod security admission holds every pod in it (the control plane's, which passes
  // restricted, and the tenant's) to the tenant's standard, whatever the syncer lets through.
  const std::string level = PodSecurityLevel(
      TrustLevel(vc.values), String(vc.values, "/policies/podSecurityStandard", ""));
  m["labels"]["pod-security.kubernetes.io/enforce"] = level;
  m["labels"]["pod-security.kubernetes.io/enforce-version"] = "latest";
  return {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", m}};
}

json ConfigSecret(const VirtualCluster& vc) {
  json data = {{"config.yaml", yaml::Dump(vc.values)}};
  if (VirtualScheduler(vc.values)) data[kSchedulerConfigKey] = SchedulerConfiguration(vc.values);
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"metadata", Metadata(vc, ConfigSecretName(vc.name), true)},
          {"type", "Opaque"},
          {"stringData", data}};
}

json Service(const VirtualCluster& vc, bool headless) {
  json spec = {
      {"selector", {{labels::kAppLabel, labels::kAppValue}, {labels::kReleaseLabel, vc.name}}},
      {"ports",
       json::array(
           {{{"name", "https"}, {"port", 443}, {"targetPort", "https"}, {"protocol", "TCP"}}})}};
  if (headless) {
    spec["clusterIP"] = "None";
  } else {
    spec["type"] = String(vc.values, "/controlPlane/service/spec/type", "ClusterIP");
  }
  return {{"apiVersion", "v1"},
          {"kind", "Service"},
          {"metadata", Metadata(vc, headless ? vc.name + "-headless" : vc.name, true)},
          {"spec", spec}};
}

}  // namespace

std::vector<HostObject> RenderHostObjects(const VirtualCluster& vc) {
  std::vector<HostObject> out;
  if (vc.create_namespace) out.push_back({r::kNamespaces, Namespace(vc)});
  out.push_back({r::kServiceAccounts,
                 {{"apiVersion", "v1"},
                  {"kind", "ServiceAccount"},
                  {"metadata", Metadata(vc, ServiceAccountName(vc), true)}}});
  for (auto& o : RenderRbac(vc)) out.push_back(std::move(o));
  out.push_back({r::kSecrets, ConfigSecret(vc)});
  out.push_back({r::kServices, Service(vc, false)});
  out.push_back({r::kServices, Service(vc, true)});
  for (auto& o : RenderPolicies(vc)) out.push_back(std::move(o));
  for (auto& o : RenderAutoWakeup(vc)) out.push_back(std::move(o));
  out.push_back({TenantResource(), RenderTenant(vc)});
  out.push_back({r::kStatefulSets, RenderStatefulSet(vc)});
  return out;
}

}  // namespace vc::cli::render
