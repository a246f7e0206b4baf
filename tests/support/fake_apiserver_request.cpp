// SPDX-License-Identifier: Apache-2.0
#include "support/fake_apiserver_request.h"

#include <algorithm>
#include <string_view>
#include <vector>

namespace vc::testing::fake_api {

using kube::HttpRequest;
using kube::HttpResponse;
using nlohmann::json;

namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string Unescape(std::string_view s, bool plus_is_space) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexDigit(s[i + 1]) >= 0 && HexDigit(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexDigit(s[i + 1]) * 16 + HexDigit(s[i + 2])));
      i += 2;
    } else {
      out.push_back(plus_is_space && s[i] == '+' ? ' ' : s[i]);
    }
  }
  return out;
}

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t end = std::min(s.find(sep, start), s.size());
    if (end > start) out.emplace_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

HttpResponse Respond(int code, const json& body) {
  HttpResponse r;
  r.status = code;
  r.body = body.dump();
  r.headers["content-type"] = "application/json";
  return r;
}

HttpResponse Failure(int code, const std::string& reason, const std::string& message,
                     const std::string& name) {
  json details = json::object();
  if (!name.empty()) details["name"] = name;
  return Respond(code, {{"kind", "Status"},
                        {"apiVersion", "v1"},
                        {"metadata", json::object()},
                        {"status", "Failure"},
                        {"message", message},
                        {"reason", reason},
                        {"details", details},
                        {"code", code}});
}

std::string Meta(const json& object, const char* field) {
  const json::json_pointer p("/metadata/" + std::string(field));
  return object.contains(p) && object[p].is_string() ? object[p].get<std::string>() : "";
}

bool ParseTarget(const HttpRequest& request, Target* t) {
  std::string_view url = request.url;
  if (auto scheme = url.find("://"); scheme != std::string_view::npos) {
    url.remove_prefix(std::min(url.find('/', scheme + 3), url.size()));
  }
  t->line = request.method + " " + std::string(url);
  const size_t q = url.find('?');
  for (const auto& pair : Split(q == std::string_view::npos ? "" : url.substr(q + 1), '&')) {
    const size_t eq = pair.find('=');
    t->query[Unescape(pair.substr(0, eq), true)] =
        eq == std::string::npos ? "" : Unescape(pair.substr(eq + 1), true);
  }
  std::vector<std::string> seg = Split(url.substr(0, q), '/');
  for (auto& s : seg) s = Unescape(s, false);
  size_t at = 0;
  if (seg.size() >= 2 && seg[0] == "api") {
    t->version = seg[1];
    at = 2;
  } else if (seg.size() >= 3 && seg[0] == "apis") {
    t->group = seg[1];
    t->version = seg[2];
    at = 3;
  } else {
    return false;
  }
  std::vector<std::string> rest(seg.begin() + static_cast<long>(at), seg.end());
  // namespaces/NS/RESOURCE...; but namespaces/NAME/status is the Namespace's own status.
  if (rest.size() >= 3 && rest[0] == "namespaces" &&
      !(rest.size() == 3 && (rest[2] == "status" || rest[2] == "finalize"))) {
    t->has_namespace = true;
    t->ns = rest[1];
    rest.erase(rest.begin(), rest.begin() + 2);
  }
  if (rest.empty() || rest.size() > 3) return false;
  t->resource = rest[0];
  if (rest.size() > 1) t->name = rest[1];
  if (rest.size() > 2) t->subresource = rest[2];
  t->store = StoreOf(t->resource, t->group);
  return true;
}

}  // namespace vc::testing::fake_api
