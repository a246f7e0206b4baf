// SPDX-License-Identifier: Apache-2.0
// Waiting for a control plane: step by step, with the problems the host reports shown as they
// appear (scheduling, image pulls, crash loops, quota rejections), and a diagnosis on timeout.
#include <set>
#include <thread>

#include "lifecycle/owned.h"
#include "vc/cli/lifecycle/lifecycle.h"

namespace vc::cli::lifecycle {

using nlohmann::json;
namespace r = kube::resources;

namespace {

struct Watcher {
  kube::Client& client;
  std::string name;
  std::string ns;
  output::Progress& progress;
  std::set<std::string> seen;       // problems and events already shown
  std::vector<std::string> recent;  // for the diagnosis

  void Show(const std::string& line) {
    if (!seen.insert(line).second) return;
    progress.Note(line);
    recent.push_back(line);
  }

  // Warning events about the StatefulSet, its pod and its claim (quota rejections arrive as
  // FailedCreate on the StatefulSet; scheduling and pulls on the pod). Of the pod's, only those
  // about `pod` itself: a pod of the same name from before (a cluster deleted and made again)
  // left its own for an hour.
  void ShowEvents(const json& pod) {
    kube::ListOptions options{.field_selector = "type=Warning"};
    auto events = client.List(r::kEvents, ns, options);
    if (!events.ok()) return;
    const std::string pod_name = name + "-0";
    const std::set<std::string> about = {name, pod_name, "data-" + pod_name};
    for (const auto& e : events->items) {
      const std::string involved = Str(e, "/involvedObject/name");
      if (!about.count(involved)) continue;
      if (involved == pod_name && Str(e, "/involvedObject/kind") == "Pod" &&
          Str(e, "/involvedObject/uid") != Str(pod, "/metadata/uid")) {
        continue;
      }
      Show(Str(e, "/involvedObject/kind") + " " + Str(e, "/involvedObject/name") + ": " +
           Str(e, "/reason") + ": " + Str(e, "/message"));
    }
  }
};

// Whether `pod` is of the StatefulSet's current template: after an upgrade the old pod stays
// Ready until the StatefulSet controller replaces it, and is not what the caller waits for.
bool PodIsCurrent(const json& sts, const json& pod) {
  if (!sts.is_object() || !pod.is_object()) return false;
  if (sts.value("/status/observedGeneration"_json_pointer, int64_t{0}) <
      sts.value("/metadata/generation"_json_pointer, int64_t{0})) {
    return false;
  }
  const std::string revision = Str(sts, "/status/updateRevision");
  return !revision.empty() && Str(pod, "/metadata/labels/controller-revision-hash") == revision;
}

}  // namespace

Status WaitReady(kube::Client& client, const std::string& name, const std::string& ns,
                 std::chrono::milliseconds timeout, output::Progress& progress,
                 const CancelToken* cancel) {
  Watcher w{client, name, ns, progress, {}, {}};
  const auto end = std::chrono::steady_clock::now() + timeout;
  auto left = [&] {
    return std::max(std::chrono::milliseconds(0),
                    std::chrono::duration_cast<std::chrono::milliseconds>(
                        end - std::chrono::steady_clock::now()));
  };
  enum Stage { kScheduled, kStarted, kCredentials, kDone };
  Stage stage = kScheduled;
  json last_pod;
  progress.Begin("Waiting for the control-plane pod " + name + "-0 to be scheduled");
  Status s = PollUntil(
      [&]() -> StatusOr<bool> {
        ASSIGN_OR_RETURN(json pod, GetOrNull(client, r::kPods, ns, name + "-0"));
        ASSIGN_OR_RETURN(json sts, GetOrNull(client, r::kStatefulSets, ns, name));
        if (!PodIsCurrent(sts, pod)) pod = json();  // none yet, or one the rollout replaces
        last_pod = pod;
        w.ShowEvents(last_pod);
        if (pod.is_object()) {
          std::vector<std::string> problems;
          StatusOf(json{{"metadata", json::object()}}, pod, &problems);
          for (const auto& p : problems) w.Show(p);
        }
        if (stage == kScheduled && pod.is_object() && !Str(pod, "/spec/nodeName").empty()) {
          progress.Done("on node " + Str(pod, "/spec/nodeName"));
          progress.Begin(
              "Waiting for the control plane to start (kine, kube-apiserver, "
              "kube-controller-manager, syncer)");
          stage = kStarted;
        }
        if (stage == kStarted) {
          std::vector<std::string> ignored;
          if (StatusOf(json{{"metadata", json::object()}}, pod, &ignored) == "Running") {
            progress.Done();
            progress.Begin("Waiting for the virtual cluster's credentials (Secret " +
                           render::KubeconfigSecretName(name) + ")");
            stage = kCredentials;
          }
        }
        if (stage == kCredentials) {
          ASSIGN_OR_RETURN(json secret,
                           GetOrNull(client, r::kSecrets, ns, render::KubeconfigSecretName(name)));
          if (secret.is_object()) {
            progress.Done();
            stage = kDone;
            return true;
          }
        }
        return false;
      },
      left(), "waiting for virtual cluster " + name, cancel, std::chrono::milliseconds(300));
  if (s.ok()) return s;
  progress.Fail(s.code() == Code::kTimeout ? "timed out" : "");
  if (s.code() != Code::kTimeout) return s;
  std::string diagnosis = "virtual cluster " + name + " in namespace " + ns +
                          " did not become ready within " + std::to_string(timeout.count() / 1000) +
                          "s";
  std::vector<std::string> problems;
  const std::string status = last_pod.is_object()
                                 ? StatusOf(json{{"metadata", json::object()}}, last_pod, &problems)
                                 : "Pending";
  diagnosis += "\nstatus: " + status;
  if (!last_pod.is_object()) diagnosis += " (no control-plane pod was created)";
  for (const auto& line : w.recent) diagnosis += "\nseen: " + line;
  for (const auto& line : problems) {
    if (!w.seen.count(line)) diagnosis += "\nnow: " + line;
  }
  diagnosis += "\nto look closer: kubectl -n " + ns + " describe pod " + name + "-0";
  diagnosis += "\n               kubectl -n " + ns + " logs " + name + "-0 -c syncer";
  diagnosis += "\nto wait longer: kubectl vc create " + name + " -n " + ns + " --timeout 10m";
  return Timeout(diagnosis);
}

}  // namespace vc::cli::lifecycle
