// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/sleep/auto_sleep.h"

#include <algorithm>

#include "vc/labels.h"
#include "vc/log.h"
#include "vc/rfc3339.h"

namespace vc::syncer::sleep {

using nlohmann::json;
namespace r = kube::resources;

bool Idle(std::chrono::system_clock::time_point last_activity,
          std::chrono::system_clock::time_point now, std::chrono::milliseconds after) {
  return after.count() > 0 && now - last_activity >= after;
}

json SleepPatch(int replicas, const std::string& now_rfc3339) {
  return {{"metadata",
           {{"annotations",
             {{labels::kPausedReplicasAnnotation, std::to_string(replicas > 0 ? replicas : 1)},
              {labels::kPausedAtAnnotation, now_rfc3339},
              {labels::kPausedByAnnotation, labels::kPausedByAutoSleep}}}}},
          {"spec", {{"replicas", 0}}}};
}

Status GoToSleep(kube::Client& host, const translate::Tenant& tenant) {
  ASSIGN_OR_RETURN(json sts, host.Get(r::kStatefulSets, tenant.host_namespace, tenant.name));
  const int replicas = sts.value("/spec/replicas"_json_pointer, 1);
  kube::ListOptions workloads{.label_selector = translate::SyncedSelector(tenant)};
  ASSIGN_OR_RETURN(kube::ObjectList pods, host.ListAll(r::kPods, tenant.host_namespace, workloads));
  for (const json& pod : pods.items) {
    const std::string name = pod.value("/metadata/name"_json_pointer, std::string());
    auto deleted = host.Delete(r::kPods, tenant.host_namespace, name);
    if (!deleted.ok() && deleted.status().code() != Code::kNotFound) {
      return deleted.status().Annotate("sleep: delete workload pod " + name);
    }
  }
  const json patch = SleepPatch(replicas, FormatRfc3339(std::chrono::system_clock::now()));
  auto patched =
      host.Patch(r::kStatefulSets, tenant.host_namespace, tenant.name, kube::PatchType::kMerge,
                 patch.dump(), {.field_manager = labels::kStateFieldManager});
  if (!patched.ok())
    return patched.status().Annotate("sleep: scale statefulset " + tenant.name + " to 0");
  VC_LOG(Info) << "asleep: " << pods.items.size()
               << " workload pods removed, control plane scaled to 0";
  return Status::Ok();
}

json WakePatch(const json& statefulset) {
  const json annotations = statefulset.value("/metadata/annotations"_json_pointer, json::object());
  if (!annotations.is_object() ||
      annotations.value(labels::kPausedByAnnotation, "") != labels::kPausedByAutoSleep) {
    return json();
  }
  int replicas = 1;
  const std::string recorded = annotations.value(labels::kPausedReplicasAnnotation, "");
  if (!recorded.empty() && recorded.size() < 4 &&
      recorded.find_first_not_of("0123456789") == std::string::npos) {
    replicas = std::max(1, std::stoi(recorded));
  }
  return {{"metadata",
           {{"annotations",
             {{labels::kPausedReplicasAnnotation, nullptr},
              {labels::kPausedAtAnnotation, nullptr},
              {labels::kPausedByAnnotation, nullptr}}}}},
          {"spec", {{"replicas", replicas}}}};
}

Status WakeUp(kube::Client& host, const std::string& ns, const std::string& name, bool* woke) {
  *woke = false;
  // The patch carries the resourceVersion it was decided on: a person's pause landing in
  // between is a Conflict, read and decided again, never undone.
  for (int attempt = 0;; ++attempt) {
    ASSIGN_OR_RETURN(json sts, host.Get(r::kStatefulSets, ns, name));
    json patch = WakePatch(sts);
    if (patch.is_null()) return Status::Ok();
    patch["metadata"]["resourceVersion"] =
        sts.value("/metadata/resourceVersion"_json_pointer, std::string());
    auto patched = host.Patch(r::kStatefulSets, ns, name, kube::PatchType::kMerge, patch.dump(),
                              {.field_manager = labels::kStateFieldManager});
    if (patched.ok()) {
      *woke = true;
      return Status::Ok();
    }
    if (patched.status().code() != Code::kConflict || attempt >= 4) {
      return patched.status().Annotate("wake: scale statefulset " + name + " up");
    }
  }
}

}  // namespace vc::syncer::sleep
