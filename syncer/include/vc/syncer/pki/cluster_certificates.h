// SPDX-License-Identifier: Apache-2.0
// Which certificates a virtual cluster has, and what each says: the pure half of the /data/pki
// layout (syncer/README.md). PkiStore writes what this returns.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vc/status.h"
#include "vc/syncer/pki/certificate.h"

namespace vc::syncer::pki {

// Who the clients are. Changing one re-issues that certificate (PkiStore compares subjects).
inline constexpr const char* kAdminCommonName = "kubectl-vc:admin";
inline constexpr const char* kSyncerCommonName = "kubectl-vc:syncer";
inline constexpr const char* kControllerManagerCommonName = "system:kube-controller-manager";
inline constexpr const char* kSchedulerCommonName = "system:kube-scheduler";
inline constexpr const char* kApiserverCommonName = "kube-apiserver";
inline constexpr const char* kKubeletClientCommonName = "kube-apiserver-kubelet-client";
inline constexpr const char* kMastersGroup = "system:masters";

// kubeadm's default, used when the pod spec does not say.
inline constexpr const char* kDefaultServiceCidr = "10.96.0.0/12";

struct ClusterPkiRequest {
  std::string name;        // the virtual cluster (its host Service is NAME)
  std::string namespace_;  // the host namespace
  // --san: more names the apiserver answers to (an exposed load balancer, an ingress host).
  // Values that parse as IP addresses become IP SANs, the rest DNS SANs.
  std::vector<std::string> extra_sans;
  // The virtual apiserver's --service-cluster-ip-range, "v4" or "v4,v6": the first address of
  // each range is the `kubernetes` Service, which pods in the virtual cluster dial by IP.
  std::string service_cidr = kDefaultServiceCidr;
};

// A leaf under pki/: `file` is the base name ("apiserver" -> apiserver.crt + apiserver.key).
struct LeafCertificate {
  std::string file;
  CertificateSpec spec;
};

// "10.96.0.0/12" -> "10.96.0.1", "fd00::/108" -> "fd00::1". InvalidArgument otherwise.
StatusOr<std::string> FirstServiceIp(std::string_view cidr);

// apiserver, admin, controller-manager, syncer, apiserver-kubelet-client, in that order.
StatusOr<std::vector<LeafCertificate>> ClusterLeafCertificates(const ClusterPkiRequest& request);

// The CA's subject: "vc-NAME-ca" (names the cluster in `openssl x509 -text` output).
std::string CaCommonName(const ClusterPkiRequest& request);

}  // namespace vc::syncer::pki
