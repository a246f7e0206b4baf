// SPDX-License-Identifier: Apache-2.0
// Restore into a running virtual cluster: the snapshot is verified and staged inside the pod
// while the old state keeps serving (nothing changes when anything fails up to here); then
// Secret vc-NAME and the pod are deleted, the StatefulSet makes a new pod, and its init
// container swaps the staged state in (syncer/README.md, restore_swap.h) and publishes the
// restored identity as a new Secret vc-NAME. The old state stays in /data/restore.previous.
#include <ostream>
#include <thread>

#include "vc/cli/render/host_objects.h"
#include "vc/cli/snapshot/snapshot_flow.h"

namespace vc::cli::snapshot {

namespace r = kube::resources;
using nlohmann::json;

namespace {

bool DataIsEphemeral(const json& statefulset) {
  const json volumes = statefulset.value("/spec/template/spec/volumes"_json_pointer, json::array());
  for (const auto& v : volumes) {
    if (v.value("name", "") == "data" && v.contains("emptyDir")) return true;
  }
  return false;
}

// A paused cluster has no pod to stage into; an emptyDir /data would not survive the restart.
Status CheckRestorable(const lifecycle::Info& info) {
  if (lifecycle::IsPaused(info)) {
    return FailedPrecondition("virtual cluster " + info.name + " is " +
                              (info.status == "Sleeping" ? "sleeping" : "paused") +
                              ": resume it first "
                              "(kubectl vc resume " +
                              info.name + "), then restore");
  }
  if (DataIsEphemeral(info.statefulset)) {
    return FailedPrecondition(
        "virtual cluster " + info.name +
        " keeps /data in an emptyDir, which a restore cannot "
        "survive (the pod restarts to apply it); recreate it with persistence "
        "(controlPlane.statefulSet.persistence.volumeClaim.enabled: true) or use "
        "kubectl vc create NAME --restore URL");
  }
  return Status::Ok();
}

// The snapshot verified and staged in the pod while the old state keeps serving.
Status StageInPod(const HostCluster& host, const lifecycle::Info& info,
                  const RestoreOptions& options, const kube::Environment& env,
                  output::Progress& progress, std::ostream& err) {
  progress.Begin("Connecting to the snapshot endpoint of " + info.name + "-0");
  auto endpoint =
      PodEndpoint::Open(host, info.name, info.namespace_, env, std::chrono::seconds(60));
  if (!endpoint.ok()) {
    progress.Fail();
    return endpoint.status();
  }
  progress.Done();
  progress.Begin("Streaming " + options.transfer.location.url + " into the pod (verified, staged)");
  err << "\n";
  auto staged = StageSnapshot(**endpoint, options.transfer, err);
  endpoint->reset();
  if (!staged.ok()) {
    progress.Fail();
    return staged.status().Annotate("restore " + info.name + " (nothing was changed)");
  }
  progress.Done();
  return Status::Ok();
}

// Waits (up to 30 s) for the pod with `uid` to be gone, so that its Ready status cannot count.
void WaitForOldPodGone(const HostCluster& host, const lifecycle::Info& info, const std::string& uid,
                       const CancelToken* cancel) {
  for (int i = 0; i < 300 && !uid.empty(); ++i) {
    auto pod = host.client->Get(r::kPods, info.namespace_, info.name + "-0");
    if (!pod.ok() || (*pod).value("/metadata/uid"_json_pointer, std::string()) != uid) break;
    if (cancel && cancel->WaitFor(std::chrono::milliseconds(100))) break;
    if (!cancel) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

// Secret vc-NAME and the pod deleted: the new pod's init container swaps the staged state in.
Status RestartControlPlane(const HostCluster& host, const lifecycle::Info& info,
                           output::Progress& progress, const CancelToken* cancel) {
  progress.Begin("Restarting the control plane to apply the snapshot");
  const std::string secret = render::KubeconfigSecretName(info.name);
  auto deleted_secret = host.client->Delete(r::kSecrets, info.namespace_, secret);
  if (!deleted_secret.ok() && deleted_secret.status().code() != Code::kNotFound) {
    progress.Fail();
    return deleted_secret.status().Annotate("delete secret " + secret);
  }
  auto deleted_pod = host.client->Delete(r::kPods, info.namespace_, info.name + "-0");
  if (!deleted_pod.ok() && deleted_pod.status().code() != Code::kNotFound) {
    progress.Fail();
    return deleted_pod.status().Annotate("restart pod " + info.name + "-0");
  }
  // The old pod must be gone before waiting, or its Ready status would count.
  const auto uid = info.pod.is_object()
                       ? info.pod.value("/metadata/uid"_json_pointer, std::string())
                       : std::string();
  WaitForOldPodGone(host, info, uid, cancel);
  progress.Done();
  return Status::Ok();
}

// Ready could also mean init rolled back to the previous state: ask what became of it.
Status ConfirmRestoreApplied(const HostCluster& host, const lifecycle::Info& info,
                             const kube::Environment& env, output::Progress& progress) {
  progress.Begin("Checking that the restored state is the one running");
  auto again = PodEndpoint::Open(host, info.name, info.namespace_, env, std::chrono::seconds(60));
  if (!again.ok()) {
    progress.Fail();
    return again.status();
  }
  auto r = Perform((*again)->Call("GET", "/restore/status"));
  if (!r.ok()) {
    progress.Fail();
    return r.status();
  }
  if (r->status != 200) {
    progress.Fail();
    return (*again)->Explain(*r, "read the restore result");
  }
  const json result = json::parse(r->body, nullptr, false);
  if (!result.is_object() || result.value("result", "") != "applied") {
    progress.Fail();
    return FailedPrecondition("restore of " + info.name + " did not take: " +
                              (result.is_object() ? result.value("message", r->body) : r->body));
  }
  progress.Done();
  return Status::Ok();
}

}  // namespace

Status RestoreInto(const HostCluster& host, const lifecycle::Info& info,
                   const RestoreOptions& options, const kube::Environment& env,
                   output::Progress& progress, std::ostream& err, const CancelToken* cancel) {
  RETURN_IF_ERROR(CheckRestorable(info));
  RETURN_IF_ERROR(StageInPod(host, info, options, env, progress, err));
  RETURN_IF_ERROR(RestartControlPlane(host, info, progress, cancel));
  if (Status s = lifecycle::WaitReady(*host.client, info.name, info.namespace_, options.timeout,
                                      progress, cancel);
      !s.ok()) {
    return s.Annotate(
        "the control plane did not come back after the restore (the state it "
        "replaced is in /data/restore.previous of pod " +
        info.name + "-0)");
  }
  return ConfirmRestoreApplied(host, info, env, progress);
}

}  // namespace vc::cli::snapshot
