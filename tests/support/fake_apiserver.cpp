// SPDX-License-Identifier: Apache-2.0
#include "support/fake_apiserver.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <utility>

#include "support/fake_apiserver_selector.h"
#include "vc/rfc3339.h"
#include "vc/yaml.h"

namespace vc::testing {

using kube::HttpRequest;
using kube::HttpResponse;
using nlohmann::json;

namespace {

// How often a blocked watch looks at its CancelToken (the token has no callback to wake it).
constexpr std::chrono::milliseconds kWatchPoll{20};

HttpResponse Respond(int code, const json& body) {
  HttpResponse r;
  r.status = code;
  r.body = body.dump();
  r.headers["content-type"] = "application/json";
  return r;
}

// A Kubernetes Status, as the real server answers a refusal.
HttpResponse Failure(int code, const std::string& reason, const std::string& message,
                     const std::string& name = "") {
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

std::string Meta(const json& object, const char* field) {
  const json::json_pointer p("/metadata/" + std::string(field));
  return object.contains(p) && object[p].is_string() ? object[p].get<std::string>() : "";
}

std::string KeyOf(const std::string& ns, const std::string& name) { return ns + "/" + name; }

std::string StoreOf(const std::string& resource, const std::string& group) {
  return group.empty() ? resource : resource + "." + group;
}

std::string HeaderOf(const HttpRequest& request, const std::string& name) {
  for (const auto& [k, v] : request.headers) {
    if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
          return std::tolower(a) == std::tolower(b);
        })) {
      return v;
    }
  }
  return "";
}

// Everything but metadata and status: what a generation counts changes of.
json Content(json object) {
  if (object.is_object()) {
    object.erase("metadata");
    object.erase("status");
  }
  return object;
}

// The object with `status` taken from `from` (or none, when `from` has none).
json WithStatusOf(json object, const json& from) {
  if (from.contains("status")) {
    object["status"] = from["status"];
  } else {
    object.erase("status");
  }
  return object;
}

std::optional<json> ParseBody(const std::string& body, bool yaml) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_discarded()) return j;
  if (!yaml) return std::nullopt;
  auto doc = vc::yaml::Parse(body, "apply body");
  if (!doc.ok()) return std::nullopt;
  return doc->value;
}

bool WatchRequested(const std::map<std::string, std::string>& query) {
  auto it = query.find("watch");
  return it != query.end() && (it->second == "1" || it->second == "true");
}

}  // namespace

struct FakeApiServer::Target {
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

namespace {

// Parses "https://server/api/v1/namespaces/ns/pods/name/status?x=y"; false when it is no
// resource path this server knows.
template <typename TargetT>
bool ParseTarget(const HttpRequest& request, TargetT* t) {
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

}  // namespace

std::set<std::string> FakeApiServer::DefaultStatusSubresources() {
  return {"pods",
          "services",
          "persistentvolumeclaims",
          "persistentvolumes",
          "nodes",
          "namespaces",
          "resourcequotas",
          "replicationcontrollers",
          "deployments.apps",
          "statefulsets.apps",
          "daemonsets.apps",
          "replicasets.apps",
          "jobs.batch",
          "cronjobs.batch",
          "ingresses.networking.k8s.io",
          "poddisruptionbudgets.policy",
          "horizontalpodautoscalers.autoscaling",
          "customresourcedefinitions.apiextensions.k8s.io",
          "certificatesigningrequests.certificates.k8s.io"};
}

std::map<std::string, std::vector<std::string>> FakeApiServer::DefaultImmutableFields() {
  return {{"priorityclasses.scheduling.k8s.io", {"value", "preemptionPolicy"}},
          {"storageclasses.storage.k8s.io",
           {"provisioner", "parameters", "reclaimPolicy", "volumeBindingMode"}},
          {"secrets", {"type"}}};
}

FakeApiServer::FakeApiServer(std::set<std::string> status_subresources)
    : status_subresources_(std::move(status_subresources)) {}

void FakeApiServer::SetImmutableFields(const kube::Resource& resource,
                                       std::vector<std::string> fields) {
  std::lock_guard lock(mu_);
  immutable_[StoreOf(resource.resource, resource.group)] = std::move(fields);
}

bool FakeApiServer::HasStatusSubresource(const std::string& store) const {
  return status_subresources_.count(store) != 0;
}

StatusOr<HttpResponse> FakeApiServer::Do(const HttpRequest& request) { return Serve(request); }

HttpResponse FakeApiServer::Serve(const HttpRequest& request) {
  Target t;
  const bool known = ParseTarget(request, &t);
  std::lock_guard lock(mu_);
  requests_.push_back(t.line);
  if (!known) return Failure(404, "NotFound", "the server could not find the requested resource");
  if (!t.subresource.empty() && t.subresource != "status") {
    return Failure(405, "MethodNotAllowed", "the fake has no subresource " + t.subresource);
  }
  if (t.subresource == "status" && !HasStatusSubresource(t.store)) {
    return Failure(404, "NotFound", t.store + " has no status subresource");
  }
  return t.name.empty() ? ServeCollection(t, request) : ServeObject(t, request);
}

HttpResponse FakeApiServer::ServeCollection(const Target& t, const HttpRequest& request) {
  if (request.method == "GET") return ListLocked(t);
  if (request.method == "POST") {
    auto body = ParseBody(request.body, false);
    if (!body || !body->is_object()) return Failure(400, "BadRequest", "the body is no object");
    return CreateLocked(t, std::move(*body), false);
  }
  return Failure(405, "MethodNotAllowed", request.method + " on a collection");
}

HttpResponse FakeApiServer::ServeObject(const Target& t, const HttpRequest& request) {
  if (request.method == "GET") {
    auto& objects = stores_[t.store];
    auto it = objects.find(KeyOf(t.ns, t.name));
    if (it == objects.end()) {
      return Failure(404, "NotFound", t.store + " \"" + t.name + "\" not found", t.name);
    }
    return Respond(200, it->second);
  }
  if (request.method == "PUT") {
    auto body = ParseBody(request.body, false);
    if (!body || !body->is_object()) return Failure(400, "BadRequest", "the body is no object");
    return UpdateLocked(t, std::move(*body));
  }
  if (request.method == "PATCH") return PatchLocked(t, request);
  if (request.method == "DELETE") return DeleteLocked(t, request.body);
  return Failure(405, "MethodNotAllowed", request.method + " on an object");
}

HttpResponse FakeApiServer::ListLocked(const Target& t) {
  const std::string labels = t.Param("labelSelector");
  const std::string fields = t.Param("fieldSelector");
  const size_t offset = t.Param("continue").empty() ? 0 : std::stoul(t.Param("continue"));
  const size_t limit = t.Param("limit").empty() ? 0 : std::stoul(t.Param("limit"));
  json items = json::array();
  size_t seen = 0;
  std::string next;
  for (const auto& [key, object] : stores_[t.store]) {
    if (t.has_namespace && Meta(object, "namespace") != t.ns) continue;
    if (!selector::MatchesLabels(object, labels) || !selector::MatchesFields(object, fields)) {
      continue;
    }
    if (seen++ < offset) continue;
    if (limit > 0 && items.size() == limit) {
      next = std::to_string(offset + limit);
      break;
    }
    items.push_back(object);
  }
  json meta = {{"resourceVersion", std::to_string(rv_)}};
  if (!next.empty()) meta["continue"] = next;
  return Respond(200,
                 {{"kind", "List"}, {"apiVersion", "v1"}, {"metadata", meta}, {"items", items}});
}

void FakeApiServer::FillServerFieldsLocked(json* object) {
  json& meta = (*object)["metadata"];
  if (!meta.contains("uid")) meta["uid"] = "fake-uid-" + std::to_string(++uids_);
  if (!meta.contains("creationTimestamp")) {
    meta["creationTimestamp"] = vc::FormatRfc3339(std::chrono::system_clock::now());
  }
  if (!meta.contains("generation")) meta["generation"] = 1;
}

HttpResponse FakeApiServer::CreateLocked(const Target& t, json object, bool apply) {
  json& meta = object["metadata"];
  if (meta.is_null()) meta = json::object();
  if (!meta.is_object()) return Failure(400, "BadRequest", "metadata is no object");
  if (t.has_namespace) {
    if (!Meta(object, "namespace").empty() && Meta(object, "namespace") != t.ns) {
      return Failure(400, "BadRequest",
                     "the namespace of the provided object does not match the namespace sent "
                     "on the request");
    }
    meta["namespace"] = t.ns;
  } else {
    meta.erase("namespace");
  }
  if (apply) meta["name"] = t.name;
  if (Meta(object, "name").empty() && !Meta(object, "generateName").empty()) {
    meta["name"] = Meta(object, "generateName") + "fake" + std::to_string(uids_ + 1);
  }
  const std::string name = Meta(object, "name");
  if (name.empty()) {
    return Failure(422, "Invalid", t.store + " is invalid: metadata.name: Required value");
  }
  const std::string key = KeyOf(t.ns, name);
  if (stores_[t.store].count(key) != 0) {
    return Failure(409, "AlreadyExists", t.store + " \"" + name + "\" already exists", name);
  }
  if (!object.contains("apiVersion")) {
    object["apiVersion"] = t.group.empty() ? t.version : t.group + "/" + t.version;
  }
  for (const char* server_set :
       {"uid", "resourceVersion", "creationTimestamp", "generation", "deletionTimestamp"}) {
    meta.erase(server_set);
  }
  FillServerFieldsLocked(&object);
  if (t.dry_run()) return Respond(201, object);
  object["metadata"]["resourceVersion"] = std::to_string(++rv_);
  StoreLocked(t.store, key, object, "ADDED");
  return Respond(201, object);
}

HttpResponse FakeApiServer::UpdateLocked(const Target& t, json object) {
  if (Meta(object, "name") != t.name) {
    return Failure(400, "BadRequest", "the name of the object does not match the URL");
  }
  auto& objects = stores_[t.store];
  auto it = objects.find(KeyOf(t.ns, t.name));
  if (it == objects.end()) {
    return Failure(404, "NotFound", t.store + " \"" + t.name + "\" not found", t.name);
  }
  const json current = it->second;
  const std::string rv = Meta(object, "resourceVersion");
  if (!rv.empty() && rv != Meta(current, "resourceVersion")) {
    return Failure(409, "Conflict",
                   "Operation cannot be fulfilled on " + t.store + " \"" + t.name +
                       "\": the object has been modified; please apply your changes to the "
                       "latest version and try again",
                   t.name);
  }
  json next = object;
  if (t.subresource == "status") {
    next = WithStatusOf(current, object);
  } else if (HasStatusSubresource(t.store)) {
    next = WithStatusOf(std::move(next), current);
  }
  return ReplaceLocked(t, current, std::move(next));
}

HttpResponse FakeApiServer::PatchLocked(const Target& t, const HttpRequest& request) {
  const std::string type = HeaderOf(request, "Content-Type");
  const bool apply = type == "application/apply-patch+yaml";
  auto patch = ParseBody(request.body, apply);
  if (!patch) return Failure(400, "BadRequest", "the patch is neither JSON nor YAML");
  auto& objects = stores_[t.store];
  auto it = objects.find(KeyOf(t.ns, t.name));
  if (it == objects.end()) {
    if (apply && patch->is_object() && t.subresource.empty()) {
      return CreateLocked(t, std::move(*patch), true);
    }
    return Failure(404, "NotFound", t.store + " \"" + t.name + "\" not found", t.name);
  }
  const json current = it->second;
  json patched = current;
  if (type == "application/json-patch+json") {
    try {
      patched = current.patch(*patch);
    } catch (const json::exception& e) {
      return Failure(422, "Invalid", std::string("the JSON patch does not apply: ") + e.what());
    }
  } else if (type == "application/merge-patch+json" ||
             type == "application/strategic-merge-patch+json" || apply) {
    if (!patch->is_object()) return Failure(400, "BadRequest", "the patch is no object");
    const std::string rv = Meta(*patch, "resourceVersion");
    if (!rv.empty() && rv != Meta(current, "resourceVersion")) {
      return Failure(409, "Conflict", "the object has been modified", t.name);
    }
    patched.merge_patch(*patch);
  } else {
    return Failure(415, "UnsupportedMediaType", "the fake does not patch " + type);
  }
  if (t.subresource == "status") {
    patched = WithStatusOf(current, patched);
  } else if (HasStatusSubresource(t.store)) {
    patched = WithStatusOf(std::move(patched), current);
  }
  return ReplaceLocked(t, current, std::move(patched));
}

HttpResponse FakeApiServer::ReplaceLocked(const Target& t, const json& current, json next) {
  if (!next.is_object() || !next.contains("metadata") || !next["metadata"].is_object()) {
    return Failure(422, "Invalid", "the object has no metadata");
  }
  json& meta = next["metadata"];
  for (const char* kept :
       {"name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "resourceVersion"}) {
    if (current["metadata"].contains(kept)) {
      meta[kept] = current["metadata"][kept];
    } else {
      meta.erase(kept);
    }
  }
  for (const char* kept : {"apiVersion", "kind"}) {
    if (!next.contains(kept) && current.contains(kept)) next[kept] = current[kept];
  }
  if (auto fixed = immutable_.find(t.store); fixed != immutable_.end()) {
    for (const auto& field : fixed->second) {
      const json was = current.contains(field) ? current[field] : json();
      const json now = next.contains(field) ? next[field] : json();
      if (was != now) {
        return Failure(422, "Invalid",
                       t.store + " \"" + t.name + "\" is invalid: " + field +
                           ": Invalid value: field is immutable",
                       t.name);
      }
    }
  }
  int64_t generation = current["metadata"].value("generation", int64_t{1});
  if (Content(next) != Content(current)) ++generation;
  meta["generation"] = generation;
  // A write that changes nothing is no change: same resourceVersion, no watch event.
  if (next == current) return Respond(200, current);
  if (t.dry_run()) return Respond(200, next);
  const std::string key = KeyOf(t.ns, t.name);
  meta["resourceVersion"] = std::to_string(++rv_);
  if (meta.contains("deletionTimestamp") && meta.value("finalizers", json::array()).empty()) {
    // The last finalizer gone: the object goes, with one DELETED event.
    stores_[t.store][key] = next;
    EraseLocked(t.store, key);
    return Respond(200, next);
  }
  StoreLocked(t.store, key, next, "MODIFIED");
  return Respond(200, next);
}

HttpResponse FakeApiServer::DeleteLocked(const Target& t, const std::string& body) {
  auto& objects = stores_[t.store];
  auto it = objects.find(KeyOf(t.ns, t.name));
  if (it == objects.end()) {
    return Failure(404, "NotFound", t.store + " \"" + t.name + "\" not found", t.name);
  }
  json object = it->second;
  const json options = json::parse(body.empty() ? "{}" : body, nullptr, false);
  const json pre =
      options.is_object() ? options.value("preconditions", json::object()) : json::object();
  for (const char* field : {"uid", "resourceVersion"}) {
    if (pre.contains(field) && pre[field] != object["metadata"].value(field, json())) {
      return Failure(409, "Conflict",
                     std::string("Precondition failed: ") + field +
                         " in precondition: " + pre[field].dump() + ", " + field +
                         " in object meta: " + object["metadata"].value(field, json()).dump(),
                     t.name);
    }
  }
  const bool dry_run =
      t.dry_run() ||
      (options.is_object() && options.value("dryRun", json::array()) == json::array({"All"}));
  if (dry_run) return Respond(200, object);
  object["metadata"]["resourceVersion"] = std::to_string(++rv_);
  if (!object["metadata"].value("finalizers", json::array()).empty()) {
    if (!object["metadata"].contains("deletionTimestamp")) {
      object["metadata"]["deletionTimestamp"] = vc::FormatRfc3339(std::chrono::system_clock::now());
    }
    StoreLocked(t.store, it->first, object, "MODIFIED");
    return Respond(200, object);
  }
  objects.at(it->first) = object;
  EraseLocked(t.store, it->first);
  return Respond(200, object);
}

void FakeApiServer::StoreLocked(const std::string& store, const std::string& key, json object,
                                const char* type) {
  auto& objects = stores_[store];
  auto it = objects.find(key);
  json old = it == objects.end() ? json() : it->second;
  const int64_t rv = std::stoll(Meta(object, "resourceVersion"));
  objects[key] = object;
  events_.push_back({rv, store, type, std::move(object), std::move(old)});
  changed_.notify_all();
}

void FakeApiServer::EraseLocked(const std::string& store, const std::string& key) {
  auto& objects = stores_[store];
  auto it = objects.find(key);
  if (it == objects.end()) return;
  json last = it->second;
  objects.erase(it);
  // The DELETED event carries the object as it was last stored (its final resourceVersion).
  const int64_t rv = std::stoll(Meta(last, "resourceVersion"));
  events_.push_back({rv, store, "DELETED", last, last});
  changed_.notify_all();
}

StatusOr<HttpResponse> FakeApiServer::Stream(const HttpRequest& request,
                                             const kube::ChunkHandler& on_chunk,
                                             const CancelToken* cancel) {
  Target t;
  if (!ParseTarget(request, &t) || !WatchRequested(t.query) || !t.name.empty() ||
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
                                  std::chrono::seconds(std::stoll(t.Param("timeoutSeconds")));
  std::string pending;
  int64_t cursor = 0;
  {
    std::lock_guard lock(mu_);
    requests_.push_back(t.line);
    cursor = from.empty() || from == "0" ? rv_ : std::stoll(from);
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
