// SPDX-License-Identifier: Apache-2.0
// What a virtual cluster owns on the host, and small helpers the lifecycle files share.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "vc/cancel_token.h"
#include "vc/cli/lifecycle/lifecycle.h"
#include "vc/kube/client.h"
#include "vc/kube/resource.h"
#include "vc/status.h"

namespace vc::cli::lifecycle {

// Every kind create may put on the host (and the syncer, for workloads), namespaced first.
// Prune and delete walk these with OwnedSelector.
const std::vector<kube::Resource>& OwnedNamespacedKinds();
const std::vector<kube::Resource>& OwnedClusterKinds();

// managed-by=kubectl-vc, tenant=NAME, tenant-namespace=NS.
std::string OwnedSelector(const std::string& name, const std::string& namespace_);

struct OwnedObject {
  kube::Resource kind;
  std::string namespace_;  // "" for a cluster-scoped kind
  std::string name;
  nlohmann::json object;
};

// The objects of `kinds` that OwnedSelector(name, ns) selects: namespaced ones in NS, but Roles
// and RoleBindings in every namespace (the read of ConfigMaps mapped from other namespaces
// lives there), or in NS alone when the caller may not list them across namespaces. A kind
// the host does not serve (the Tenant CRD gone) has none, and so do PriorityClasses for a
// caller who may not list them.
StatusOr<std::vector<OwnedObject>> ListOwned(kube::Client& client, const std::string& name,
                                             const std::string& ns,
                                             const std::vector<kube::Resource>& kinds);

// Where create and create --dry-run start: the names checked, the host namespace (-n, else
// vcluster-NAME, made by create when -n is not given) and the effective values (with --expose),
// rendered as this build's images. `warnings` gets the values' warnings.
StatusOr<render::VirtualCluster> PlanCreate(const CreateOptions& options,
                                            std::vector<std::string>* warnings);

// The Kubernetes version a control plane runs: the tag of the kube-apiserver image in the
// StatefulSet's pod template ("" when there is none).
std::string ApiServerVersion(const nlohmann::json& statefulset);

// The Kubernetes version `values` ask for: controlPlane.distro.k8s.version, else the tag of the
// kube-apiserver image they resolve to. `source` (may be null) gets where it came from.
std::string VersionToRun(const nlohmann::json& values, const render::Images& defaults,
                         std::string* source);

// A string at a JSON pointer, or "".
std::string Str(const nlohmann::json& j, const char* pointer);
std::string Annotation(const nlohmann::json& object, const std::string& key);

// Get that maps NotFound to a null json.
StatusOr<nlohmann::json> GetOrNull(kube::Client& client, const kube::Resource& r,
                                   const std::string& ns, const std::string& name);

// RFC 3339 "now", UTC.
std::string NowRfc3339();

// Polls `check` every `period` until it returns true or an error, the deadline passes (Timeout
// with `what`), or `cancel` fires (kCancelled).
template <typename F>
Status PollUntil(F check, std::chrono::milliseconds timeout, const std::string& what,
                 const CancelToken* cancel,
                 std::chrono::milliseconds period = std::chrono::milliseconds(250)) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (true) {
    StatusOr<bool> done = check();
    if (!done.ok()) return done.status();
    if (*done) return Status::Ok();
    if (std::chrono::steady_clock::now() >= end) return Timeout("timed out " + what);
    if (cancel == nullptr) {
      std::this_thread::sleep_for(period);  // the poll interval; `check` decides
    } else if (cancel->WaitFor(period)) {
      return Status(Code::kCancelled, "interrupted " + what);
    }
  }
}

}  // namespace vc::cli::lifecycle
