// SPDX-License-Identifier: Apache-2.0
// The in-cluster service account config (client-go's rest.InClusterConfig).
#include <sys/stat.h>

#include <filesystem>

#include "vc/kube/kubeconfig.h"
#include "vc/log.h"
#include "vc/read_file.h"

namespace vc::kube {
namespace {

namespace fs = std::filesystem;

std::string Env(const KubeconfigOptions& options, const std::string& key) {
  auto it = options.env.find(key);
  return it == options.env.end() ? "" : it->second;
}

fs::path AccountDir(const KubeconfigOptions& options) {
  std::string dir = Env(options, "VC_SERVICE_ACCOUNT_DIR");
  return fs::path(dir.empty() ? options.service_account_dir : dir);
}

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  size_t b = s.find_first_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b);
}

}  // namespace

bool InClusterPossible(const KubeconfigOptions& options) {
  struct stat st {};
  std::string token = (AccountDir(options) / "token").string();
  return !Env(options, "KUBERNETES_SERVICE_HOST").empty() &&
         !Env(options, "KUBERNETES_SERVICE_PORT").empty() && ::stat(token.c_str(), &st) == 0 &&
         !S_ISDIR(st.st_mode);
}

StatusOr<RestConfig> InClusterRestConfig(const KubeconfigOptions& options) {
  std::string host = Env(options, "KUBERNETES_SERVICE_HOST");
  std::string port = Env(options, "KUBERNETES_SERVICE_PORT");
  if (host.empty() || port.empty()) {
    return FailedPrecondition(
        "load in-cluster config: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set; "
        "run inside a pod or pass --kubeconfig");
  }
  fs::path dir = AccountDir(options);
  RestConfig rc;
  // IPv6 service addresses need brackets in a URL.
  rc.server =
      "https://" + (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + port;
  rc.origin = "in-cluster service account (" + dir.string() + ")";
  auto provider = NewTokenFileCredentialProvider((dir / "token").string(), Credentials{},
                                                 "load in-cluster config", options.now);
  if (!provider.ok()) return provider.status();
  rc.credentials = *provider;
  auto ca = ReadWholeFile((dir / "ca.crt").string());
  if (ca.ok()) {
    rc.ca_pem = *ca;
  } else {
    // client-go goes on with the system trust store; say why TLS may fail later.
    VC_LOG(Warning) << "load in-cluster config: " << ca.status().message()
                    << "; using the system trust store";
  }
  rc.namespace_ = options.namespace_;
  if (rc.namespace_.empty()) rc.namespace_ = Env(options, "POD_NAMESPACE");
  if (rc.namespace_.empty()) {
    auto ns = ReadWholeFile((dir / "namespace").string());
    if (ns.ok()) rc.namespace_ = Trimmed(*ns);
  }
  if (rc.namespace_.empty()) rc.namespace_ = "default";
  return rc;
}

}  // namespace vc::kube
