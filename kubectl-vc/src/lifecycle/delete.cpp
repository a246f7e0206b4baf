// SPDX-License-Identifier: Apache-2.0
// delete: everything create made (found by the tenant labels, so objects of an interrupted
// create go too), the namespace only when create made it; --keep-data keeps the PVC.
#include "lifecycle/owned.h"
#include "vc/cli/lifecycle/lifecycle.h"
#include "vc/labels.h"

namespace vc::cli::lifecycle {

using nlohmann::json;
namespace r = kube::resources;

namespace {

struct Owned {
  kube::Resource kind;
  std::string name;
};

StatusOr<std::vector<Owned>> ListOwned(kube::Client& client, const Info& info, bool keep_data) {
  std::vector<Owned> out;
  kube::ListOptions options{.label_selector = OwnedSelector(info.name, info.namespace_)};
  std::vector<kube::Resource> kinds = OwnedNamespacedKinds();
  kinds.insert(kinds.end(), OwnedClusterKinds().begin(), OwnedClusterKinds().end());
  for (const auto& kind : kinds) {
    if (keep_data && kind.resource == "persistentvolumeclaims") continue;
    auto list = client.ListAll(kind, kind.namespaced ? info.namespace_ : "", options);
    if (!list.ok()) {
      // The Tenant CRD may be gone from a host (nothing of that kind to delete then).
      if (list.status().code() == Code::kNotFound) continue;
      return list.status().Annotate("list " + kind.GroupResource());
    }
    for (const auto& item : list->items) out.push_back({kind, Str(item, "/metadata/name")});
  }
  return out;
}

}  // namespace

Status Delete(kube::Client& client, const Info& info, const DeleteOptions& options,
              output::Progress& progress, const CancelToken* cancel) {
  progress.Begin("Deleting virtual cluster " + info.name + " in namespace " + info.namespace_);
  ASSIGN_OR_RETURN(json ns_object, GetOrNull(client, r::kNamespaces, "", info.namespace_));
  const bool delete_namespace =
      !options.keep_data && ns_object.is_object() &&
      Str(ns_object, "/metadata/labels/kubectl-vc.dev~1created-namespace") == "true" &&
      Str(ns_object, "/metadata/labels/kubectl-vc.dev~1tenant") == info.name;
  auto owned = ListOwned(client, info, options.keep_data);
  if (!owned.ok()) {
    progress.Fail();
    return owned.status();
  }
  for (const auto& o : *owned) {
    kube::DeleteOptions del{.propagation_policy = "Background"};
    auto deleted = client.Delete(o.kind, o.kind.namespaced ? info.namespace_ : "", o.name, del);
    if (!deleted.ok() && deleted.status().code() != Code::kNotFound) {
      progress.Fail();
      return deleted.status().Annotate("delete " + o.kind.kind + " " + o.name);
    }
  }
  if (delete_namespace) {
    auto deleted = client.Delete(r::kNamespaces, "", info.namespace_);
    if (!deleted.ok() && deleted.status().code() != Code::kNotFound) {
      progress.Fail();
      return deleted.status().Annotate("delete namespace " + info.namespace_);
    }
  }
  progress.Done(std::to_string(owned->size()) + " objects" +
                (delete_namespace ? " and namespace " + info.namespace_ : "") +
                (options.keep_data ? "; the data volume is kept" : ""));
  if (!options.wait) return Status::Ok();
  progress.Begin("Waiting until they are gone");
  Status s = PollUntil(
      [&]() -> StatusOr<bool> {
        ASSIGN_OR_RETURN(std::vector<Owned> left, ListOwned(client, info, options.keep_data));
        if (!left.empty()) return false;
        if (delete_namespace) {
          ASSIGN_OR_RETURN(json ns, GetOrNull(client, r::kNamespaces, "", info.namespace_));
          if (ns.is_object()) return false;
        }
        return true;
      },
      options.timeout, "waiting for virtual cluster " + info.name + " to be deleted", cancel,
      std::chrono::milliseconds(300));
  if (!s.ok()) {
    progress.Fail();
    return s;
  }
  progress.Done();
  return Status::Ok();
}

}  // namespace vc::cli::lifecycle
