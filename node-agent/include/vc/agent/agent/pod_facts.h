// SPDX-License-Identifier: Apache-2.0
// PodFacts: what the agent needs to know of one of its node's pods, read from the Pod object.
// Pure parsing; the tenant comes from the labels in shared/include/vc/labels.h.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "vc/agent/cgroup/tenant_budget.h"
#include "vc/agent/datapath/ip_address.h"

namespace vc::agent {

struct PodFacts {
  std::string namespace_;
  std::string name;
  std::string uid;
  // "namespace/name" of the tenant (tenant-namespace + tenant labels) when the pod is a
  // tenant's workload (component=workload); empty otherwise.
  std::string tenant_key;
  std::vector<IpAddress> ips;  // status.podIPs (status.podIP when the list is absent)
  std::string phase;
  bool host_network = false;
  bool terminating = false;  // deletionTimestamp set
  bool on_node = true;       // false: a tenant pod of another node (only its address matters)
  PodResources resources;    // uid, QoS, effective requests, pod-level limits

  std::string key() const { return namespace_ + "/" + name; }
  // Still holds its addresses and cgroup: not Succeeded/Failed.
  bool Active() const { return phase != "Succeeded" && phase != "Failed"; }
};

// "tenant-namespace/tenant" from an object's labels when they mark a tenant's workload
// (component=workload, as the syncer labels every object it writes to the host); else "".
std::string TenantKeyFromLabels(const nlohmann::json& labels);

// Never fails: unparsable addresses or quantities are left out.
PodFacts ParsePod(const nlohmann::json& pod);

// The pod's informer transform: only what ParsePod and the dedicated-node eviction read
// (names, uid, resourceVersion, labels, deletionTimestamp, owner kinds, the mirror annotation,
// nodeName, hostNetwork, container resources, phase, IPs, QoS). A kwok or kubelet pod with
// managedFields and conditions shrinks ~10x, and the agent's cache of 10,000 pods with it.
nlohmann::json SlimPod(nlohmann::json pod);

}  // namespace vc::agent
