// SPDX-License-Identifier: Apache-2.0
// The Tenant object: a virtual cluster's isolation settings where the node agent reads them.
// One per virtual cluster, in its host namespace, named after it. The CRD is ours
// (tenants.kubectl-vc.dev); manifests/crds/tenants.yaml is this definition, checked by a test.
#include "render_parts.h"

namespace vc::cli::render {

using nlohmann::json;

kube::Resource TenantResource() {
  return {"kubectl-vc.dev", "v1alpha1", "tenants", "Tenant", true};
}

json RenderTenant(const VirtualCluster& vc) {
  const json& iso = At(vc.values, "/isolation");
  json spec = {{"trustLevel", TrustLevel(vc.values)}};
  for (const char* key : {"dedicatedNodes", "nodeQuota", "sharedServices", "serviceTypes"}) {
    if (iso.is_object() && iso.contains(key) && !iso[key].is_null()) spec[key] = iso[key];
  }
  const json& pss = At(vc.values, "/policies/podSecurityStandard");
  if (pss.is_string()) spec["podSecurityStandard"] = pss;
  return {{"apiVersion", "kubectl-vc.dev/v1alpha1"},
          {"kind", "Tenant"},
          {"metadata", Metadata(vc, vc.name, true)},
          {"spec", spec}};
}

namespace {

json Str() { return {{"type", "string"}}; }
json IntOrString() { return {{"x-kubernetes-int-or-string", true}}; }

json SpecSchema() {
  json port = {{"type", "object"},
               {"properties",
                {{"port", {{"type", "integer"}, {"minimum", 1}, {"maximum", 65535}}},
                 {"protocol", {{"type", "string"}, {"enum", {"TCP", "UDP", "SCTP"}}}}}}};
  json service = {{"type", "object"},
                  {"properties",
                   {{"name", Str()},
                    {"namespace", Str()},
                    {"service", Str()},
                    {"cidr", Str()},
                    {"ports", {{"type", "array"}, {"items", port}}}}}};
  return {
      {"type", "object"},
      {"properties",
       {{"trustLevel", {{"type", "string"}, {"enum", {"high", "partial", "zero"}}}},
        {"dedicatedNodes",
         {{"type", "object"},
          {"properties",
           {{"enabled", {{"type", "boolean"}}},
            {"nodeSelector", {{"type", "object"}, {"additionalProperties", Str()}}}}}}},
        {"nodeQuota",
         {{"type", "object"},
          {"properties",
           {{"cpu", IntOrString()}, {"memory", IntOrString()}, {"pids", {{"type", "integer"}}}}}}},
        {"sharedServices", {{"type", "array"}, {"items", service}}},
        {"serviceTypes", {{"type", "array"}, {"items", Str()}}},
        {"podSecurityStandard", Str()}}},
  };
}

}  // namespace

json TenantCustomResourceDefinition() {
  json version = {
      {"name", "v1alpha1"},
      {"served", true},
      {"storage", true},
      {"schema",
       {{"openAPIV3Schema",
         {{"type", "object"},
          {"properties",
           {{"spec", SpecSchema()},
            {"status", {{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true}}}}}}}}},
      {"subresources", {{"status", json::object()}}},
      {"additionalPrinterColumns",
       json::array(
           {{{"name", "Trust"}, {"type", "string"}, {"jsonPath", ".spec.trustLevel"}},
            {{"name", "Age"}, {"type", "date"}, {"jsonPath", ".metadata.creationTimestamp"}}})},
  };
  return {{"apiVersion", "apiextensions.k8s.io/v1"},
          {"kind", "CustomResourceDefinition"},
          {"metadata", {{"name", "tenants.kubectl-vc.dev"}}},
          {"spec",
           {{"group", "kubectl-vc.dev"},
            {"scope", "Namespaced"},
            {"names",
             {{"plural", "tenants"},
              {"singular", "tenant"},
              {"kind", "Tenant"},
              {"listKind", "TenantList"},
              {"shortNames", {"vct"}}}},
            {"versions", json::array({version})}}}};
}

}  // namespace vc::cli::render
