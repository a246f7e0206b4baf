// SPDX-License-Identifier: Apache-2.0
// `vc-syncer init`, the control-plane pod's init container: /data/pki, the control plane's
// kubeconfigs under /data/kubeconfig, and Secret vc-NAME on the host. Every step only
// creates or repairs what is missing or stale, so running it twice changes nothing and a run
// killed at any point is finished by the next one.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "vc/kube/client.h"
#include "vc/status.h"
#include "vc/syncer/pki/cluster_certificates.h"

namespace vc::syncer::init {

struct InitOptions {
  std::string name;        // --name
  std::string namespace_;  // --namespace
  std::string data_dir = "/data";
  int apiserver_port = 0;                               // --apiserver-port ($(VC_APISERVER_PORT))
  std::vector<std::string> sans;                        // --san
  std::string service_cidr = pki::kDefaultServiceCidr;  // --service-cidr
  std::string host_kubeconfig;  // --host-kubeconfig (tests); else in-cluster
};

// Flags only, no I/O: DNS-1123 names, a port in range, a parseable service CIDR.
Status ValidateInitOptions(const InitOptions& options);

// The control plane's kubeconfig files: /data/kubeconfig/{admin,controller-manager,syncer}.conf
// as (file name, pki leaf) pairs.
struct ControlPlaneKubeconfig {
  std::string file;  // "admin.conf"
  std::string leaf;  // "admin": pki/admin.{crt,key}
};
const std::vector<ControlPlaneKubeconfig>& ControlPlaneKubeconfigs();

// PKI and kubeconfigs under options.data_dir; no network.
Status PrepareDataDir(const InitOptions& options);

// Secret vc-NAME from the PKI PrepareDataDir left, applied through `host`.
Status PublishHostSecret(const InitOptions& options, kube::Client& host);

// The cluster IPs of the host Service NAME (what the pods' KUBERNETES_SERVICE_HOST is), which
// the apiserver's serving certificate must name. FailedPrecondition when it does not exist.
StatusOr<std::vector<std::string>> HostServiceIps(const InitOptions& options, kube::Client& host);

using HostClientFactory = std::function<StatusOr<std::shared_ptr<kube::Client>>()>;

// Validate, load the host client (first, so a bad --host-kubeconfig fails before any file is
// written), the host Service's IPs (SANs), PrepareDataDir, PublishHostSecret.
Status RunInit(const InitOptions& options, const HostClientFactory& host_client);

}  // namespace vc::syncer::init
