// SPDX-License-Identifier: Apache-2.0
#include "vc/agent/agent/node_view.h"

#include <set>

namespace vc::agent {
namespace {

using nlohmann::json;

std::vector<IpPrefix> ProbeSources(const json& node) {
  std::vector<IpPrefix> out;
  const json::json_pointer p("/status/addresses");
  if (!node.is_object() || !node.contains(p) || !node.at(p).is_array()) return out;
  for (const json& a : node.at(p)) {
    const std::string type = a.value("type", "");
    if (type != "InternalIP" && type != "ExternalIP") continue;
    auto ip = IpAddress::Parse(a.value("address", ""));
    if (!ip.ok()) continue;
    IpPrefix prefix = IpPrefix::Host(*ip);
    bool seen = false;
    for (const IpPrefix& e : out) seen = seen || e == prefix;
    if (!seen) out.push_back(prefix);
  }
  return out;
}

}  // namespace

NodePolicy BuildNodePolicy(const json& node, const std::vector<PodFacts>& pods,
                           const std::vector<TenantSettings>& tenants, TenantIdAllocator& ids,
                           const std::map<std::string, ServiceAddresses>& services) {
  NodePolicy policy;
  policy.segmentation.node.probe_sources = ProbeSources(node);
  std::map<std::string, const TenantSettings*> settings;
  for (const TenantSettings& t : tenants) settings[t.key()] = &t;

  std::set<std::string> live;
  std::map<std::string, TenantPods> quota_pods;
  std::set<IpAddress> claimed;
  std::map<IpAddress, TenantId> owner;  // pod addresses of tenants, claimed above
  // This node's pods first: an address claimed twice stays with the pod that is here.
  std::vector<const PodFacts*> ordered;
  for (const PodFacts& pod : pods) {
    if (pod.on_node) ordered.push_back(&pod);
  }
  for (const PodFacts& pod : pods) {
    if (!pod.on_node) ordered.push_back(&pod);
  }
  for (const PodFacts* p : ordered) {
    const PodFacts& pod = *p;
    if (pod.tenant_key.empty() || !pod.Active() || pod.host_network) continue;
    live.insert(pod.tenant_key);
    auto id = ids.IdFor(pod.tenant_key);
    if (!id.ok()) {
      policy.problems.push_back(id.status().message());
      continue;
    }
    if (!pod.on_node) {
      // Another node's pod: its addresses classify peers here; no policy, veth or quota.
      for (const IpAddress& ip : pod.ips) {
        if (claimed.insert(ip).second) {
          owner[ip] = *id;
          policy.segmentation.pods.push_back({pod.key(), ip, *id, /*on_node=*/false});
        }
      }
      continue;
    }
    TenantOnNode& t = policy.tenants[*id];
    if (t.id == kNoTenant) {
      t.id = *id;
      t.key = pod.tenant_key;
      auto it = settings.find(pod.tenant_key);
      if (it != settings.end()) {
        t.has_settings = true;
        t.trust = it->second->trust;
        t.budget = it->second->node_quota;
        for (const std::string& s : it->second->skipped) {
          policy.problems.push_back("tenant " + t.key + ": " + s);
        }
      }
    }
    ++t.pods;
    for (const IpAddress& ip : pod.ips) {
      // Two pods with one address: a stale pod whose address was handed out again. The first
      // keeps it; ComputeDesiredState would reject the whole input otherwise.
      if (!claimed.insert(ip).second) {
        policy.problems.push_back("address " + ip.ToString() + " of " + pod.key() +
                                  " is claimed by another pod; skipped");
        continue;
      }
      owner[ip] = *id;
      policy.segmentation.pods.push_back({pod.key(), ip, *id, /*on_node=*/true});
    }
    TenantPods& q = quota_pods[pod.tenant_key];
    q.tenant = pod.tenant_key;
    if (!pod.uid.empty()) q.pods.push_back(pod.resources);
  }
  // Pods of no tenant with an address may share one with a tenant pod: they are not entered.

  // A tenant's own Services (synced from its virtual cluster): their cluster IPs are its
  // addresses, as its pods' are, so its pods reach them (its virtual CoreDNS, its own
  // ClusterIPs) and the replies kube-proxy translates back come from its own. Only when every
  // serving endpoint is a pod of the same tenant: a tenant writes its Services' Endpoints,
  // and one pointing at another tenant's pod must not carry its traffic there (kube-proxy
  // translates after our filter has seen the cluster IP). Else, or with an endpoint we do not
  // know yet, the cluster IP stays unclassified (closed for zero trust) and it is reported.
  for (const auto& [name, svc] : services) {
    if (svc.tenant_key.empty() || svc.cluster_ips.empty() || !live.count(svc.tenant_key)) continue;
    auto id = ids.IdFor(svc.tenant_key);
    if (!id.ok()) continue;
    std::string foreign;
    for (const EndpointGroup& group : svc.endpoints) {
      for (const IpAddress& ip : group.addresses) {
        auto it = owner.find(ip);
        if (foreign.empty() && (it == owner.end() || it->second != *id)) foreign = ip.ToString();
      }
    }
    if (!foreign.empty()) {
      policy.problems.push_back("service " + name + " of tenant " + svc.tenant_key +
                                " has endpoint " + foreign +
                                ", not a pod of that tenant; its cluster IP stays closed");
      continue;
    }
    for (const IpAddress& ip : svc.cluster_ips) {
      if (!claimed.insert(ip).second) {
        policy.problems.push_back("cluster IP " + ip.ToString() + " of service " + name +
                                  " is claimed by a pod; skipped");
        continue;
      }
      policy.segmentation.pods.push_back({"service " + name, ip, *id, /*on_node=*/false});
    }
  }
  ids.Retain(live);

  for (const auto& [id, t] : policy.tenants) {
    TenantSpec spec{id, t.key, t.trust, {}};
    if (auto it = settings.find(t.key); it != settings.end()) {
      spec.shared_services = it->second->shared_services;
      for (SharedService& s : ResolveServiceRefs(*it->second, services, &policy.problems)) {
        spec.shared_services.push_back(s);
      }
    }
    // Its own API server: the Service `kubectl vc create` made for the control plane, named
    // like the virtual cluster in its host namespace (the tenant key), which its pods reach as
    // KUBERNETES_SERVICE_HOST (its virtual CoreDNS watches through it). A shared service of
    // that tenant only; a host without it (no control plane Service) adds nothing.
    if (const size_t slash = t.key.find('/'); slash != std::string::npos) {
      TenantSettings own;
      own.namespace_ = t.key.substr(0, slash);
      own.name = t.key.substr(slash + 1);
      own.service_refs.push_back({own.namespace_, own.name, {}});
      std::vector<std::string> absent;  // not every host runs the control plane it names
      for (SharedService& s : ResolveServiceRefs(own, services, &absent)) {
        spec.shared_services.push_back(s);
      }
    }
    policy.segmentation.tenants.push_back(std::move(spec));
    const NodeBudget& b = t.budget;
    if (b.cpu_millicores > 0 || b.memory_bytes > 0 || b.pids > 0) {
      TenantPods q = quota_pods[t.key];
      q.budget = b;
      policy.quotas.push_back(std::move(q));
    }
  }
  return policy;
}

}  // namespace vc::agent
