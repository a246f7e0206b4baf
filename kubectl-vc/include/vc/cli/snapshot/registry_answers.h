// SPDX-License-Identifier: Apache-2.0
// What kubectl-vc reads from an OCI registry and its token service, and from docker's
// config.json: pure functions over the bytes, so every answer a registry (or whoever stands
// in for it) can give is checked before it becomes a URL, a header or a message. RegistryClient
// and the OCI store call them; tests/fuzz/oci_registry_fuzzer.cpp feeds them anything.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "vc/status.h"

namespace vc::cli::snapshot {

struct RegistryCredentials {
  std::string username;
  std::string password;
  std::string source;  // the file they came from, for messages
};

// docker's config.json text: auths[REGISTRY] ("auth": base64 user:pass, or "username" and
// "password"; keys with or without https://). nullopt when there is no usable entry.
std::optional<RegistryCredentials> CredentialsFromDockerConfig(const std::string& text,
                                                               const std::string& registry,
                                                               const std::string& source);

// A WWW-Authenticate challenge: `Bearer realm="https://auth.example/token",service="x"`.
struct AuthChallenge {
  std::string scheme;  // as written: Basic, Bearer, ...
  std::map<std::string, std::string> params;
};
AuthChallenge ParseAuthChallenge(const std::string& header);

// The token service's URL for a Bearer challenge and this repository's pull,push scope.
// InvalidArgument when the realm is missing or not an http(s) URL.
StatusOr<std::string> TokenUrl(const AuthChallenge& challenge, const std::string& repository,
                               const std::string& registry);

// The token of the token service's JSON answer ("token", else "access_token"): a string of
// the characters a bearer token may hold, so it cannot break the Authorization header.
StatusOr<std::string> ParseTokenAnswer(const std::string& body, const std::string& registry);

// What a registry's error body says, for a message: "CODE: message; ..." from the
// distribution spec's {"errors": [...]}, else the body's start. Always valid UTF-8.
std::string RegistryErrorDetail(const std::string& body);

// algorithm:encoded (the OCI digest grammar): safe to put in a URL path.
bool IsDigest(const std::string& text);

// A snapshot's image manifest: its config blob (meta.json) and its archive layer.
struct SnapshotManifest {
  std::string config_digest;
  bool has_archive = false;
  std::string archive_digest;
  uint64_t archive_size = 0;
};
// `url` names the snapshot in errors. InvalidArgument when the manifest is not JSON, is not
// a kubectl-vc snapshot's, or has members of the wrong type.
StatusOr<SnapshotManifest> ParseSnapshotManifest(const std::string& body, const std::string& url);

}  // namespace vc::cli::snapshot
