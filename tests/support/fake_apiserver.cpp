// SPDX-License-Identifier: Apache-2.0
// The fake API server's answers to reads and writes; watches and test hooks are in
// fake_apiserver_watch.cpp.
#include "support/fake_apiserver.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <utility>

#include "support/fake_apiserver_request.h"
#include "support/fake_apiserver_selector.h"
#include "vc/rfc3339.h"
#include "vc/yaml.h"

namespace vc::testing {

using fake_api::Failure;
using fake_api::KeyOf;
using fake_api::Meta;
using fake_api::Respond;
using fake_api::StoreOf;
using kube::HttpRequest;
using kube::HttpResponse;
using nlohmann::json;

namespace {

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
  const bool known = fake_api::ParseTarget(request, &t);
  std::lock_guard lock(mu_);
  requests_.push_back(t.line);
  if (!known) return Failure(404, "NotFound", "the server could not find the requested resource");
  if (t.subresource == "binding" && t.store == "pods" && request.method == "POST") {
    return BindLocked(t, request.body);
  }
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
    return UpdateLocked(t, *body);
  }
  if (request.method == "PATCH") return PatchLocked(t, request);
  if (request.method == "DELETE") return DeleteLocked(t, request.body);
  return Failure(405, "MethodNotAllowed", request.method + " on an object");
}

HttpResponse FakeApiServer::ListLocked(const Target& t) {
  const std::string labels = t.Param("labelSelector");
  const std::string fields = t.Param("fieldSelector");
  const size_t offset =
      t.Param("continue").empty() ? 0 : static_cast<size_t>(fake_api::Number(t.Param("continue")));
  const size_t limit =
      t.Param("limit").empty() ? 0 : static_cast<size_t>(fake_api::Number(t.Param("limit")));
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

HttpResponse FakeApiServer::UpdateLocked(const Target& t, const json& object) {
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

// What the API server's pod binding does: spec.nodeName set once (409 when the pod has a node
// or another uid than the Binding names) and the condition PodScheduled=True.
HttpResponse FakeApiServer::BindLocked(const Target& t, const std::string& body) {
  auto binding = ParseBody(body, false);
  if (!binding || !binding->is_object()) return Failure(400, "BadRequest", "the body is no object");
  const std::string node = binding->value("target", json::object()).value("name", "");
  if (node.empty()) return Failure(422, "Invalid", "binding: target.name: Required value");
  auto& objects = stores_[t.store];
  auto it = objects.find(KeyOf(t.ns, t.name));
  if (it == objects.end()) {
    return Failure(404, "NotFound", t.store + " \"" + t.name + "\" not found", t.name);
  }
  const json current = it->second;
  const std::string uid = Meta(*binding, "uid");
  if (!uid.empty() && uid != Meta(current, "uid")) {
    return Failure(409, "Conflict", "Precondition failed: UID in precondition: " + uid, t.name);
  }
  const std::string bound = current.value("spec", json::object()).value("nodeName", "");
  if (!bound.empty()) {
    return Failure(409, "Conflict",
                   "pod " + t.name + " is already assigned to node \"" + bound + "\"", t.name);
  }
  json next = current;
  next["spec"]["nodeName"] = node;
  json conditions = json::array({{{"type", "PodScheduled"}, {"status", "True"}}});
  for (const auto& c : current.value("status", json::object()).value("conditions", json::array())) {
    if (c.value("type", "") != "PodScheduled") conditions.push_back(c);
  }
  next["status"]["conditions"] = std::move(conditions);
  HttpResponse answer = ReplaceLocked(t, current, std::move(next));
  if (answer.status != 200) return answer;
  return Respond(201, {{"kind", "Status"}, {"apiVersion", "v1"}, {"status", "Success"}});
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
  const int64_t rv = fake_api::Number(Meta(object, "resourceVersion"));
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
  const int64_t rv = fake_api::Number(Meta(last, "resourceVersion"));
  events_.push_back({rv, store, "DELETED", last, last});
  changed_.notify_all();
}

}  // namespace vc::testing
