// SPDX-License-Identifier: Apache-2.0
// Merged kubeconfig + flags -> RestConfig (clientcmd's client_config.go rules; see the header).
#include "kubeconfig_internal.h"
#include "vc/base64.h"
#include "vc/log.h"

namespace vc::kube {
namespace {

using internal::EntryReader;
using nlohmann::json;

constexpr const char* kExecExtension = "client.authentication.k8s.io/exec";

std::string Names(const std::map<std::string, KubeconfigEntry>& entries) {
  if (entries.empty()) return "none";
  std::string out;
  for (const auto& [name, entry] : entries) out += (out.empty() ? "" : ", ") + name;
  return out;
}

std::string Files(const Kubeconfig& config) {
  const auto& list = config.files.empty() ? config.searched : config.files;
  std::string out;
  for (const auto& f : list) out += (out.empty() ? "" : ":") + f;
  return out.empty() ? "(no kubeconfig file)" : out;
}

std::string Quote(const std::string& s) { return "\"" + s + "\""; }

Status Fail(Code code, const std::string& message) {
  return Status(code, "load kubeconfig: " + message);
}

// What client-go's exec plugins get as spec.cluster when provideClusterInfo is set.
json ExecClusterInfo(const RestConfig& rc, const KubeconfigEntry& cluster) {
  json info = {{"server", rc.server}};
  if (!rc.tls_server_name.empty()) info["tls-server-name"] = rc.tls_server_name;
  if (rc.insecure_skip_tls_verify) info["insecure-skip-tls-verify"] = true;
  if (!rc.ca_pem.empty()) info["certificate-authority-data"] = vc::Base64Encode(rc.ca_pem);
  if (!rc.proxy_url.empty()) info["proxy-url"] = rc.proxy_url;
  auto ext = cluster.value.find("extensions");
  if (ext != cluster.value.end() && ext->is_array()) {
    for (const json& e : *ext) {
      if (e.is_object() && e.value("name", json()) == kExecExtension && e.contains("extension")) {
        info["config"] = e["extension"];
      }
    }
  }
  return info;
}

Status ReadCluster(const Kubeconfig& config, const KubeconfigEntry& entry, const std::string& name,
                   RestConfig* rc) {
  EntryReader r(config, entry, "cluster " + Quote(name) + " in " + entry.file);
  ASSIGN_OR_RETURN(std::string server, r.String("server"));
  if (server.empty()) {
    return r.Error("server", "no server is set; add the API server's https:// URL",
                   Code::kFailedPrecondition);
  }
  ASSIGN_OR_RETURN(rc->insecure_skip_tls_verify, r.Bool("insecure-skip-tls-verify"));
  ASSIGN_OR_RETURN(rc->tls_server_name, r.String("tls-server-name"));
  ASSIGN_OR_RETURN(rc->proxy_url, r.String("proxy-url"));
  // Inline data wins over the file, as in client-go's TLS setup.
  ASSIGN_OR_RETURN(rc->ca_pem, r.Pem("certificate-authority", "certificate-authority-data",
                                     /*both_is_error=*/false));
  if (rc->insecure_skip_tls_verify &&
      (r.Has("certificate-authority") || r.Has("certificate-authority-data"))) {
    return r.Error("insecure-skip-tls-verify",
                   "cannot be combined with a certificate-authority; remove one of them");
  }
  if (!rc->proxy_url.empty() && rc->proxy_url.rfind("http://", 0) != 0 &&
      rc->proxy_url.rfind("https://", 0) != 0 && rc->proxy_url.rfind("socks5://", 0) != 0) {
    return r.Error("proxy-url", Quote(rc->proxy_url) +
                                    " must start with http://, https:// or "
                                    "socks5://");
  }
  // A server without a scheme gets the one client-go would pick.
  if (server.find("://") == std::string::npos) {
    bool tls = rc->insecure_skip_tls_verify || !rc->ca_pem.empty();
    server = (tls ? "https://" : "http://") + server;
  }
  while (server.size() > 1 && server.back() == '/') server.pop_back();
  rc->server = server;
  return Status::Ok();
}

StatusOr<std::shared_ptr<CredentialProvider>> ReadUser(
    const Kubeconfig& config, const KubeconfigEntry& entry, const std::string& name,
    const KubeconfigEntry& cluster, const KubeconfigOptions& options, const RestConfig& rc) {
  EntryReader r(config, entry, "user " + Quote(name) + " in " + entry.file);
  for (const char* key : {"as", "as-uid", "as-groups", "as-user-extra"}) {
    if (r.Has(key)) {
      return r.Error(key,
                     "impersonation is not supported by kubectl vc; remove it or use a user "
                     "without it",
                     Code::kFailedPrecondition);
    }
  }
  if (r.Has("auth-provider")) {
    return r.Error("auth-provider",
                   "auth-provider plugins are not supported; use an exec "
                   "plugin (e.g. kubelogin for OIDC)",
                   Code::kFailedPrecondition);
  }
  Credentials c;
  ASSIGN_OR_RETURN(c.bearer_token, r.String("token"));
  RETURN_IF_ERROR(CheckBearerToken(c.bearer_token, r.origin() + ": user.token"));
  ASSIGN_OR_RETURN(std::string token_file, r.String("tokenFile"));
  ASSIGN_OR_RETURN(c.username, r.String("username"));
  ASSIGN_OR_RETURN(c.password, r.String("password"));
  ASSIGN_OR_RETURN(c.client_cert_pem,
                   r.Pem("client-certificate", "client-certificate-data", /*both_is_error=*/true));
  ASSIGN_OR_RETURN(c.client_key_pem, r.Pem("client-key", "client-key-data", true));
  if (!c.client_cert_pem.empty() && c.client_key_pem.empty()) {
    return r.Error("client-certificate", "has no client-key or client-key-data; add the key");
  }
  if (c.client_cert_pem.empty() && !c.client_key_pem.empty()) {
    return r.Error("client-key", "has no client-certificate or client-certificate-data; add it");
  }
  bool has_token = !c.bearer_token.empty() || !token_file.empty();
  bool has_basic = !c.username.empty() || !c.password.empty();
  if (has_token && has_basic) {
    return r.Error("username",
                   "more than one authentication method (token and basic auth); "
                   "keep only one");
  }
  auto exec = entry.value.find("exec");
  bool has_exec = exec != entry.value.end() && !exec->is_null();
  // Like client-go, explicit credentials make an exec plugin unnecessary.
  if (!has_token && !has_basic && c.client_cert_pem.empty() && has_exec) {
    ASSIGN_OR_RETURN(ExecConfig ec, internal::ReadExecConfig(r, *exec));
    if (ec.provide_cluster_info) ec.cluster = ExecClusterInfo(rc, cluster);
    for (const auto& [k, v] : options.env) ec.base_env.push_back(k + "=" + v);
    ec.timeout = options.exec_timeout;
    return NewExecCredentialProvider(std::move(ec), options.runner, options.now);
  }
  if (!token_file.empty()) {
    auto provider =
        NewTokenFileCredentialProvider(token_file, std::move(c), r.origin(), options.now);
    if (!provider.ok()) return provider.status().Annotate("load kubeconfig");
    return *provider;
  }
  if (!has_token && !has_basic && c.client_cert_pem.empty()) {
    return std::shared_ptr<CredentialProvider>();
  }
  return NewStaticCredentialProvider(std::move(c));
}

}  // namespace

bool SelectsNothing(const Kubeconfig& config, const KubeconfigOptions& options) {
  return options.context.empty() && config.current_context.empty() && options.cluster.empty();
}

StatusOr<RestConfig> ResolveRestConfig(const Kubeconfig& config, const KubeconfigOptions& options) {
  if (config.files.empty() && options.cluster.empty()) {
    return Fail(Code::kNotFound, "no kubeconfig found (looked in " + Files(config) +
                                     "); set KUBECONFIG or pass --kubeconfig");
  }
  RestConfig rc;
  const KubeconfigEntry* context = nullptr;
  rc.context = options.context.empty() ? config.current_context : options.context;
  if (!rc.context.empty()) {
    auto it = config.contexts.find(rc.context);
    if (it == config.contexts.end() && !options.context.empty()) {
      return Fail(Code::kNotFound, "context " + Quote(rc.context) + " not found in " +
                                       Files(config) + " (contexts: " + Names(config.contexts) +
                                       "); pass --context with one of them");
    }
    if (it == config.contexts.end()) {
      return Fail(Code::kNotFound,
                  "current-context " + Quote(rc.context) + " of " + config.current_context_file +
                      " not found (contexts: " + Names(config.contexts) +
                      "); run kubectl config use-context with one of them or pass --context");
    }
    context = &it->second;
  }
  KubeconfigEntry no_context;
  EntryReader ctx(config, context ? *context : no_context,
                  "context " + Quote(rc.context) + " in " + (context ? context->file : ""));

  ASSIGN_OR_RETURN(std::string cluster_name, ctx.String("cluster"));
  if (!options.cluster.empty()) cluster_name = options.cluster;
  if (cluster_name.empty()) {
    return Fail(Code::kFailedPrecondition,
                context ? ctx.origin() + " names no cluster; set its cluster or pass --cluster"
                        : "no context selected in " + Files(config) + " (contexts: " +
                              Names(config.contexts) + "); pass --context or set current-context");
  }
  auto cluster = config.clusters.find(cluster_name);
  if (cluster == config.clusters.end()) {
    return Fail(Code::kNotFound,
                options.cluster.empty()
                    ? ctx.origin() + " names cluster " + Quote(cluster_name) +
                          ", which does not exist (clusters: " + Names(config.clusters) +
                          "); fix the context or pass --cluster"
                    : "cluster " + Quote(cluster_name) + " not found in " + Files(config) +
                          " (clusters: " + Names(config.clusters) +
                          "); pass --cluster with one of them");
  }
  RETURN_IF_ERROR(ReadCluster(config, cluster->second, cluster_name, &rc));

  ASSIGN_OR_RETURN(std::string user_name, ctx.String("user"));
  if (!options.user.empty()) user_name = options.user;
  const KubeconfigEntry* user = nullptr;
  if (!user_name.empty()) {
    auto it = config.users.find(user_name);
    if (it != config.users.end()) {
      user = &it->second;
    } else if (!options.user.empty()) {
      return Fail(Code::kNotFound, "user " + Quote(user_name) + " not found in " + Files(config) +
                                       " (users: " + Names(config.users) +
                                       "); pass --user with one of them");
    } else {
      VC_LOG(Warning) << ctx.origin() << " names user " << Quote(user_name)
                      << ", which does not exist; connecting without credentials";
    }
  }
  // client-go attaches credentials only to TLS transports; so do we.
  bool tls =
      rc.server.rfind("https://", 0) == 0 || !rc.ca_pem.empty() || rc.insecure_skip_tls_verify;
  if (user != nullptr && tls) {
    ASSIGN_OR_RETURN(rc.credentials,
                     ReadUser(config, *user, user_name, cluster->second, options, rc));
  }

  ASSIGN_OR_RETURN(rc.namespace_, ctx.String("namespace"));
  if (!options.namespace_.empty()) rc.namespace_ = options.namespace_;
  if (rc.namespace_.empty()) rc.namespace_ = "default";
  rc.origin =
      context ? ctx.origin() : "cluster " + Quote(cluster_name) + " in " + cluster->second.file;
  return rc;
}

StatusOr<RestConfig> LoadRestConfig(const KubeconfigOptions& options) {
  ASSIGN_OR_RETURN(Kubeconfig config, LoadKubeconfig(options));
  if (SelectsNothing(config, options) && InClusterPossible(options)) {
    return InClusterRestConfig(options);
  }
  return ResolveRestConfig(config, options);
}

}  // namespace vc::kube
