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

StatusOr<std::vector<OwnedObject>> ListOwned(kube::Client& client, const Info& info, bool keep_data) {
  std::vector<kube::Resource> kinds;
  for (const auto& kind : OwnedNamespacedKinds()) {
    if (!(keep_data && kind.resource == "persistentvolumeclaims")) kinds.push_back(kind);
  }
  kinds.insert(kinds.end(), OwnedClusterKinds().begin(), OwnedClusterKinds().end());
  return lifecycle::ListOwned(client, info.name, info.namespace_, kinds);
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
    auto deleted = client.Delete(o.kind, o.namespace_, o.name, del);
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
        ASSIGN_OR_RETURN(std::vector<OwnedObject> left, ListOwned(client, info, options.keep_data));
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
