// SPDX-License-Identifier: Apache-2.0
// The kubeconfig entries of one virtual-cluster connection: a cluster, a user and a context, all
// named ContextName(...), built from host Secret vc-NAME. Pure: values in, values out; the
// caller decides whether they go into the user's kubeconfig file, a temporary file or stdout.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "vc/cli/connect/kubeconfig_file.h"
#include "vc/kube/rest_config.h"
#include "vc/status.h"

namespace vc::cli::connect {

// What Secret vc-NAME holds, still base64 as in the Secret's data (which is exactly what the
// kubeconfig *-data fields want).
struct SecretCredentials {
  std::string ca_data;
  std::string client_certificate_data;
  std::string client_key_data;
};

// From a Secret object; FailedPrecondition naming the missing key when one is absent.
StatusOr<SecretCredentials> CredentialsFromSecret(const nlohmann::json& secret);

struct ContextEntries {
  std::string name;             // cluster, user and context name
  std::string server;           // https://host:port
  std::string tls_server_name;  // empty: the host of `server`
  SecretCredentials credentials;
};

// Adds (or replaces) the three entries; with `make_current`, also current-context.
void WriteEntries(const ContextEntries& entries, bool make_current, KubeconfigFile* file);

// What the REST client needs to reach the same endpoint with the same credentials (connect
// polls /version with it before handing the context to the user).
StatusOr<kube::RestConfig> RestConfigFor(const ContextEntries& entries);

// Removes the three entries named `name`; the others stay as they were.
void RemoveEntries(const std::string& name, KubeconfigFile* file);

}  // namespace vc::cli::connect
