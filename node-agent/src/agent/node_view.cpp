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

// This node's pods first: an address claimed twice stays with the pod that is here.
std::vector<const PodFacts*> ThisNodeFirst(const std::vector<PodFacts>& pods) {
  std::vector<const PodFacts*> ordered;
  for (const PodFacts& pod : pods) {
    if (pod.on_node) ordered.push_back(&pod);
  }
  for (const PodFacts& pod : pods) {
    if (!pod.on_node) ordered.push_back(&pod);
  }
  return ordered;
}

// One BuildNodePolicy call: the policy as it grows, and which addresses are claimed by whom.
class NodePolicyBuilder {
 public:
  NodePolicyBuilder(const std::vector<TenantSettings>& tenants, TenantIdAllocator& ids,
                    const std::map<std::string, ServiceAddresses>& services)
      : ids_(ids), services_(services) {
    for (const TenantSettings& t : tenants) settings_[t.key()] = &t;
  }

  void SetProbeSources(std::vector<IpPrefix> sources) {
    policy_.segmentation.node.probe_sources = std::move(sources);
  }
  void AddPod(const PodFacts& pod);
  void AddTenantsOwnServices();
  // Tenants without an active pod here or elsewhere give their ids back.
  void ReleaseIdsOfGoneTenants() { ids_.Retain(live_); }
  void AddTenantSpecsAndQuotas();
  NodePolicy Take() { return std::move(policy_); }

 private:
  void AddRemotePod(const PodFacts& pod, TenantId id);
  void AddLocalPod(const PodFacts& pod, TenantId id);
  TenantOnNode& TenantEntry(const std::string& key, TenantId id);
  void AddOwnService(const std::string& name, const ServiceAddresses& svc);
  TenantSpec SpecOf(TenantId id, const TenantOnNode& t);

  TenantIdAllocator& ids_;
  const std::map<std::string, ServiceAddresses>& services_;
  std::map<std::string, const TenantSettings*> settings_;
  NodePolicy policy_;
  std::set<std::string> live_;
  std::map<std::string, TenantPods> quota_pods_;
  std::set<IpAddress> claimed_;
  std::map<IpAddress, TenantId> owner_;  // pod addresses of tenants, claimed above
};

void NodePolicyBuilder::AddPod(const PodFacts& pod) {
  if (pod.tenant_key.empty() || !pod.Active() || pod.host_network) return;
  live_.insert(pod.tenant_key);
  auto id = ids_.IdFor(pod.tenant_key);
  if (!id.ok()) {
    policy_.problems.push_back(id.status().message());
    return;
  }
  if (pod.on_node) {
    AddLocalPod(pod, *id);
  } else {
    AddRemotePod(pod, *id);
  }
}

// Another node's pod: its addresses classify peers here; no policy, veth or quota.
void NodePolicyBuilder::AddRemotePod(const PodFacts& pod, TenantId id) {
  for (const IpAddress& ip : pod.ips) {
    if (claimed_.insert(ip).second) {
      owner_[ip] = id;
      policy_.segmentation.pods.push_back({pod.key(), ip, id, /*on_node=*/false});
    }
  }
}

void NodePolicyBuilder::AddLocalPod(const PodFacts& pod, TenantId id) {
  TenantOnNode& t = TenantEntry(pod.tenant_key, id);
  ++t.pods;
  for (const IpAddress& ip : pod.ips) {
    // Two pods with one address: a stale pod whose address was handed out again. The first
    // keeps it; ComputeDesiredState would reject the whole input otherwise.
    if (!claimed_.insert(ip).second) {
      policy_.problems.push_back("address " + ip.ToString() + " of " + pod.key() +
                                 " is claimed by another pod; skipped");
      continue;
    }
    owner_[ip] = id;
    policy_.segmentation.pods.push_back({pod.key(), ip, id, /*on_node=*/true});
  }
  TenantPods& q = quota_pods_[pod.tenant_key];
  q.tenant = pod.tenant_key;
  if (!pod.uid.empty()) q.pods.push_back(pod.resources);
}

// The tenant's entry, filled from its Tenant object the first time one of its pods is seen.
TenantOnNode& NodePolicyBuilder::TenantEntry(const std::string& key, TenantId id) {
  TenantOnNode& t = policy_.tenants[id];
  if (t.id != kNoTenant) return t;
  t.id = id;
  t.key = key;
  auto it = settings_.find(key);
  if (it != settings_.end()) {
    t.has_settings = true;
    t.trust = it->second->trust;
    t.budget = it->second->node_quota;
    for (const std::string& s : it->second->skipped) {
      policy_.problems.push_back("tenant " + t.key + ": " + s);
    }
  }
  return t;
}

// A tenant's own Services (synced from its virtual cluster): their cluster IPs are its
// addresses, as its pods' are, so its pods reach them (its virtual CoreDNS, its own ClusterIPs)
// and the replies kube-proxy translates back come from its own. Only when every serving
// endpoint is a pod of the same tenant: a tenant writes its Services' Endpoints, and one
// pointing at another tenant's pod must not carry its traffic there (kube-proxy translates
// after our filter has seen the cluster IP). Else, or with an endpoint we do not know yet, the
// cluster IP stays unclassified (closed for zero trust) and it is reported.
void NodePolicyBuilder::AddTenantsOwnServices() {
  for (const auto& [name, svc] : services_) {
    if (svc.tenant_key.empty() || svc.cluster_ips.empty() || !live_.count(svc.tenant_key)) {
      continue;
    }
    AddOwnService(name, svc);
  }
}

void NodePolicyBuilder::AddOwnService(const std::string& name, const ServiceAddresses& svc) {
  auto id = ids_.IdFor(svc.tenant_key);
  if (!id.ok()) return;
  std::string foreign;
  for (const EndpointGroup& group : svc.endpoints) {
    for (const IpAddress& ip : group.addresses) {
      auto it = owner_.find(ip);
      if (foreign.empty() && (it == owner_.end() || it->second != *id)) foreign = ip.ToString();
    }
  }
  if (!foreign.empty()) {
    policy_.problems.push_back("service " + name + " of tenant " + svc.tenant_key +
                               " has endpoint " + foreign +
                               ", not a pod of that tenant; its cluster IP stays closed");
    return;
  }
  for (const IpAddress& ip : svc.cluster_ips) {
    if (!claimed_.insert(ip).second) {
      policy_.problems.push_back("cluster IP " + ip.ToString() + " of service " + name +
                                 " is claimed by a pod; skipped");
      continue;
    }
    policy_.segmentation.pods.push_back({"service " + name, ip, *id, /*on_node=*/false});
  }
}

void NodePolicyBuilder::AddTenantSpecsAndQuotas() {
  for (const auto& [id, t] : policy_.tenants) {
    policy_.segmentation.tenants.push_back(SpecOf(id, t));
    const NodeBudget& b = t.budget;
    if (b.cpu_millicores > 0 || b.memory_bytes > 0 || b.pids > 0) {
      TenantPods q = quota_pods_[t.key];
      q.budget = b;
      policy_.quotas.push_back(std::move(q));
    }
  }
}

TenantSpec NodePolicyBuilder::SpecOf(TenantId id, const TenantOnNode& t) {
  TenantSpec spec{id, t.key, t.trust, {}};
  if (auto it = settings_.find(t.key); it != settings_.end()) {
    spec.shared_services = it->second->shared_services;
    for (SharedService& s : ResolveServiceRefs(*it->second, services_, &policy_.problems)) {
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
    for (SharedService& s : ResolveServiceRefs(own, services_, &absent)) {
      spec.shared_services.push_back(s);
    }
  }
  return spec;
}

}  // namespace

NodePolicy BuildNodePolicy(const json& node, const std::vector<PodFacts>& pods,
                           const std::vector<TenantSettings>& tenants, TenantIdAllocator& ids,
                           const std::map<std::string, ServiceAddresses>& services) {
  NodePolicyBuilder builder(tenants, ids, services);
  builder.SetProbeSources(ProbeSources(node));
  for (const PodFacts* pod : ThisNodeFirst(pods)) builder.AddPod(*pod);
  // Pods of no tenant with an address may share one with a tenant pod: they are not entered.
  builder.AddTenantsOwnServices();
  builder.ReleaseIdsOfGoneTenants();
  builder.AddTenantSpecsAndQuotas();
  return builder.Take();
}

}  // namespace vc::agent
