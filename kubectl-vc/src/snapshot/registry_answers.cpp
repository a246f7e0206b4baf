// SPDX-License-Identifier: Apache-2.0
#include "vc/cli/snapshot/registry_answers.h"

#include <cctype>
#include <nlohmann/json.hpp>

#include "vc/base64.h"
#include "vc/kube/resource.h"
#include "vc/snapshot/archive.h"
#include "vc/utf8.h"

namespace vc::cli::snapshot {
namespace {

using nlohmann::json;

// The string member `key` of `object`, "" when absent or of another type.
std::string Text(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool IsHttpUrl(const std::string& url) {
  if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) return false;
  for (unsigned char c : url) {
    if (c <= 0x20 || c >= 0x7f) return false;  // no spaces, controls or raw non-ASCII
  }
  return true;
}

Status NotASnapshot(const std::string& url, const std::string& why) {
  return InvalidArgument(url + " is not a kubectl-vc snapshot: its manifest " + why);
}

}  // namespace

std::optional<RegistryCredentials> CredentialsFromDockerConfig(const std::string& text,
                                                               const std::string& registry,
                                                               const std::string& source) {
  const json doc = json::parse(text, nullptr, false);
  if (!doc.is_object()) return std::nullopt;
  auto auths = doc.find("auths");
  if (auths == doc.end() || !auths->is_object()) return std::nullopt;
  for (const std::string& key :
       {registry, "https://" + registry, "http://" + registry, "https://" + registry + "/v2/"}) {
    auto entry = auths->find(key);
    if (entry == auths->end() || !entry->is_object()) continue;
    RegistryCredentials c{Text(*entry, "username"), Text(*entry, "password"), source};
    if (const std::string auth = Text(*entry, "auth"); !auth.empty()) {
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

AuthChallenge ParseAuthChallenge(const std::string& header) {
  AuthChallenge c;
  const size_t space = header.find(' ');
  c.scheme = header.substr(0, space);
  const std::string text = space == std::string::npos ? "" : header.substr(space);
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
    c.params[key] = value;
  }
  return c;
}

StatusOr<std::string> TokenUrl(const AuthChallenge& challenge, const std::string& repository,
                               const std::string& registry) {
  auto realm = challenge.params.find("realm");
  if (realm == challenge.params.end() || realm->second.empty()) {
    return InvalidArgument("registry " + registry + ": Bearer challenge without a realm");
  }
  // Only a token service over HTTP: a realm of file:// or another scheme libcurl speaks would
  // read or send what the registry chose.
  if (!IsHttpUrl(realm->second)) {
    return InvalidArgument("registry " + registry + ": the Bearer challenge's realm \"" +
                           utf8::Escape(utf8::Truncate(realm->second, 200)) +
                           "\" is not an http(s) URL; is this a registry?");
  }
  std::string url = realm->second + (realm->second.find('?') == std::string::npos ? "?" : "&");
  if (auto service = challenge.params.find("service");
      service != challenge.params.end() && !service->second.empty()) {
    url += "service=" + kube::PercentEncode(service->second) + "&";
  }
  url += "scope=" + kube::PercentEncode("repository:" + repository + ":pull,push");
  return url;
}

StatusOr<std::string> ParseTokenAnswer(const std::string& body, const std::string& registry) {
  const json doc = json::parse(body, nullptr, false);
  if (!doc.is_object()) {
    return InvalidArgument("registry " + registry +
                           ": the token service's answer is not a JSON object");
  }
  std::string token;
  for (const char* key : {"token", "access_token"}) {
    auto it = doc.find(key);
    if (it == doc.end() || it->is_null()) continue;
    if (!it->is_string()) {
      return InvalidArgument("registry " + registry + ": the token service answered " + key +
                             " as " + it->type_name() + ", expected a string");
    }
    token = it->get<std::string>();
    if (!token.empty()) break;
  }
  if (token.empty()) {
    return InvalidArgument("registry " + registry + ": the token service answered without a token");
  }
  // RFC 6750's b64token, loosely: printable ASCII without spaces. Anything else would end
  // up raw in the Authorization header of every request.
  for (unsigned char c : token) {
    if (c <= 0x20 || c >= 0x7f) {
      return InvalidArgument("registry " + registry +
                             ": the token service's token holds characters a bearer token "
                             "cannot (spaces, control characters or non-ASCII)");
    }
  }
  return token;
}

std::string RegistryErrorDetail(const std::string& body) {
  std::string detail;
  const json doc = json::parse(body, nullptr, false);
  if (doc.is_object() && doc.contains("errors") && doc["errors"].is_array()) {
    for (const auto& e : doc["errors"]) {
      if (!e.is_object()) continue;
      if (!detail.empty()) detail += "; ";
      detail += Text(e, "code") + ": " + Text(e, "message");
    }
  }
  if (detail.empty()) detail = body;
  if (detail.size() > 300) detail = std::string(utf8::Truncate(detail, 300)) + "...";
  return utf8::Escape(detail);
}

bool IsDigest(const std::string& text) {
  // algorithm ([a-z0-9]+ joined by + . _ -) ":" encoded ([A-Za-z0-9=_-]+)
  const size_t colon = text.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return false;
  bool after_separator = true;
  for (size_t i = 0; i < colon; ++i) {
    const char c = text[i];
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      after_separator = false;
    } else if ((c == '+' || c == '.' || c == '_' || c == '-') && !after_separator) {
      after_separator = true;
    } else {
      return false;
    }
  }
  if (after_separator) return false;
  for (size_t i = colon + 1; i < text.size(); ++i) {
    const char c = text[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '=' && c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

StatusOr<SnapshotManifest> ParseSnapshotManifest(const std::string& body, const std::string& url) {
  const json manifest = json::parse(body, nullptr, false);
  if (!manifest.is_object()) return NotASnapshot(url, "is not a JSON object");
  auto config = manifest.find("config");
  auto layers = manifest.find("layers");
  if (config == manifest.end() || !config->is_object() ||
      Text(*config, "mediaType") != vc::snapshot::kMediaTypeConfig) {
    return NotASnapshot(url,
                        std::string("has no config of type ") + vc::snapshot::kMediaTypeConfig);
  }
  if (layers == manifest.end() || !layers->is_array()) {
    return NotASnapshot(url, "has no list of layers");
  }
  SnapshotManifest m;
  m.config_digest = Text(*config, "digest");
  if (!IsDigest(m.config_digest)) {
    return NotASnapshot(url, "names its config blob by \"" +
                                 utf8::Escape(utf8::Truncate(m.config_digest, 100)) +
                                 "\", which is not a digest (algorithm:hex)");
  }
  for (const json& layer : *layers) {
    if (!layer.is_object() || Text(layer, "mediaType") != vc::snapshot::kMediaTypeArchive) {
      continue;
    }
    m.archive_digest = Text(layer, "digest");
    if (!IsDigest(m.archive_digest)) {
      return NotASnapshot(url, "names its snapshot layer by \"" +
                                   utf8::Escape(utf8::Truncate(m.archive_digest, 100)) +
                                   "\", which is not a digest (algorithm:hex)");
    }
    auto size = layer.find("size");
    if (size != layer.end() && !size->is_null()) {
      if (!size->is_number_unsigned() &&
          !(size->is_number_integer() && size->get<int64_t>() >= 0)) {
        return NotASnapshot(url, "gives the snapshot layer's size as " +
                                     std::string(size->type_name()) +
                                     ", expected a whole number of bytes");
      }
      m.archive_size = size->get<uint64_t>();
    }
    m.has_archive = true;
    break;
  }
  return m;
}

}  // namespace vc::cli::snapshot
