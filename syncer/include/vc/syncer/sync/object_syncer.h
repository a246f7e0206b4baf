// SPDX-License-Identifier: Apache-2.0
// ObjectSyncer: one syncer for the kinds copied virtual -> host as they are (ConfigMaps,
// Secrets, PVCs, Ingresses, hand-written EndpointSlices, PodDisruptionBudgets, the tenant's
// custom resources the values name, and the cluster-scoped PriorityClasses). A virtual object is
// copied when `sync_all` says so or once something needs it (EnsureOnHost: the pod syncer, for what
// a pod references); a copy follows its virtual object's changes and is deleted with it. One the
// kind's `refusal` refuses gets a SyncRefused Event instead, and its host copy, if any, is deleted.
// A virtual object imported from the host (kubectl-vc.dev/imported-from names its would-be host
// copy) is never copied back over its source.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "vc/kube/informer.h"
#include "vc/syncer/sync/sync_context.h"
#include "vc/syncer/sync/synced_pair.h"
#include "vc/syncer/sync/work_queue.h"

namespace vc::syncer::sync {

struct ObjectKind {
  kube::Resource resource;
  std::function<nlohmann::json(const nlohmann::json& virtual_object, const translate::Tenant&)>
      translate;
  std::vector<std::string> fields;  // top-level fields a change of which is copied
  bool sync_all = false;
  // Host -> virtual: a merge patch for the virtual object's status subresource, or null.
  std::function<nlohmann::json(const nlohmann::json& virtual_object,
                               const nlohmann::json& host_object)>
      status_back;
  // Why the virtual object may not reach the host (an Event on it, no host copy), or "".
  std::function<std::string(const nlohmann::json& virtual_object, const translate::SyncConfig&)>
      refusal;
  // Secrets in the object's namespace that must be on the host with it (an Ingress's TLS
  // certificates), copied by the Secret syncer (SetSecrets) even without secrets.all.
  std::function<std::vector<std::string>(const nlohmann::json& virtual_object)> secrets;
  // Which virtual objects of the kind are the syncer's to copy at all (null: every one); one
  // that stops being selected loses its host copy, as if it were deleted.
  std::function<bool(const nlohmann::json& virtual_object)> selects;
  // Whether status_back writes the status subresource (a CRD may have none: then the object).
  bool status_subresource = true;
  // Objects on the host the virtual object names that are imported into its namespace when
  // they appear (a Secret a custom resource's host controller issues: ImportedObject), by
  // resource and virtual name; looked at after every sync of the object.
  struct Import {
    const kube::Resource* resource;
    std::string name;
  };
  std::function<std::vector<Import>(const nlohmann::json& virtual_object)> imports;
};

ObjectKind ConfigMapKind(const translate::SyncConfig& config);
ObjectKind SecretKind(const translate::SyncConfig& config);
ObjectKind PvcKind();
ObjectKind IngressKind();
ObjectKind EndpointSliceKind();
ObjectKind PriorityClassKind();
ObjectKind PodDisruptionBudgetKind();

class ObjectSyncer : public KindSyncer {
 public:
  ObjectSyncer(std::shared_ptr<const SyncContext> ctx, ObjectKind kind);
  ~ObjectSyncer() override { Stop(); }

  std::string name() const override { return kind_.resource.resource; }
  void Start() override;
  bool WaitForSync(std::chrono::milliseconds timeout) override;
  void Stop() override;

  // Copies the virtual object ns/name to the host now (if it exists) and keeps it synced.
  // NotFound when the virtual object does not exist.
  Status EnsureOnHost(const std::string& ns, const std::string& name);

  // Where the kind's `secrets` go. Set before Start; the Secret syncer outlives this one.
  void SetSecrets(ObjectSyncer* secrets) { secrets_ = secrets; }

 private:
  Status Reconcile(const std::string& key);
  Status Upsert(const nlohmann::json& virtual_object);
  Status CopyStatusBack(const nlohmann::json& virtual_object, const nlohmann::json& host_object);
  Status ImportReferenced(const nlohmann::json& virtual_object);
  // Where the copies live: the tenant's host namespace, or none for a cluster-scoped kind.
  std::string HostNamespace() const {
    return kind_.resource.namespaced ? ctx_->tenant.host_namespace : "";
  }
  std::string HostNameOf(const std::string& ns, const std::string& name) const {
    return kind_.resource.namespaced ? translate::HostName(name, ns, ctx_->tenant.name)
                                     : translate::HostClusterName(name, ctx_->tenant);
  }

  std::shared_ptr<const SyncContext> ctx_;
  ObjectKind kind_;
  Controller controller_;
  SyncedPair pair_;  // after controller_: it feeds and stops it
  std::mutex mu_;    // Upsert from the pod syncer's thread and our worker
  std::set<std::string> wanted_;
  ObjectSyncer* secrets_ = nullptr;
};

}  // namespace vc::syncer::sync
