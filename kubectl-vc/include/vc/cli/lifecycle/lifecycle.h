// SPDX-License-Identifier: Apache-2.0
// lifecycle/: a virtual cluster's life on the host — create/upgrade, wait, status, pause,
// resume, delete. Everything goes through kube::Client; rendering is render/'s, values are
// values/'s, kubeconfig contexts are connect/'s.
//
// Objects on the host are found by labels (vc/labels.h): the StatefulSet NAME with
// app=vcluster,release=NAME is the virtual cluster; every object create applies carries
// render::TenantLabels. State that must survive kubectl-vc (a create that finished, a pause)
// lives in annotations on the host, never only in memory:
//   Secret vc-config-NAME  kubectl-vc.dev/created-at     create ran to the end (else: resumable)
//   StatefulSet NAME       kubectl-vc.dev/paused-replicas  paused, and what resume restores
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "vc/cancel_token.h"
#include "vc/cli/output/output.h"
#include "vc/cli/render/host_objects.h"
#include "vc/cli/values/resolve.h"
#include "vc/kube/client.h"
#include "vc/labels.h"
#include "vc/status.h"

namespace vc::cli::lifecycle {

inline constexpr const char* kCreatedAtAnnotation = "kubectl-vc.dev/created-at";
using labels::kPausedAtAnnotation;
using labels::kPausedReplicasAnnotation;
using labels::kStateFieldManager;
// The longest NAME: the pod NAME-0 and the StatefulSet's controller-revision-hash label
// (NAME-<10 characters>) must stay within 63.
inline constexpr size_t kMaxNameLength = 52;

struct CreateOptions {
  std::string name;
  std::string namespace_;  // "" : vcluster-NAME
  values::ResolveInput values;
  bool upgrade = false;  // re-apply an existing cluster (and create a missing one)
  bool expose = false;   // controlPlane.service.spec.type LoadBalancer
  bool wait = true;      // until the control-plane pod is Ready and vc-NAME exists
  // An upgrade's dry run: every check, the host's server-side dry run of every object, and
  // nothing applied.
  bool check_only = false;
  std::chrono::milliseconds timeout{std::chrono::minutes(5)};
  render::Images images;
};

struct CreateResult {
  std::string namespace_;
  bool existed = false;  // --upgrade of a cluster that was there
  bool resumed = false;  // an interrupted create was finished
  int changed = 0;       // objects created or configured
  int unchanged = 0;
  int pruned = 0;  // objects an upgrade no longer renders, deleted
  // Of an existing cluster: the objects the host's dry run says the apply changes ("StatefulSet
  // NS/NAME"), found before anything is applied.
  std::vector<std::string> would_change;
};

// Validates, resolves the values, applies the host objects (CRD first, then in render order,
// server-side apply under render::kFieldManager), and with options.wait waits until the
// control plane is up. `cancel` (Ctrl-C) stops between steps and says how to resume.
StatusOr<CreateResult> Create(kube::Client& client, const CreateOptions& options,
                              output::Progress& progress, const CancelToken* cancel);

// `create --dry-run`: every object create would apply (the Tenant CustomResourceDefinition
// first), from the options alone; the host is not contacted. So nothing on the host is read:
// the namespace object is included unless -n named one (taken to exist), and the host's Service
// range and version are not checked. `notes` gets a line for each such assumption, e.g. an
// unset networking.serviceCIDR rendered as Kubernetes' default.
StatusOr<std::vector<nlohmann::json>> RenderOffline(const CreateOptions& options,
                                                    std::vector<std::string>* notes);

// What list and describe show about one virtual cluster.
struct Info {
  std::string name;
  std::string namespace_;
  std::string status;     // Running | Pending | Paused | Sleeping | Failed | Deleting
  std::string paused_at;  // RFC 3339, while Paused or Sleeping (sleepMode's auto-sleep)
  std::string trust;      // high | partial | zero
  std::string version;    // Kubernetes version of the control plane (the apiserver image tag)
  std::string created;    // RFC 3339
  std::vector<std::string> problems;  // why Pending/Failed, one line each
  nlohmann::json statefulset;
  nlohmann::json pod;     // null when there is none
  nlohmann::json values;  // effective values (Secret vc-config-NAME): ReadValues fills it
};

// Sets info->values to the values the cluster runs with (Secret vc-config-NAME), or null when
// the Secret is missing or unreadable; an error only when the host does not answer. Find and
// List leave them out (one GET more per cluster); snapshot, upgrade and describe read them.
Status ReadValues(kube::Client& client, Info* info);

// Paused by a person or asleep by sleepMode: the control plane is at 0, its database closed.
inline bool IsPaused(const Info& info) {
  return info.status == "Paused" || info.status == "Sleeping";
}

// Every virtual cluster in `namespace_` ("" : all namespaces), sorted by namespace and name.
StatusOr<std::vector<Info>> List(kube::Client& client, const std::string& namespace_);

// Finds NAME in `namespace_` when given, else in any namespace (an error naming them when
// there are several). `name` empty: the only virtual cluster there is. NotFound says how to
// list them.
StatusOr<Info> Find(kube::Client& client, const std::string& name, const std::string& namespace_);

// describe's document: effective values, trust, status, pod and containers, endpoint, quotas,
// sync health.
StatusOr<nlohmann::json> Describe(kube::Client& client, const Info& info);

// The sync health the syncer wrote on its pod (annotation kubectl-vc.dev/sync-health), in
// describe's shape: {at, controllers: [{name, synced?, queued, failing, lagToHost?: {p50, p99},
// lagToVirtual?}], lastRefusal?: {at, controller, object, message}}; lag bounds are strings
// ("0.25s", "+Inf"). Fields of another type are left out; null without a readable report.
nlohmann::json SyncHealthOf(const nlohmann::json& pod);

// Waits until the control-plane pod is Ready and Secret vc-NAME exists, printing the problems
// it sees as they appear; on timeout an error with a diagnosis.
Status WaitReady(kube::Client& client, const std::string& name, const std::string& namespace_,
                 std::chrono::milliseconds timeout, output::Progress& progress,
                 const CancelToken* cancel);

Status Pause(kube::Client& client, const Info& info, output::Progress& progress);
Status Resume(kube::Client& client, const Info& info, bool wait, std::chrono::milliseconds timeout,
              output::Progress& progress, const CancelToken* cancel);

struct DeleteOptions {
  bool keep_data = false;  // keep the PVC (and so the namespace)
  bool wait = false;       // until every object is gone
  std::chrono::milliseconds timeout{std::chrono::minutes(5)};
};
Status Delete(kube::Client& client, const Info& info, const DeleteOptions& options,
              output::Progress& progress, const CancelToken* cancel);

// Status of a virtual cluster from its StatefulSet and pod (pure; unit-tested).
std::string StatusOf(const nlohmann::json& statefulset, const nlohmann::json& pod,
                     std::vector<std::string>* problems);

}  // namespace vc::cli::lifecycle
