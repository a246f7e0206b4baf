// SPDX-License-Identifier: Apache-2.0
// policies.*: ResourceQuota and LimitRange over the host namespace (the tenant's workloads
// land there), and NetworkPolicies that keep a tenant's workloads to themselves.
#include "render_parts.h"
#include "vc/labels.h"

namespace vc::cli::render {

using nlohmann::json;
namespace r = kube::resources;

namespace {

json ResourceQuota(const VirtualCluster& vc) {
  json spec = {{"hard", At(vc.values, "/policies/resourceQuota/quota")}};
  for (const char* key : {"scopes", "scopeSelector"}) {
    json::json_pointer p(std::string("/policies/resourceQuota/") + key);
    if (vc.values.contains(p) && !vc.values.at(p).empty()) spec[key] = vc.values.at(p);
  }
  return {{"apiVersion", "v1"},
          {"kind", "ResourceQuota"},
          {"metadata", Metadata(vc, "vc-" + vc.name, true)},
          {"spec", spec}};
}

json LimitRange(const VirtualCluster& vc) {
  json limit = {{"type", "Container"}};
  for (const char* key : {"default", "defaultRequest", "max", "min"}) {
    json::json_pointer p(std::string("/policies/limitRange/") + key);
    if (vc.values.contains(p) && vc.values.at(p).is_object() && !vc.values.at(p).empty()) {
      limit[key] = vc.values.at(p);
    }
  }
  return {{"apiVersion", "v1"},
          {"kind", "LimitRange"},
          {"metadata", Metadata(vc, "vc-" + vc.name, true)},
          {"spec", {{"limits", json::array({limit})}}}};
}

json TenantPods(const VirtualCluster& vc) {
  return {{"matchLabels",
           {{labels::kTenant, vc.name},
            {labels::kTenantNamespace, vc.namespace_},
            {labels::kComponent, labels::kComponentWorkload}}}};
}

// The tenant's workloads talk to each other, to cluster DNS, to their own control plane, and
// to the blocks outgoingConnections allows. Nothing else reaches them.
json WorkloadPolicy(const VirtualCluster& vc) {
  json own = json::array(
      {{{"podSelector", TenantPods(vc)}},
       {{"podSelector",
         {{"matchLabels",
           {{labels::kTenant, vc.name}, {labels::kComponent, labels::kComponentControlPlane}}}}}}});
  json egress = json::array({
      {{"to", own}},
      {{"to",
        json::array({{{"namespaceSelector",
                       {{"matchLabels", {{"kubernetes.io/metadata.name", "kube-system"}}}}}}})},
       {"ports",
        json::array({{{"protocol", "UDP"}, {"port", 53}}, {{"protocol", "TCP"}, {"port", 53}}})}},
  });
  const json& block = At(vc.values, "/policies/networkPolicy/outgoingConnections/ipBlock");
  if (block.is_object() && block.contains("cidr") && block["cidr"].is_string() &&
      !block["cidr"].get<std::string>().empty()) {
    json ip = {{"cidr", block["cidr"]}};
    if (block.contains("except") && !block["except"].empty()) ip["except"] = block["except"];
    egress.push_back({{"to", json::array({{{"ipBlock", ip}}})}});
  }
  return {{"apiVersion", "networking.k8s.io/v1"},
          {"kind", "NetworkPolicy"},
          {"metadata", Metadata(vc, "vc-" + vc.name + "-workloads", true)},
          {"spec",
           {{"podSelector", TenantPods(vc)},
            {"policyTypes", {"Ingress", "Egress"}},
            {"ingress", json::array({{{"from", own}}})},
            {"egress", egress}}}};
}

}  // namespace

std::vector<HostObject> RenderPolicies(const VirtualCluster& vc) {
  std::vector<HostObject> out;
  if (Enabled(vc.values, "/policies/resourceQuota/enabled")) {
    out.push_back({r::kResourceQuotas, ResourceQuota(vc)});
  }
  if (Enabled(vc.values, "/policies/limitRange/enabled")) {
    out.push_back({r::kLimitRanges, LimitRange(vc)});
  }
  if (Enabled(vc.values, "/policies/networkPolicy/enabled")) {
    out.push_back({r::kNetworkPolicies, WorkloadPolicy(vc)});
  }
  return out;
}

}  // namespace vc::cli::render
