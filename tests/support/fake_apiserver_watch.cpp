// SPDX-License-Identifier: Apache-2.0
// The fake API server's watches (every change after a resourceVersion, as it happens) and the
// hooks tests seed and read it with.
#include <algorithm>
#include <chrono>

#include "support/fake_apiserver.h"
#include "support/fake_apiserver_request.h"
#include "support/fake_apiserver_selector.h"
namespace vc::testing {

using fake_api::KeyOf;
using fake_api::Meta;
using fake_api::StoreOf;
using kube::HttpRequest;
using kube::HttpResponse;
using nlohmann::json;

namespace {

// How often a blocked watch looks at its CancelToken (the token has no callback to wake it).
constexpr std::chrono::milliseconds kWatchPoll{20};

bool WatchRequested(const std::map<std::string, std::string>& query) {
  auto it = query.find("watch");
  return it != query.end() && (it->second == "1" || it->second == "true");
}

}  // namespace

StatusOr<HttpResponse> FakeApiServer::Stream(const HttpRequest& request,
                                             const kube::ChunkHandler& on_chunk,
                                             const CancelToken* cancel) {
  Target t;
  if (!fake_api::ParseTarget(request, &t) || !WatchRequested(t.query) || !t.name.empty() ||
      request.method != "GET") {
    HttpResponse r = Serve(request);
    if (r.status / 100 == 2) {
      on_chunk(r.body);
      r.body.clear();
    }
    return r;
  }
  const std::string labels = t.Param("labelSelector");
  const std::string fields = t.Param("fieldSelector");
  auto matches = [&](const json& o) {
    return o.is_object() && (!t.has_namespace || Meta(o, "namespace") == t.ns) &&
           selector::MatchesLabels(o, labels) && selector::MatchesFields(o, fields);
  };
  const std::string from = t.Param("resourceVersion");
  const auto deadline = t.Param("timeoutSeconds").empty()
                            ? std::chrono::steady_clock::time_point::max()
                            : std::chrono::steady_clock::now() +
                                  std::chrono::seconds(fake_api::Number(t.Param("timeoutSeconds")));
  std::string pending;
  int64_t cursor = 0;
  {
    std::lock_guard lock(mu_);
    requests_.push_back(t.line);
    cursor = from.empty() || from == "0" ? rv_ : fake_api::Number(from);
    if (from.empty() || from == "0") {
      // No starting point: the current state first, as synthetic ADDED events.
      for (const auto& [key, object] : stores_[t.store]) {
        if (matches(object)) pending += json{{"type", "ADDED"}, {"object", object}}.dump() + "\n";
      }
    }
  }
  while (true) {
    if (!pending.empty() && !on_chunk(pending)) return HttpResponse{200, {}, ""};
    pending.clear();
    std::unique_lock lock(mu_);
    auto next = std::upper_bound(events_.begin(), events_.end(), cursor,
                                 [](int64_t rv, const Event& e) { return rv < e.rv; });
    if (next == events_.end()) {
      if (cancel != nullptr && cancel->cancelled()) return Status(Code::kCancelled, "cancelled");
      if (std::chrono::steady_clock::now() >= deadline) return HttpResponse{200, {}, ""};
      changed_.wait_for(lock, kWatchPoll);
      continue;
    }
    for (; next != events_.end(); ++next) {
      cursor = next->rv;
      if (next->store != t.store) continue;
      const bool now = matches(next->object);
      const bool before = next->type != "ADDED" && matches(next->old);
      std::string type = next->type;
      if (type == "MODIFIED" && now != before) type = now ? "ADDED" : "DELETED";
      if (type == "DELETED" ? before : now) {
        pending += json{{"type", type}, {"object", next->object}}.dump() + "\n";
      }
    }
  }
}

json FakeApiServer::Put(const kube::Resource& resource, json object) {
  std::lock_guard lock(mu_);
  const std::string store = StoreOf(resource.resource, resource.group);
  object["apiVersion"] = resource.ApiVersion();
  object["kind"] = resource.kind;
  if (!object["metadata"].is_object()) object["metadata"] = json::object();
  if (!resource.namespaced) object["metadata"].erase("namespace");
  const std::string key = KeyOf(Meta(object, "namespace"), Meta(object, "name"));
  FillServerFieldsLocked(&object);
  object["metadata"]["resourceVersion"] = std::to_string(++rv_);
  const bool exists = stores_[store].count(key) != 0;
  StoreLocked(store, key, object, exists ? "MODIFIED" : "ADDED");
  return object;
}

std::optional<json> FakeApiServer::Get(const kube::Resource& resource, const std::string& ns,
                                       const std::string& name) const {
  std::lock_guard lock(mu_);
  auto store = stores_.find(StoreOf(resource.resource, resource.group));
  if (store == stores_.end()) return std::nullopt;
  auto it = store->second.find(KeyOf(resource.namespaced ? ns : "", name));
  if (it == store->second.end()) return std::nullopt;
  return it->second;
}

std::vector<json> FakeApiServer::List(const kube::Resource& resource, const std::string& ns) const {
  std::lock_guard lock(mu_);
  std::vector<json> out;
  auto store = stores_.find(StoreOf(resource.resource, resource.group));
  if (store == stores_.end()) return out;
  for (const auto& [key, object] : store->second) {
    if (ns.empty() || Meta(object, "namespace") == ns) out.push_back(object);
  }
  return out;
}

bool FakeApiServer::Remove(const kube::Resource& resource, const std::string& ns,
                           const std::string& name) {
  std::lock_guard lock(mu_);
  const std::string store = StoreOf(resource.resource, resource.group);
  const std::string key = KeyOf(resource.namespaced ? ns : "", name);
  auto& objects = stores_[store];
  auto it = objects.find(key);
  if (it == objects.end()) return false;
  it->second["metadata"]["resourceVersion"] = std::to_string(++rv_);
  EraseLocked(store, key);
  return true;
}

std::vector<std::string> FakeApiServer::Requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

int FakeApiServer::CountRequests(const std::string& needle) const {
  std::lock_guard lock(mu_);
  return static_cast<int>(std::count_if(requests_.begin(), requests_.end(), [&](const auto& r) {
    return r.find(needle) != std::string::npos;
  }));
}

int64_t FakeApiServer::ResourceVersion() const {
  std::lock_guard lock(mu_);
  return rv_;
}

}  // namespace vc::testing
