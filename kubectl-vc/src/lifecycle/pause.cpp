// SPDX-License-Identifier: Apache-2.0
// pause: the control plane scaled to 0 and the tenant's workload pods removed from the host,
// with the replica count kept in an annotation; resume puts it back. The virtual cluster's
// state (its SQLite database on the PVC) is untouched, so the syncer recreates the workloads.
#include "lifecycle/owned.h"
#include "vc/cli/lifecycle/lifecycle.h"
#include "vc/labels.h"

namespace vc::cli::lifecycle {

using nlohmann::json;
namespace r = kube::resources;

Status Pause(kube::Client& client, const Info& info, output::Progress& progress) {
  if (info.status == "Paused") {
    progress.Info("virtual cluster " + info.name + " is already paused");
    return Status::Ok();
  }
  if (info.status == "Sleeping") {
    // Asleep already: only who paused it changes, so a request through connect no longer
    // wakes it; resume does.
    json patch = {{"metadata", {{"annotations", {{labels::kPausedByAnnotation, nullptr}}}}}};
    auto patched =
        client.Patch(r::kStatefulSets, info.namespace_, info.name, kube::PatchType::kMerge,
                     patch.dump(), {.field_manager = kStateFieldManager});
    if (!patched.ok()) return patched.status().Annotate("mark the sleeping cluster paused");
    progress.Info("virtual cluster " + info.name + " was sleeping; it is paused now");
    return Status::Ok();
  }
  progress.Begin("Pausing virtual cluster " + info.name);
  const int replicas = info.statefulset.value("/spec/replicas"_json_pointer, 1);
  json patch = {{"metadata",
                 {{"annotations",
                   {{kPausedReplicasAnnotation, std::to_string(replicas > 0 ? replicas : 1)},
                    {kPausedAtAnnotation, NowRfc3339()}}}}},
                {"spec", {{"replicas", 0}}}};
  auto patched = client.Patch(r::kStatefulSets, info.namespace_, info.name, kube::PatchType::kMerge,
                              patch.dump(), {.field_manager = kStateFieldManager});
  if (!patched.ok()) {
    progress.Fail();
    return patched.status().Annotate("scale the control plane to 0");
  }
  kube::ListOptions workloads{.label_selector = OwnedSelector(info.name, info.namespace_) + "," +
                                                labels::kComponent + "=" +
                                                labels::kComponentWorkload};
  auto pods = client.ListAll(r::kPods, info.namespace_, workloads);
  if (!pods.ok()) {
    progress.Fail();
    return pods.status().Annotate("list the virtual cluster's workload pods");
  }
  for (const auto& pod : pods->items) {
    auto deleted = client.Delete(r::kPods, info.namespace_, Str(pod, "/metadata/name"));
    if (!deleted.ok() && deleted.status().code() != Code::kNotFound) {
      progress.Fail();
      return deleted.status().Annotate("delete workload pod " + Str(pod, "/metadata/name"));
    }
  }
  progress.Done(std::to_string(pods->items.size()) + " workload pods removed");
  return Status::Ok();
}

Status Resume(kube::Client& client, const Info& info, bool wait, std::chrono::milliseconds timeout,
              output::Progress& progress, const CancelToken* cancel) {
  const std::string recorded = Annotation(info.statefulset, kPausedReplicasAnnotation);
  if (recorded.empty()) {
    progress.Info("virtual cluster " + info.name + " is not paused (" + info.status + ")");
    return Status::Ok();
  }
  int replicas = 1;
  try {
    replicas = std::max(1, std::stoi(recorded));
  } catch (...) {
    replicas = 1;
  }
  progress.Begin("Resuming virtual cluster " + info.name);
  json patch = {{"metadata",
                 {{"annotations",
                   {{kPausedReplicasAnnotation, nullptr},
                    {kPausedAtAnnotation, nullptr},
                    {labels::kPausedByAnnotation, nullptr}}}}},
                {"spec", {{"replicas", replicas}}}};
  auto patched = client.Patch(r::kStatefulSets, info.namespace_, info.name, kube::PatchType::kMerge,
                              patch.dump(), {.field_manager = kStateFieldManager});
  if (!patched.ok()) {
    progress.Fail();
    return patched.status().Annotate("scale the control plane back to " + std::to_string(replicas));
  }
  progress.Done("scaled to " + std::to_string(replicas));
  if (!wait) return Status::Ok();
  return WaitReady(client, info.name, info.namespace_, timeout, progress, cancel);
}

}  // namespace vc::cli::lifecycle
