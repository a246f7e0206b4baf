// SPDX-License-Identifier: Apache-2.0
#include "vc/cli/connect/context_entries.h"

#include "vc/base64.h"
#include "vc/kube/credential_providers.h"

namespace vc::cli::connect {
namespace {

// Secret data is standard base64 of the PEM text.
StatusOr<std::string> DecodeBase64(const std::string& key, const std::string& text) {
  auto decoded = vc::Base64Decode(text);
  if (!decoded) return Internal("secret key " + key + " is not valid base64");
  return *decoded;
}

}  // namespace

StatusOr<SecretCredentials> CredentialsFromSecret(const nlohmann::json& secret) {
  const nlohmann::json meta = secret.is_object() && secret.contains("metadata")
                                  ? secret["metadata"]
                                  : nlohmann::json::object();
  auto text = [](const nlohmann::json& j, const char* key) {
    return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>()
                                                                  : std::string();
  };
  const std::string where = "secret " + text(meta, "namespace") + "/" + text(meta, "name");
  const nlohmann::json data =
      secret.is_object() && secret.contains("data") ? secret["data"] : nlohmann::json::object();
  SecretCredentials out;
  for (const auto& [key, field] : {std::pair{"certificate-authority", &out.ca_data},
                                   std::pair{"client-certificate", &out.client_certificate_data},
                                   std::pair{"client-key", &out.client_key_data}}) {
    if (text(data, key).empty()) {
      return FailedPrecondition(where + " has no " + key +
                                ": the control plane has not finished writing it; check "
                                "`kubectl vc list`");
    }
    *field = text(data, key);
  }
  return out;
}

void WriteEntries(const ContextEntries& e, bool make_current, KubeconfigFile* file) {
  nlohmann::json cluster = {{"server", e.server},
                            {"certificate-authority-data", e.credentials.ca_data}};
  if (!e.tls_server_name.empty()) {
    cluster["tls-server-name"] = e.tls_server_name;
  }
  file->SetCluster(e.name, std::move(cluster));
  file->SetUser(e.name, {{"client-certificate-data", e.credentials.client_certificate_data},
                         {"client-key-data", e.credentials.client_key_data}});
  file->SetContext(e.name, {{"cluster", e.name}, {"user", e.name}, {"namespace", "default"}});
  if (make_current) {
    file->SetCurrentContext(e.name);
  }
}

void RemoveEntries(const std::string& name, KubeconfigFile* file) {
  file->RemoveContext(name);
  file->RemoveUser(name);
  file->RemoveCluster(name);
}

StatusOr<kube::RestConfig> RestConfigFor(const ContextEntries& e) {
  kube::RestConfig config;
  config.server = e.server;
  config.tls_server_name = e.tls_server_name;
  ASSIGN_OR_RETURN(config.ca_pem, DecodeBase64("certificate-authority", e.credentials.ca_data));
  kube::Credentials credentials;
  ASSIGN_OR_RETURN(credentials.client_cert_pem,
                   DecodeBase64("client-certificate", e.credentials.client_certificate_data));
  ASSIGN_OR_RETURN(credentials.client_key_pem,
                   DecodeBase64("client-key", e.credentials.client_key_data));
  config.credentials = kube::NewStaticCredentialProvider(std::move(credentials));
  config.context = e.name;
  config.origin = "virtual cluster context \"" + e.name + "\"";
  config.namespace_ = "default";
  return config;
}

}  // namespace vc::cli::connect
