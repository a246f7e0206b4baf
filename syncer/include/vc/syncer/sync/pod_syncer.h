// SPDX-License-Identifier: Apache-2.0
// PodSyncer: virtual pods run as host pods (pod_translator.h), and the host tells the virtual
// cluster how they are doing.
//  - create: the pod's policy verdict first (refused: an Event and a PodScheduled=False
//    condition in the virtual cluster, nothing on the host), and the host RuntimeClass for
//    the one it names (none with that handler, or no runtime classes synced: refused
//    alike); then what it references
//    (ConfigMaps, Secrets, the token Secret filled by TokenRequest in the virtual cluster),
//    then the host pod. The token Secret is owned by the host pod, so the host's garbage
//    collector removes it with the pod.
//  - tokens: as kubelet does for projected tokens, each token in the Secret is replaced once
//    80% of its lifetime has passed (translate/pod_tokens.h decides, from the lifetimes the
//    Secret records); the pod's key is queued again for the earliest refresh time. The token
//    Secrets are watched (their label), so a restarted syncer, or a Secret deleted or edited
//    behind its back, converges from what the Secret says.
//  - scheduled: once the host scheduler placed the host pod, its node appears in the virtual
//    cluster (NodeSyncer) and the virtual pod is bound to it (the binding subresource: the
//    virtual cluster has no scheduler).
//  - status: phase, conditions, IPs and container statuses copied back on every change.
//  - delete: a virtual pod being deleted deletes the host pod, then is released (grace 0); a
//    host pod deleted behind our back deletes the bound virtual pod (its controller makes a
//    new one); a host pod whose virtual uid no longer exists (the virtual pod was recreated
//    under the same name) is deleted and made again.
#pragma once

#include <memory>
#include <vector>

#include "vc/kube/informer.h"
#include "vc/syncer/sync/host_class_syncer.h"
#include "vc/syncer/sync/node_syncer.h"
#include "vc/syncer/sync/object_syncer.h"
#include "vc/syncer/sync/service_syncer.h"
#include "vc/syncer/sync/sync_context.h"
#include "vc/syncer/sync/synced_pair.h"
#include "vc/syncer/sync/work_queue.h"

namespace vc::syncer::sync {

class PodSyncer : public KindSyncer {
 public:
  // `config_maps`, `secrets` may be null (their sync disabled): references are then not synced.
  PodSyncer(std::shared_ptr<const SyncContext> ctx, ObjectSyncer* config_maps,
            ObjectSyncer* secrets, ObjectSyncer* pvcs);
  ~PodSyncer() override { Stop(); }

  std::string name() const override { return "pods"; }
  void SetNodes(NodeSyncer* nodes) { nodes_ = nodes; }
  // Where the virtual Services come from for pods' service links (null: none).
  void SetServices(const ServiceSyncer* services) { services_ = services; }
  // The host RuntimeClasses (sync.fromHost.runtimeClasses; null: a pod naming one is refused).
  // sync.fromHost.priorityClasses: the host's classes a pod may run with.
  void SetHostPriorityClasses(const HostClassSyncer* classes) { host_priority_classes_ = classes; }
  void SetRuntimeClasses(const HostClassSyncer* runtime_classes) {
    runtime_classes_ = runtime_classes;
  }
  // The PriorityClasses copied to the host (sync.toHost.priorityClasses; null: off).
  void SetPriorityClasses(ObjectSyncer* priority_classes) { priority_classes_ = priority_classes; }
  void Start() override;
  bool WaitForSync(std::chrono::milliseconds timeout) override;
  void Stop() override;

  // Virtual pods bound to `node` (-1 before the cache is filled: "don't know").
  int BoundPods(const std::string& node) const;
  // The virtual pod a host pod (by name) was synced from, from the caches.
  std::optional<nlohmann::json> VirtualPodOf(const std::string& host_pod) const;

 private:
  using PodNames = KeyNames;
  Status Reconcile(const std::string& key);
  // The virtual pod is gone: so goes its host pod, once the server confirms it.
  Status DeleteOrphanedHostPod(const PodNames& pod, const nlohmann::json& hpod);
  // The host pod is an earlier virtual pod's: deleted now, the key looked at again after it.
  Status ClearEarlierHostPod(const PodNames& pod, const nlohmann::json& hpod);
  // The virtual pod is being deleted: the host pod follows, then the virtual one goes.
  Status FollowVirtualDelete(const PodNames& pod, const nlohmann::json& vpod,
                             const std::optional<nlohmann::json>& hpod);
  // No host pod: created, unless it ran once and was deleted behind our back.
  Status CreateOrNoteLostHostPod(const PodNames& pod, const nlohmann::json& vpod);
  // Both exist: resize and update the host pod, bind the virtual one, copy status back.
  Status KeepPairInLine(const PodNames& pod, const nlohmann::json& vpod,
                        const nlohmann::json& hpod);
  bool RanOnHost(const nlohmann::json& vpod) const;
  Status CreateOnHost(const nlohmann::json& vpod);
  // Nothing on the host: a Warning Event SyncRefused and PodScheduled=False with `message`.
  Status Refuse(const nlohmann::json& vpod, const std::string& message);
  // The host RuntimeClass the pod runs with ("" when it names none), or why it cannot run.
  StatusOr<std::string> HostRuntimeClass(const nlohmann::json& vpod, std::string* refusal);
  StatusOr<std::string> HostPriorityClass(const nlohmann::json& vpod);
  Status AddEphemeralContainers(const nlohmann::json& vpod, const nlohmann::json& hpod);
  translate::PodEnvironment PodEnvironmentFor(const nlohmann::json& vpod);  // worker thread only
  Status EnsureReferences(const std::string& ns, const translate::PodReferences& refs);
  // Creates or refreshes the pod's token Secret as translate::PlanTokenRefresh says, and
  // queues the pod again for the next refresh. `host_pod` (null before it exists) owns it.
  Status EnsureTokens(const nlohmann::json& vpod, const nlohmann::json* host_pod);
  // Requests `tokens` and writes them into the Secret (`secret`; null: created).
  StatusOr<nlohmann::json> WriteTokens(const nlohmann::json& vpod,
                                       const std::vector<translate::TokenProjection>& tokens,
                                       const nlohmann::json& secret,
                                       const nlohmann::json* host_pod);
  StatusOr<nlohmann::json> LiveTokenSecret(const std::string& name);  // null when NotFound
  Status CopyStatusBack(const nlohmann::json& vpod, const nlohmann::json& hpod);
  // A patch of the virtual pod's status subresource; a pod gone meanwhile is no error.
  Status PatchVirtualStatus(const nlohmann::json& vpod, kube::PatchType type,
                            const nlohmann::json& patch);
  Status EnsureTerminal(const nlohmann::json& vpod);
  Status DeleteVirtual(const nlohmann::json& vpod, const std::string& why);
  Status Bind(const nlohmann::json& vpod, const std::string& node);
  std::string DnsIp();  // worker thread only

  std::shared_ptr<const SyncContext> ctx_;
  ObjectSyncer* config_maps_;
  ObjectSyncer* secrets_;
  ObjectSyncer* pvcs_;
  NodeSyncer* nodes_ = nullptr;
  const ServiceSyncer* services_ = nullptr;
  const HostClassSyncer* runtime_classes_ = nullptr;
  const HostClassSyncer* host_priority_classes_ = nullptr;
  ObjectSyncer* priority_classes_ = nullptr;
  std::string dns_ip_;
  Controller controller_;
  SyncedPair pair_;                                // after controller_: it feeds and stops it
  std::unique_ptr<kube::Informer> token_secrets_;  // host token Secrets, without their tokens
};

}  // namespace vc::syncer::sync
