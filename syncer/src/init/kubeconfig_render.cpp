// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/init/kubeconfig_render.h"

#include <openssl/evp.h>

#include "vc/yaml.h"

namespace vc::syncer::init {

nlohmann::json RenderKubeconfig(const KubeconfigSpec& spec) {
  return {
      {"apiVersion", "v1"},
      {"kind", "Config"},
      {"clusters",
       {{{"name", spec.name},
         {"cluster",
          {{"server", spec.server},
           {"certificate-authority-data", Base64Encode(spec.ca_pem)}}}}}},
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

std::string Base64Encode(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(data.data()),
                                static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

bool Base64Decode(std::string_view text, std::string* out) {
  if (text.size() % 4 != 0) return false;
  std::string decoded(3 * (text.size() / 4) + 1, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return false;
  // EVP_DecodeBlock counts the padding as zero bytes; drop one per '='.
  size_t len = static_cast<size_t>(n);
  for (size_t i = text.size(); i > 0 && text[i - 1] == '=' && len > 0; --i) --len;
  decoded.resize(len);
  *out = std::move(decoded);
  return true;
}

}  // namespace vc::syncer::init
