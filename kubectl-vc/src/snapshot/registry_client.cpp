// SPDX-License-Identifier: Apache-2.0
#include "vc/cli/snapshot/registry_client.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "vc/base64.h"
#include "vc/log.h"

namespace vc::cli::snapshot {
namespace {

using nlohmann::json;

std::string EnvValue(const kube::Environment& env, const std::string& key) {
  auto it = env.find(key);
  return it == env.end() ? "" : it->second;
}

// key="value",key2="value2" of a WWW-Authenticate challenge after its scheme.
std::map<std::string, std::string> ChallengeParams(const std::string& text) {
  std::map<std::string, std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == ',')) ++i;
    const auto eq = text.find('=', i);
    if (eq == std::string::npos) break;
    std::string key = text.substr(i, eq - i);
    std::string value;
    i = eq + 1;
    if (i < text.size() && text[i] == '"') {
      const auto close = text.find('"', i + 1);
      value = text.substr(i + 1, close == std::string::npos ? std::string::npos : close - i - 1);
      i = close == std::string::npos ? text.size() : close + 1;
    } else {
      const auto comma = text.find(',', i);
      value = text.substr(i, comma == std::string::npos ? std::string::npos : comma - i);
      i = comma == std::string::npos ? text.size() : comma;
    }
    out[key] = value;
  }
  return out;
}

std::string UrlEncode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
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
  const json doc = json::parse(text.str(), nullptr, false);
  if (!doc.is_object() || !doc.contains("auths") || !doc["auths"].is_object()) return std::nullopt;
  for (const std::string& key :
       {registry, "https://" + registry, "http://" + registry, "https://" + registry + "/v2/"}) {
    if (!doc["auths"].contains(key)) continue;
    const json& entry = doc["auths"][key];
    RegistryCredentials c{entry.value("username", ""), entry.value("password", ""), path};
    if (const std::string auth = entry.value("auth", ""); !auth.empty()) {
      auto decoded = Base64Decode(auth);
      if (!decoded) continue;
      const auto colon = decoded->find(':');
      if (colon == std::string::npos) continue;
      c.username = decoded->substr(0, colon);
      c.password = decoded->substr(colon + 1);
    }
    if (!c.username.empty()) return c;
  }
  return std::nullopt;
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
  const std::string scheme = challenge.substr(0, challenge.find(' '));
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
    auto params = ChallengeParams(challenge.substr(scheme.size()));
    const std::string realm = params["realm"];
    if (realm.empty())
      return Internal("registry " + location_.registry + ": Bearer challenge without a realm");
    std::string url = realm + (realm.find('?') == std::string::npos ? "?" : "&");
    if (!params["service"].empty()) url += "service=" + UrlEncode(params["service"]) + "&";
    url += "scope=" + UrlEncode("repository:" + location_.repository + ":pull,push");
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
    const json doc = json::parse(r.body, nullptr, false);
    std::string token = doc.is_object() ? doc.value("token", doc.value("access_token", "")) : "";
    if (token.empty())
      return Internal("registry " + location_.registry +
                      ": the token service answered without a token");
    authorization_ = "Bearer " + token;
    return Status::Ok();
  }
  return Status(Code::kUnauthorized,
                "registry " + location_.registry +
                    " wants authentication this client does not speak: " + challenge);
}

Status RegistryClient::Explain(const HttpResponse& r, const std::string& what) const {
  std::string detail;
  const json doc = json::parse(r.body, nullptr, false);
  if (doc.is_object() && doc.contains("errors") && doc["errors"].is_array()) {
    for (const auto& e : doc["errors"]) {
      if (!detail.empty()) detail += "; ";
      detail += e.value("code", "") + ": " + e.value("message", "");
    }
  }
  if (detail.empty()) detail = r.body.substr(0, 300);
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

StatusOr<std::string> ManifestBlobDigest(const nlohmann::json& descriptor,
                                         const std::string& url) {
  auto it = descriptor.is_object() ? descriptor.find("digest") : descriptor.end();
  const std::string digest =
      it != descriptor.end() && it->is_string() ? it->get<std::string>() : std::string();
  bool ok = digest.size() == 7 + 64 && digest.rfind("sha256:", 0) == 0;
  for (size_t i = 7; ok && i < digest.size(); ++i) {
    ok = (digest[i] >= '0' && digest[i] <= '9') || (digest[i] >= 'a' && digest[i] <= 'f');
  }
  if (!ok) {
    return InvalidArgument(url + ": the manifest names a blob by \"" + digest.substr(0, 80) +
                           "\", which is not a sha256 digest (the registry's copy is damaged; "
                           "push the snapshot again)");
  }
  return digest;
}

}  // namespace vc::cli::snapshot
