// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/init/kubeconfig_render.h"

#include <openssl/evp.h>

#include "vc/base64.h"
#include "vc/yaml.h"

namespace vc::syncer::init {

nlohmann::json RenderKubeconfig(const KubeconfigSpec& spec) {
  return {
      {"apiVersion", "v1"},
      {"kind", "Config"},
      {"clusters",
       {{{"name", spec.name},
         {"cluster",
          {{"server", spec.server}, {"certificate-authority-data", Base64Encode(spec.ca_pem)}}}}}},
      {"users",
       {{{"name", spec.name},
         {"user",
          {{"client-certificate-data", Base64Encode(spec.client_certificate_pem)},
           {"client-key-data", Base64Encode(spec.client_key_pem)}}}}}},
      {"contexts",
       {{{"name", spec.name}, {"context", {{"cluster", spec.name}, {"user", spec.name}}}}}},
      {"current-context", spec.name},
      {"preferences", nlohmann::json::object()},
  };
}

std::string RenderKubeconfigYaml(const KubeconfigSpec& spec) {
  return yaml::Dump(RenderKubeconfig(spec));
}

}  // namespace vc::syncer::init
