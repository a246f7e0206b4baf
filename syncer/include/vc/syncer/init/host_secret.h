// SPDX-License-Identifier: Apache-2.0
// Secret vc-NAME on the host: the kubeconfig `kubectl vc connect` uses. Its keys are the ones
// vcluster uses (config, certificate-authority, client-certificate, client-key), so tools that
// know vcluster's Secret read ours. Rendering is pure; applying takes the host client.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "vc/kube/client.h"
#include "vc/status.h"

namespace vc::syncer::init {

// The field manager of everything vc-syncer writes on the host.
inline constexpr const char* kFieldManager = "vc-syncer";
// The server the Secret's kubeconfig names: kubectl-vc's port-forward to the pod's 8443 (the
// Service maps 443 -> 8443), and `connect --server` rewrites it for an exposed endpoint.
inline constexpr const char* kSecretServer = "https://localhost:8443";

struct HostSecretSpec {
  std::string name;        // the virtual cluster
  std::string namespace_;  // the host namespace
  std::string kubeconfig_yaml;
  std::string ca_pem;
  std::string client_certificate_pem;
  std::string client_key_pem;
};

// "vc-" + name.
std::string HostSecretName(const std::string& name);

// The Secret, labelled with vc::labels (managed-by, tenant, tenant-namespace).
nlohmann::json RenderHostSecret(const HostSecretSpec& spec);

// Server-side apply under kFieldManager, forcing ownership: the Secret's content is derived
// from /data/pki, and a field someone else took must not keep the pod from starting.
// Applying the same content again changes nothing on the server (no new resourceVersion).
StatusOr<nlohmann::json> ApplyHostSecret(kube::Client& host, const nlohmann::json& secret);

}  // namespace vc::syncer::init
