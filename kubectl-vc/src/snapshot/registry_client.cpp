// SPDX-License-Identifier: Apache-2.0
#include "vc/cli/snapshot/registry_client.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "vc/base64.h"
#include "vc/log.h"
#include "vc/utf8.h"

namespace vc::cli::snapshot {
namespace {

using nlohmann::json;

std::string EnvValue(const kube::Environment& env, const std::string& key) {
  auto it = env.find(key);
  return it == env.end() ? "" : it->second;
}

}  // namespace

std::optional<RegistryCredentials> DockerConfigCredentials(const kube::Environment& env,
                                                           const std::string& registry) {
  std::string dir = EnvValue(env, "DOCKER_CONFIG");
  if (dir.empty()) dir = EnvValue(env, "HOME") + "/.docker";
  const std::string path = dir + "/config.json";
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return CredentialsFromDockerConfig(text.str(), registry, path);
}

RegistryClient::RegistryClient(Location location, StoreOptions options)
    : location_(std::move(location)), options_(std::move(options)) {
  credentials_ = DockerConfigCredentials(options_.env, location_.registry);
}

std::string RegistryClient::BaseUrl() const {
  return std::string(options_.plain_http ? "http://" : "https://") + location_.registry + "/v2/" +
         location_.repository;
}

StatusOr<HttpResponse> RegistryClient::Do(HttpCall call) {
  if (call.url.find("://") == std::string::npos) {
    // Locations the registry returns may be absolute paths ("/v2/..."): keep its origin.
    call.url = call.url.rfind("/v2/", 0) == 0 ? Origin(BaseUrl()) + call.url : BaseUrl() + call.url;
  }
  call.tls.insecure = options_.insecure;
  call.tls.ca_file = options_.ca_file;
  std::vector<std::string> base_headers = call.headers;
  for (int attempt = 0; attempt < 2; ++attempt) {
    call.headers = base_headers;
    if (!authorization_.empty()) call.headers.push_back("Authorization: " + authorization_);
    ASSIGN_OR_RETURN(HttpResponse r, Perform(call));
    if (r.status != 401 || attempt == 1) return r;
    if (!authorization_.empty() && tried_credentials_) return r;  // refused what we sent
    RETURN_IF_ERROR(Authenticate(r.Header("www-authenticate")));
  }
  return Internal("unreachable");
}

Status RegistryClient::Authenticate(const std::string& challenge) {
  const AuthChallenge parsed = ParseAuthChallenge(challenge);
  const std::string& scheme = parsed.scheme;
  tried_credentials_ = true;
  if (scheme == "Basic" || scheme == "basic") {
    if (!credentials_) {
      return Status(
          Code::kUnauthorized,
          "registry " + location_.registry +
              " wants a user name and password, and "
              "there are none for it in docker's config.json (log in with `docker login " +
              location_.registry + "` or add auths[\"" + location_.registry +
              "\"] to $DOCKER_CONFIG/config.json)");
    }
    authorization_ = "Basic " + Base64Encode(credentials_->username + ":" + credentials_->password);
    return Status::Ok();
  }
  if (scheme == "Bearer" || scheme == "bearer") {
    ASSIGN_OR_RETURN(std::string url, TokenUrl(parsed, location_.repository, location_.registry));
    const std::string realm = parsed.params.at("realm");
    HttpCall token_call;
    token_call.url = url;
    token_call.tls.insecure = options_.insecure;
    token_call.tls.ca_file = options_.ca_file;
    if (credentials_) token_call.userpwd = credentials_->username + ":" + credentials_->password;
    ASSIGN_OR_RETURN(HttpResponse r, Perform(token_call));
    if (r.status == 401 || r.status == 403) {
      return Status(
          Code::kUnauthorized,
          "the token service of registry " + location_.registry + " (" + Origin(realm) +
              ") refused " +
              (credentials_ ? "the credentials of user " + credentials_->username + " from " +
                                  credentials_->source
                            : std::string("anonymous access (log in with docker login)")));
    }
    if (r.status / 100 != 2) return Explain(r, "get a token for " + location_.repository);
    ASSIGN_OR_RETURN(std::string token, ParseTokenAnswer(r.body, location_.registry));
    authorization_ = "Bearer " + token;
    return Status::Ok();
  }
  return Status(Code::kUnauthorized, "registry " + location_.registry +
                                         " wants authentication this client does not speak: " +
                                         utf8::Escape(utf8::Truncate(challenge, 200)));
}

Status RegistryClient::Explain(const HttpResponse& r, const std::string& what) const {
  const std::string detail = RegistryErrorDetail(r.body);
  const std::string where = "registry " + location_.registry + ": " + what + ": ";
  switch (r.status) {
    case 401:
      return Status(Code::kUnauthorized,
                    where + "the registry refused " +
                        (credentials_ ? "the credentials of user " + credentials_->username +
                                            " (from " + credentials_->source + ")"
                                      : std::string("anonymous access: log in with docker login")));
    case 403:
      return Status(Code::kForbidden,
                    where + "access denied" +
                        (credentials_ ? " for user " + credentials_->username : "") + " (" +
                        detail + ")");
    case 404:
      return NotFound(where + "not found (" + detail + ")");
    default:
      return Status(r.status >= 500 ? Code::kUnavailable : Code::kInternal,
                    where + "HTTP " + std::to_string(r.status) + " (" + detail + ")");
  }
}

}  // namespace vc::cli::snapshot
