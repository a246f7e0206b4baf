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
// The aggregator's client towards extension API servers (--proxy-client-cert-file); the only
// name --requestheader-allowed-names accepts.
inline constexpr const char* kFrontProxyClientCommonName = "front-proxy-client";
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

// A CA under pki/: `file` is the base name ("ca" -> ca.crt + ca.key).
struct CaCertificate {
  std::string file;
  std::string common_name;
};

// A leaf under pki/: `file` is the base name ("apiserver" -> apiserver.crt + apiserver.key),
// signed by the CA of base name `ca`.
struct LeafCertificate {
  std::string file;
  CertificateSpec spec;
  std::string ca = "ca";
};

// The cluster's CAs: "ca" (subject "vc-NAME-ca": it names the cluster in `openssl x509 -text`
// output; every client and serving certificate) and "front-proxy-ca" ("vc-NAME-front-proxy-ca":
// only the aggregator's front-proxy-client, as kubeadm keeps them apart, since the API server
// takes any certificate of the requestheader CA with an allowed name as a proxy that may say
// who the user is).
std::vector<CaCertificate> ClusterCas(const ClusterPkiRequest& request);

// "10.96.0.0/12" -> "10.96.0.1", "fd00::/108" -> "fd00::1". InvalidArgument otherwise.
StatusOr<std::string> FirstServiceIp(std::string_view cidr);

// apiserver, admin, controller-manager, scheduler, syncer, apiserver-kubelet-client (CA "ca"),
// front-proxy-client (CA "front-proxy-ca"), in that order.
StatusOr<std::vector<LeafCertificate>> ClusterLeafCertificates(const ClusterPkiRequest& request);

}  // namespace vc::syncer::pki
