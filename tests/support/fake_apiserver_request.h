// SPDX-License-Identifier: Apache-2.0
// What the fake API server's files (fake_apiserver.cpp, fake_apiserver_watch.cpp) share: a
// request's target parsed from its URL, and the shape of its answers. Not for tests to use.
#pragma once

#include <charconv>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "vc/kube/http.h"

namespace vc::testing::fake_api {

// What a request addresses: /api/v1[/namespaces/NS]/RESOURCE[/NAME[/SUB]]?QUERY or the same
// under /apis/GROUP/VERSION.
struct Target {
  std::string group, version, resource, store;
  bool has_namespace = false;
  std::string ns, name, subresource;
  std::map<std::string, std::string> query;
  std::string line;  // "METHOD /path?query", for the request log

  std::string Param(const std::string& key) const {
    auto it = query.find(key);
    return it == query.end() ? "" : it->second;
  }
  bool dry_run() const { return Param("dryRun") == "All"; }
};

// Parses "https://server/api/v1/namespaces/ns/pods/name/status?x=y"; false when it is no
// resource path this server knows (t->line is set either way).
bool ParseTarget(const kube::HttpRequest& request, Target* t);

kube::HttpResponse Respond(int code, const nlohmann::json& body);
// A Kubernetes Status, as the real server answers a refusal.
kube::HttpResponse Failure(int code, const std::string& reason, const std::string& message,
                           const std::string& name = "");

// metadata.FIELD as a string, or "".
std::string Meta(const nlohmann::json& object, const char* field);
// The key of an object in its store: "ns/name" ("/name" when cluster-scoped).
inline std::string KeyOf(const std::string& ns, const std::string& name) { return ns + "/" + name; }
// The store of a resource: "resource.group", or "resource" in the core group.
inline std::string StoreOf(const std::string& resource, const std::string& group) {
  return group.empty() ? resource : resource + "." + group;
}

// A decimal number of a query parameter or resourceVersion; `fallback` when it is none.
inline int64_t Number(const std::string& text, int64_t fallback = 0) {
  int64_t n = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), n);
  return error == std::errc() && end == text.data() + text.size() ? n : fallback;
}

}  // namespace vc::testing::fake_api
