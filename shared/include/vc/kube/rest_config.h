// SPDX-License-Identifier: Apache-2.0
// RestConfig: everything the REST client needs to reach one API server, as resolved from a
// kubeconfig (kubeconfig.h) or from the in-cluster service account. This header is the
// contract between the kubeconfig module (which fills it) and the client (which reads it).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "vc/status.h"

namespace vc::kube {

// What authenticates a request. Empty fields are not used.
struct Credentials {
  std::string bearer_token;
  std::string client_cert_pem;  // PEM, with client_key_pem
  std::string client_key_pem;
  std::string username;  // basic auth (rare; kubeconfig user.username/password)
  std::string password;
  // When the credentials stop being valid (exec plugins, token files are re-read).
  std::optional<std::chrono::system_clock::time_point> expiry;
};

// Supplies credentials per request. Static kubeconfig data, token files (re-read, as
// client-go does, at most once a minute) and exec plugins are all providers, so the client has
// one path. Get(true) is called once after a 401 to force a refresh.
class CredentialProvider {
 public:
  virtual ~CredentialProvider() = default;
  virtual StatusOr<Credentials> Get(bool force_refresh) = 0;
};

struct RestConfig {
  std::string server;  // https://host:port[/path], no trailing slash
  std::string ca_pem;  // empty: system trust store
  bool insecure_skip_tls_verify = false;
  std::string tls_server_name;
  std::string proxy_url;  // http(s):// or socks5:// proxy, as kubeconfig proxy-url
  std::shared_ptr<CredentialProvider> credentials;  // may be null: anonymous

  // Where this came from, for error messages: `context "kind-x" in /root/.kube/config`.
  std::string origin;
  std::string context;     // context name; empty in-cluster
  std::string namespace_;  // the default namespace ("default" if the context has none)

  std::chrono::milliseconds request_timeout{30000};  // --request-timeout; 0 means none
  std::string user_agent = "kubectl-vc";
};

}  // namespace vc::kube
