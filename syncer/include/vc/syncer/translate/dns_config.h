// SPDX-License-Identifier: Apache-2.0
// DNS inside the virtual cluster: the CoreDNS the syncer deploys into it (kube-system/coredns,
// a workload like any other, so it runs as a host pod) and its Corefile. Pure.
//
// The Corefile answers the virtual cluster's own names from the virtual API (kubernetes
// plugin), and the names the values add:
//  - networking.resolveDNS: hostname -> hostname | ip | hostService | vClusterService;
//    service (ns/name) -> the same targets; namespace -> hostNamespace (every service name of
//    the virtual namespace answered by the host namespace's service of the same name).
//  - networking.replicateServices.fromHost {from: hns/hsvc, to: vns/vsvc}: vsvc.vns answered by
//    the host service.
// Names on the host are resolved by the host cluster's DNS: the CoreDNS pod keeps the host's
// DNS settings (dnsPolicy ClusterFirst on the host), and host-bound names are rewritten and
// forwarded there (`answer auto` rewrites the answers back to the asked name).
//
// Nothing on the test machine has a pod network: tests check the rendered configuration and
// the synced objects, not resolution.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "vc/syncer/translate/sync_config.h"

namespace vc::syncer::translate {

inline constexpr int kCoreDnsPort = 1053;
inline constexpr const char* kCoreDnsImage = "registry.k8s.io/coredns/coredns:v1.14.7";

struct DnsInputs {
  std::string host_cluster_domain = "cluster.local";
};

std::string RenderCorefile(const SyncConfig& config, const DnsInputs& inputs = {});

// ServiceAccount, ClusterRole(Binding), ConfigMap (the Corefile), Deployment and Service
// kube-system/kube-dns, in apply order.
std::vector<nlohmann::json> CoreDnsObjects(const SyncConfig& config, const DnsInputs& inputs = {});

// True for the virtual cluster's own DNS pods (kube-system, k8s-app=kube-dns): they keep the
// host's DNS settings; every other pod is pointed at them.
bool IsClusterDnsPod(const nlohmann::json& virtual_pod);

// The dnsPolicy/dnsConfig a host pod gets so that it resolves through the virtual cluster's
// DNS at `dns_ip` (a ClusterFirst pod; other policies are left alone): null if unchanged.
nlohmann::json DnsSettings(const nlohmann::json& virtual_pod, const std::string& dns_ip,
                           const std::string& cluster_domain);

}  // namespace vc::syncer::translate
