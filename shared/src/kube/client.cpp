// SPDX-License-Identifier: Apache-2.0
// The typed calls of Client: paths, query parameters, bodies, and which verbs are idempotent.
#include "vc/kube/client.h"

#include <utility>
#include <vector>

namespace vc::kube {
namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

std::string Describe(std::string_view verb, const Resource& r, std::string_view ns,
                     std::string_view name) {
  std::string what = std::string(verb) + " " + r.GroupResource();
  if (r.namespaced && !ns.empty()) {
    what += " " + std::string(ns) + (name.empty() ? "" : "/" + std::string(name));
  } else if (!name.empty()) {
    what += " " + std::string(name);
  }
  return what;
}

// A named object of a namespaced resource needs a namespace: an empty one would silently
// address a different URL, so it is caught here.
Status CheckScope(const Resource& r, std::string_view ns, std::string_view name,
                  const std::string& what) {
  if (r.namespaced && ns.empty()) return InvalidArgument(what + ": a namespace is required");
  if (name.empty()) return InvalidArgument(what + ": a name is required");
  return Status::Ok();
}

std::string MetadataField(const nlohmann::json& object, const char* field) {
  if (!object.is_object() || !object.contains("metadata")) return {};
  const auto& m = object["metadata"];
  if (!m.is_object() || !m.contains(field) || !m[field].is_string()) return {};
  return m[field].get<std::string>();
}

const char* PatchContentType(PatchType type) {
  switch (type) {
    case PatchType::kMerge:
      return "application/merge-patch+json";
    case PatchType::kStrategicMerge:
      return "application/strategic-merge-patch+json";
    case PatchType::kJson:
      return "application/json-patch+json";
  }
  return "application/merge-patch+json";
}

}  // namespace

StatusOr<nlohmann::json> Client::Get(const Resource& r, std::string_view ns, std::string_view name,
                                     Timeout timeout) {
  Call call;
  call.method = "GET";
  call.what = Describe("get", r, ns, name);
  RETURN_IF_ERROR(CheckScope(r, r.namespaced ? ns : "-", name, call.what));
  call.path = ResourcePath(r, ns, name);
  call.idempotent = true;
  call.timeout = timeout;
  return ExecuteJson(call);
}

StatusOr<ObjectList> Client::List(const Resource& r, std::string_view ns,
                                  const ListOptions& options) {
  Call call;
  call.method = "GET";
  call.what = Describe("list", r, ns, "");
  call.path = ResourcePath(r, ns) +
              EncodeQuery({{"labelSelector", options.label_selector},
                           {"fieldSelector", options.field_selector},
                           {"limit", options.limit > 0 ? std::to_string(options.limit) : ""},
                           {"continue", options.continue_token},
                           {"resourceVersion", options.resource_version},
                           {"resourceVersionMatch", options.resource_version_match}});
  call.idempotent = true;
  call.timeout = options.timeout;
  ASSIGN_OR_RETURN(nlohmann::json list, ExecuteJson(call));
  ObjectList out;
  if (list.contains("metadata") && list["metadata"].is_object()) {
    const auto& m = list["metadata"];
    if (m.contains("resourceVersion") && m["resourceVersion"].is_string()) {
      out.resource_version = m["resourceVersion"].get<std::string>();
    }
    if (m.contains("continue") && m["continue"].is_string()) {
      out.continue_token = m["continue"].get<std::string>();
    }
  }
  if (list.contains("items") && list["items"].is_array()) {
    out.items.reserve(list["items"].size());
    for (auto& item : list["items"]) {
      if (!item.is_object()) continue;
      if (!item.contains("kind")) item["kind"] = r.kind;
      if (!item.contains("apiVersion")) item["apiVersion"] = r.ApiVersion();
      out.items.push_back(std::move(item));
    }
  }
  return out;
}

StatusOr<ObjectList> Client::ListAll(const Resource& r, std::string_view ns, ListOptions options) {
  const ListOptions first = options;
  ObjectList all;
  bool restarted = false;
  while (true) {
    StatusOr<ObjectList> page = List(r, ns, options);
    if (!page.ok()) {
      // A continue token expires with the etcd compaction it pointed into; start over once
      // rather than stitching pages from two snapshots.
      if (page.status().code() == Code::kGone && !options.continue_token.empty() && !restarted) {
        restarted = true;
        all.items.clear();
        options = first;
        continue;
      }
      return page.status();
    }
    for (auto& item : page->items) all.items.push_back(std::move(item));
    all.resource_version = page->resource_version;
    if (page->continue_token.empty()) return all;
    // The server refuses resourceVersion together with continue: the token carries it.
    options.continue_token = page->continue_token;
    options.resource_version.clear();
    options.resource_version_match.clear();
  }
}

StatusOr<nlohmann::json> Client::Create(const Resource& r, std::string_view ns,
                                        const nlohmann::json& object, const WriteOptions& options) {
  Call call;
  call.method = "POST";
  call.what = Describe("create", r, ns, MetadataField(object, "name"));
  if (r.namespaced && ns.empty()) return InvalidArgument(call.what + ": a namespace is required");
  call.path = ResourcePath(r, ns) + EncodeQuery({{"fieldManager", options.field_manager},
                                                 {"dryRun", options.dry_run ? "All" : ""}});
  call.body = object.dump();
  call.timeout = options.timeout;
  return ExecuteJson(call);
}

StatusOr<nlohmann::json> Client::Put(const Resource& r, std::string_view ns,
                                     const nlohmann::json& object, std::string_view subresource,
                                     const WriteOptions& options) {
  const std::string name = MetadataField(object, "name");
  Call call;
  call.method = "PUT";
  call.what = Describe(subresource.empty() ? "update" : "update status of", r, ns, name);
  RETURN_IF_ERROR(CheckScope(r, r.namespaced ? ns : "-", name, call.what));
  call.path = ResourcePath(r, ns, name, subresource) +
              EncodeQuery({{"fieldManager", options.field_manager},
                           {"dryRun", options.dry_run ? "All" : ""}});
  call.body = object.dump();
  // With a resourceVersion a repeat cannot overwrite someone else's change: it conflicts.
  call.idempotent = !MetadataField(object, "resourceVersion").empty();
  call.timeout = options.timeout;
  return ExecuteJson(call);
}

StatusOr<nlohmann::json> Client::Update(const Resource& r, std::string_view ns,
                                        const nlohmann::json& object, const WriteOptions& options) {
  return Put(r, ns, object, "", options);
}

StatusOr<nlohmann::json> Client::UpdateStatus(const Resource& r, std::string_view ns,
                                              const nlohmann::json& object,
                                              const WriteOptions& options) {
  return Put(r, ns, object, "status", options);
}

StatusOr<nlohmann::json> Client::Patch(const Resource& r, std::string_view ns,
                                       std::string_view name, PatchType type,
                                       std::string_view patch, const PatchOptions& options) {
  Call call;
  call.method = "PATCH";
  call.what = Describe("patch", r, ns, name);
  RETURN_IF_ERROR(CheckScope(r, r.namespaced ? ns : "-", name, call.what));
  call.path = ResourcePath(r, ns, name, options.subresource) +
              EncodeQuery({{"fieldManager", options.field_manager},
                           {"dryRun", options.dry_run ? "All" : ""}});
  call.body = std::string(patch);
  call.content_type = PatchContentType(type);
  call.timeout = options.timeout;
  return ExecuteJson(call);
}

StatusOr<nlohmann::json> Client::Apply(const Resource& r, std::string_view ns,
                                       std::string_view name, std::string_view manifest,
                                       const ApplyOptions& options) {
  Call call;
  call.method = "PATCH";
  call.what = Describe("apply", r, ns, name);
  RETURN_IF_ERROR(CheckScope(r, r.namespaced ? ns : "-", name, call.what));
  if (options.field_manager.empty()) {
    return InvalidArgument(call.what + ": server-side apply needs a field manager");
  }
  call.path = ResourcePath(r, ns, name, options.subresource) +
              EncodeQuery({{"fieldManager", options.field_manager},
                           {"force", options.force ? "true" : ""},
                           {"dryRun", options.dry_run ? "All" : ""}});
  call.body = std::string(manifest);
  call.content_type = "application/apply-patch+yaml";
  call.idempotent = true;  // applying the same intent twice yields the same object
  call.timeout = options.timeout;
  return ExecuteJson(call);
}

namespace {

nlohmann::json DeleteBody(const DeleteOptions& options) {
  nlohmann::json body = {{"kind", "DeleteOptions"}, {"apiVersion", "v1"}};
  if (!options.propagation_policy.empty()) body["propagationPolicy"] = options.propagation_policy;
  if (options.grace_period_seconds) body["gracePeriodSeconds"] = *options.grace_period_seconds;
  if (options.dry_run) body["dryRun"] = {"All"};
  nlohmann::json pre = nlohmann::json::object();
  if (!options.precondition_uid.empty()) pre["uid"] = options.precondition_uid;
  if (!options.precondition_resource_version.empty()) {
    pre["resourceVersion"] = options.precondition_resource_version;
  }
  if (!pre.empty()) body["preconditions"] = pre;
  return body;
}

}  // namespace

StatusOr<nlohmann::json> Client::Delete(const Resource& r, std::string_view ns,
                                        std::string_view name, const DeleteOptions& options) {
  Call call;
  call.method = "DELETE";
  call.what = Describe("delete", r, ns, name);
  RETURN_IF_ERROR(CheckScope(r, r.namespaced ? ns : "-", name, call.what));
  call.path = ResourcePath(r, ns, name);
  call.body = DeleteBody(options).dump();
  call.idempotent = true;
  call.timeout = options.timeout;
  return ExecuteJson(call);
}

Status Client::Evict(std::string_view ns, std::string_view pod, const DeleteOptions& options) {
  Call call;
  call.method = "POST";
  call.what = Describe("evict", resources::kPods, ns, pod);
  RETURN_IF_ERROR(CheckScope(resources::kPods, ns, pod, call.what));
  call.path = ResourcePath(resources::kPods, ns, pod, "eviction");
  nlohmann::json eviction = {
      {"apiVersion", "policy/v1"},
      {"kind", "Eviction"},
      {"metadata", {{"name", std::string(pod)}, {"namespace", std::string(ns)}}},
      {"deleteOptions", DeleteBody(options)}};
  call.body = eviction.dump();
  // A disruption budget saying "not now" is an answer for the caller (drain retries on its
  // own schedule), not throttling to wait out here.
  call.retry_throttled = false;
  call.timeout = options.timeout;
  return Execute(call).status();
}

}  // namespace vc::kube
