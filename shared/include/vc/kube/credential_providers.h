// SPDX-License-Identifier: Apache-2.0
// The CredentialProviders (rest_config.h) that kubeconfig and in-cluster resolution hand to the
// REST client: fixed credentials, a token file re-read as it rotates, and exec plugins
// (client.authentication.k8s.io/v1 and v1beta1 ExecCredential).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vc/kube/process_runner.h"
#include "vc/kube/rest_config.h"
#include "vc/status.h"

namespace vc::kube {

// Injected so expiry and re-read intervals are testable without waiting.
using Clock = std::function<std::chrono::system_clock::time_point()>;

std::shared_ptr<CredentialProvider> NewStaticCredentialProvider(Credentials credentials);

// A bearer token goes into an HTTP header: only visible ASCII (what service-account, OIDC and
// cloud tokens are made of). Anything else (a newline, a space, a control byte) could add
// headers to the request it rides on; InvalidArgument naming `source` and the fix.
Status CheckBearerToken(std::string_view token, const std::string& source);

// Reads `path` now and again when the last read is a minute old (or on Get(true)), as client-go
// does for tokenFile and service account tokens, which the kubelet rotates. `base` supplies the
// other fields (client certificate, basic auth); a non-empty base.bearer_token is used while
// the file cannot be read, as client-go falls back to the kubeconfig `token`. Fails now when
// the file cannot be read and there is no fallback. `origin` prefixes errors.
StatusOr<std::shared_ptr<CredentialProvider>> NewTokenFileCredentialProvider(std::string path,
                                                                             Credentials base,
                                                                             std::string origin,
                                                                             Clock now);

// A kubeconfig user's `exec` stanza, resolved.
struct ExecConfig {
  std::string api_version;  // client.authentication.k8s.io/v1 or /v1beta1
  std::string command;      // made absolute when it held a '/' (relative to the kubeconfig)
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;  // added to (and overriding) base_env
  std::string install_hint;
  bool provide_cluster_info = false;
  std::string interactive_mode = "IfAvailable";  // Never | IfAvailable | Always
  // spec.cluster of the request when provide_cluster_info (server, certificate-authority-data,
  // ...), as client-go fills it.
  nlohmann::json cluster;
  std::vector<std::string> base_env;  // "KEY=VALUE": the environment the plugin inherits
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};
  std::string origin;  // `user "x" in /root/.kube/config`, for errors
};

// Runs the plugin on the first Get, then again when the credential's expirationTimestamp has
// passed or on Get(true). We never have a terminal, so spec.interactive is false and
// interactiveMode Always is an error.
std::shared_ptr<CredentialProvider> NewExecCredentialProvider(ExecConfig config,
                                                              std::shared_ptr<ProcessRunner> runner,
                                                              Clock now);

}  // namespace vc::kube
