// SPDX-License-Identifier: Apache-2.0
// Requests to one OCI registry (distribution spec v1.1) with its authentication: anonymous
// first; on a 401 challenge Basic (credentials from docker's config.json) or Bearer (a token
// from the challenge's realm for this repository's pull,push scope, fetched with those
// credentials when there are any). Errors say which registry, what was refused and why.
#pragma once

#include <optional>
#include <string>

#include "vc/cli/snapshot/http_call.h"
#include "vc/cli/snapshot/registry_answers.h"
#include "vc/cli/snapshot/store.h"

namespace vc::cli::snapshot {

// From $DOCKER_CONFIG/config.json, else ~/.docker/config.json: auths[REGISTRY] ("auth":
// base64 user:pass, or "username"/"password"; keys with or without https://).
std::optional<RegistryCredentials> DockerConfigCredentials(const kube::Environment& env,
                                                           const std::string& registry);

class RegistryClient {
 public:
  RegistryClient(Location location, StoreOptions options);

  std::string BaseUrl() const;  // scheme://registry/v2/REPOSITORY
  // `url`: absolute, or a path below BaseUrl(). Adds auth and TLS settings; answers a 401 once
  // by authenticating and retrying (so streamed request bodies must not be used on the first
  // request to a registry).
  StatusOr<HttpResponse> Do(HttpCall call);
  // Turns a non-2xx answer into a Status about `what` ("push the snapshot blob").
  Status Explain(const HttpResponse& response, const std::string& what) const;
  const Location& location() const { return location_; }

 private:
  Status Authenticate(const std::string& challenge);
  Location location_;
  StoreOptions options_;
  std::optional<RegistryCredentials> credentials_;
  std::string authorization_;  // the Authorization header in use, "" anonymous
  bool tried_credentials_ = false;
};

}  // namespace vc::cli::snapshot
