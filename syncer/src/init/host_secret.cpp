// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/init/host_secret.h"

#include "vc/base64.h"
#include "vc/labels.h"
#include "vc/syncer/init/kubeconfig_render.h"

namespace vc::syncer::init {

std::string HostSecretName(const std::string& name) { return "vc-" + name; }

nlohmann::json RenderHostSecret(const HostSecretSpec& spec) {
  return {
      {"apiVersion", "v1"},
      {"kind", "Secret"},
      {"metadata",
       {{"name", HostSecretName(spec.name)},
        {"namespace", spec.namespace_},
        {"labels",
         {{labels::kManagedBy, labels::kManagedByValue},
          {labels::kTenant, spec.name},
          {labels::kTenantNamespace, spec.namespace_}}}}},
      {"type", "Opaque"},
      // data, not stringData: stringData is write-only and would show up as a field we
      // manage but can never read back, so every apply would look like a change.
      {"data",
       {{"config", Base64Encode(spec.kubeconfig_yaml)},
        {"certificate-authority", Base64Encode(spec.ca_pem)},
        {"client-certificate", Base64Encode(spec.client_certificate_pem)},
        {"client-key", Base64Encode(spec.client_key_pem)}}},
  };
}

StatusOr<nlohmann::json> ApplyHostSecret(kube::Client& host, const nlohmann::json& secret) {
  const std::string ns = secret["metadata"]["namespace"];
  const std::string name = secret["metadata"]["name"];
  auto applied = host.Apply(kube::resources::kSecrets, ns, name, secret.dump(),
                            {.field_manager = kFieldManager, .force = true});
  if (!applied.ok()) {
    return applied.status().Annotate("apply secret " + ns + "/" + name +
                                     " (the pod's service account needs get, create and "
                                     "patch on secrets in " +
                                     ns + ")");
  }
  return applied;
}

}  // namespace vc::syncer::init
