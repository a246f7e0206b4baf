// SPDX-License-Identifier: Apache-2.0
// delete: everything create made (found by the tenant labels, so objects of an interrupted
// create go too), the namespace only when create made it; --keep-data keeps the PVC.
// The control plane stops first (scaled to 0) and the rest goes only once its pod is gone: a
// syncer still running would put back the host objects it syncs (a Service, a Secret) as soon
// as they were deleted.
#include <algorithm>

#include "lifecycle/owned.h"
#include "vc/cli/lifecycle/lifecycle.h"
#include "vc/labels.h"

namespace vc::cli::lifecycle {

using nlohmann::json;
namespace r = kube::resources;

namespace {

StatusOr<std::vector<OwnedObject>> ListOwned(kube::Client& client, const Info& info,
                                             bool keep_data) {
  std::vector<kube::Resource> kinds;
  for (const auto& kind : OwnedNamespacedKinds()) {
    if (!(keep_data && kind.resource == "persistentvolumeclaims")) kinds.push_back(kind);
  }
  kinds.insert(kinds.end(), OwnedClusterKinds().begin(), OwnedClusterKinds().end());
  return lifecycle::ListOwned(client, info.name, info.namespace_, kinds);
}

// "Service ns/name, Pod ns/name" (at most five, then "and N more").
std::string Names(const std::vector<OwnedObject>& objects) {
  std::string out;
  for (size_t i = 0; i < objects.size() && i < 5; ++i) {
    out += (i ? ", " : "") + objects[i].kind.kind + " " +
           (objects[i].namespace_.empty() ? "" : objects[i].namespace_ + "/") + objects[i].name;
  }
  if (objects.size() > 5) out += " and " + std::to_string(objects.size() - 5) + " more";
  return out;
}

Status DeleteAll(kube::Client& client, const std::vector<OwnedObject>& objects) {
  for (const auto& o : objects) {
    kube::DeleteOptions del{.propagation_policy = "Background"};
    auto deleted = client.Delete(o.kind, o.namespace_, o.name, del);
    if (!deleted.ok() && deleted.status().code() != Code::kNotFound) {
      return deleted.status().Annotate("delete " + o.kind.kind + " " + o.name);
    }
  }
  return Status::Ok();
}

// The longest delete waits for the control plane's pod before it deletes the rest. The pod
// stops in seconds (every container ends on SIGTERM); one that does not (its node is down) is
// reported and the delete goes on.
constexpr std::chrono::milliseconds kStopTimeout = std::chrono::minutes(2);

// Scales the StatefulSet to 0, as pause does, and waits (up to `timeout`) until its pod is
// gone, so nothing of the tenant's runs any more. The StatefulSet stays until the rest goes: a
// delete interrupted here leaves a paused cluster that `delete` finds again.
Status StopControlPlane(kube::Client& client, const Info& info, std::chrono::milliseconds timeout,
                        output::Progress& progress, const CancelToken* cancel) {
  if (!info.statefulset.is_object()) return Status::Ok();
  auto scaled = client.Patch(r::kStatefulSets, info.namespace_, info.name, kube::PatchType::kMerge,
                             R"({"spec": {"replicas": 0}})");
  if (!scaled.ok() && scaled.status().code() != Code::kNotFound) {
    return scaled.status().Annotate("stop the control plane (scale StatefulSet " + info.name +
                                    " to 0)");
  }
  const kube::ListOptions control_plane{
      .label_selector = OwnedSelector(info.name, info.namespace_) + "," + labels::kComponent + "=" +
                        labels::kComponentControlPlane};
  Status stopped = PollUntil(
      [&]() -> StatusOr<bool> {
        ASSIGN_OR_RETURN(kube::ObjectList pods,
                         client.List(r::kPods, info.namespace_, control_plane));
        return pods.items.empty();
      },
      timeout, "waiting for the control plane of " + info.name + " to stop", cancel,
      std::chrono::milliseconds(300));
  if (stopped.code() == Code::kTimeout) {
    progress.Note(
        "the control plane of " + info.name + " did not stop within " +
        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(timeout).count()) +
        "s (is its node down?); deleting the rest anyway");
    return Status::Ok();
  }
  return stopped;
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
  // Everything can be listed (the rights are there) before anything stops.
  if (auto listed = ListOwned(client, info, options.keep_data); !listed.ok()) {
    progress.Fail();
    return listed.status();
  }
  if (Status s =
          StopControlPlane(client, info, std::min(options.timeout, kStopTimeout), progress, cancel);
      !s.ok()) {
    progress.Fail();
    return s;
  }
  auto owned = ListOwned(client, info, options.keep_data);
  if (!owned.ok()) {
    progress.Fail();
    return owned.status();
  }
  if (Status s = DeleteAll(client, *owned); !s.ok()) {
    progress.Fail();
    return s;
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
  std::vector<OwnedObject> left;
  Status s = PollUntil(
      [&]() -> StatusOr<bool> {
        ASSIGN_OR_RETURN(left, ListOwned(client, info, options.keep_data));
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
    if (s.code() == Code::kTimeout && !left.empty())
      s = Status(s.code(), s.message() + "; still there: " + Names(left));
    return s;
  }
  progress.Done();
  return Status::Ok();
}

}  // namespace vc::cli::lifecycle
