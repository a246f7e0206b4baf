// SPDX-License-Identifier: Apache-2.0
// FakeApiServer: an in-memory Kubernetes API server behind the HttpTransport interface, so a
// real kube::Client (and the informers and syncers on top of it) can run against it in unit
// tests, without a cluster. It answers what our client sends (shared/src/kube/client*.cpp):
//  - /api/v1/... and /apis/GROUP/VERSION/..., namespaced (namespaces/NS/RESOURCE[/NAME[/SUB]])
//    and cluster-scoped; a collection path without a namespace lists every namespace.
//  - GET, LIST (labelSelector: k=v, k==v, k!=v, k, !k, k in (..), k notin (..); fieldSelector on
//    any dotted path, metadata.name and metadata.namespace included; limit/continue), WATCH
//    (watch=1 from resourceVersion: every later change as it happens, until cancelled or
//    timeoutSeconds; an object leaving a watch's selector is DELETED to it, one entering ADDED;
//    bookmarks are allowed and never sent).
//  - POST (409 AlreadyExists; 422 Invalid without a name; generateName), PUT (409 Conflict on a
//    stale metadata.resourceVersion), PATCH as merge, strategic merge (treated as a merge
//    patch: lists are replaced, not merged by key), JSON patch, and apply (see below), DELETE
//    (preconditions uid/resourceVersion; finalizers hold an object with a deletionTimestamp
//    until they are removed), the status subresource, dryRun=All, a pod's binding (POST
//    pods/NAME/binding: spec.nodeName and PodScheduled=True; 409 once it has a node).
//  - Server-set metadata: uid, resourceVersion (one counter for everything), creationTimestamp,
//    generation (1, bumped when anything but metadata and status changes), the namespace of
//    the path. Errors are Kubernetes Status objects (NotFound, AlreadyExists, Conflict,
//    Invalid, BadRequest, MethodNotAllowed, UnsupportedMediaType).
//  - Top-level fields an update may not change (a PriorityClass's value, a StorageClass's
//    provisioner: DefaultImmutableFields, or SetImmutableFields): 422 Invalid, as validation
//    answers.
// Approximations, on purpose: server-side apply creates a missing object or merges the
// applied object into the existing one (no field ownership: a field left out of a later apply
// stays); no admission, defaulting or validation beyond names and immutable fields (a
// namespace need not exist); the status of a resource with a status subresource
// (status_subresources) only changes through it, and a /status write changes nothing else; a
// write that changes nothing keeps the resourceVersion and tells no watcher; history is never
// compacted (no 410). The test hooks (Put, Remove) bypass every check.
// Thread-safe: informers' watches block in Stream on their own threads.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "vc/kube/http.h"
#include "vc/kube/resource.h"

namespace vc::testing {

namespace fake_api {
struct Target;  // fake_apiserver_request.h
}  // namespace fake_api

class FakeApiServer : public kube::HttpTransport {
 public:
  // The resources whose main endpoint ignores status (it has its own subresource).
  static std::set<std::string> DefaultStatusSubresources();

  // "resource.group" -> the top-level fields of it that never change after create.
  static std::map<std::string, std::vector<std::string>> DefaultImmutableFields();

  explicit FakeApiServer(std::set<std::string> status_subresources = DefaultStatusSubresources());

  // Replaces the resource's immutable fields (none: {}).
  void SetImmutableFields(const kube::Resource& resource, std::vector<std::string> fields);

  // HttpTransport.
  StatusOr<kube::HttpResponse> Do(const kube::HttpRequest& request) override;
  StatusOr<kube::HttpResponse> Stream(const kube::HttpRequest& request,
                                      const kube::ChunkHandler& on_chunk,
                                      const CancelToken* cancel) override;

  // Test hooks. Put stores `object` as it is (created or replaced, status included), with the
  // server's metadata filled in where missing, and tells watchers; it returns what is stored.
  nlohmann::json Put(const kube::Resource& resource, nlohmann::json object);
  std::optional<nlohmann::json> Get(const kube::Resource& resource, const std::string& ns,
                                    const std::string& name) const;
  // Every object of the resource in `ns` ("": every namespace, or cluster-scoped), by name.
  std::vector<nlohmann::json> List(const kube::Resource& resource,
                                   const std::string& ns = "") const;
  // Removes the object at once (finalizers or not); false if there was none.
  bool Remove(const kube::Resource& resource, const std::string& ns, const std::string& name);

  // "METHOD /path?query" of every request so far, in order (watches included).
  std::vector<std::string> Requests() const;
  // Requests whose "METHOD /path?query" contains `needle`.
  int CountRequests(const std::string& needle) const;
  // The current resourceVersion (the last change's).
  int64_t ResourceVersion() const;

 private:
  using Target = fake_api::Target;
  struct Event {
    int64_t rv;
    std::string store;  // which collection: "resource.group"
    std::string type;   // ADDED, MODIFIED, DELETED
    nlohmann::json object;
    nlohmann::json old;  // before a MODIFIED or DELETED, for selector transitions
  };
  using Objects = std::map<std::string, nlohmann::json>;  // by "ns/name"

  kube::HttpResponse Serve(const kube::HttpRequest& request);
  kube::HttpResponse ServeObject(const Target& t, const kube::HttpRequest& request);
  kube::HttpResponse ServeCollection(const Target& t, const kube::HttpRequest& request);
  kube::HttpResponse ListLocked(const Target& t);
  kube::HttpResponse CreateLocked(const Target& t, nlohmann::json object, bool apply);
  kube::HttpResponse UpdateLocked(const Target& t, const nlohmann::json& object);
  kube::HttpResponse PatchLocked(const Target& t, const kube::HttpRequest& request);
  kube::HttpResponse DeleteLocked(const Target& t, const std::string& body);
  kube::HttpResponse BindLocked(const Target& t, const std::string& body);
  // Stores `next` in place of `current` (server fields kept, rv and generation set) unless
  // dry-run; deletes it instead when it was being deleted and has no finalizers left.
  kube::HttpResponse ReplaceLocked(const Target& t, const nlohmann::json& current,
                                   nlohmann::json next);
  void StoreLocked(const std::string& store, const std::string& key, nlohmann::json object,
                   const char* type);
  void EraseLocked(const std::string& store, const std::string& key);
  void FillServerFieldsLocked(nlohmann::json* object);
  bool HasStatusSubresource(const std::string& store) const;

  const std::set<std::string> status_subresources_;
  mutable std::mutex mu_;
  std::map<std::string, std::vector<std::string>> immutable_ = DefaultImmutableFields();
  std::condition_variable changed_;
  int64_t rv_ = 0;
  int64_t uids_ = 0;
  std::map<std::string, Objects> stores_;
  std::vector<Event> events_;
  std::vector<std::string> requests_;
};

}  // namespace vc::testing
