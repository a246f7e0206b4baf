// SPDX-License-Identifier: Apache-2.0
// NodeSyncer: the virtual cluster's nodes (node_translator.h for what they look like).
//  - pseudo mode: EnsureNode(name) when a pod lands on a host node; a pseudo node no virtual
//    pod is bound to any more is deleted.
//  - selected/all modes: a host node informer (needs the ClusterRole kubectl-vc renders when
//    sync.fromHost.nodes is on); matching host nodes are mirrored with their labels, nodes
//    that stop matching are removed. A pod on an unselected node still gets a pseudo node.
//    With syncBackChanges (trust high), the tenant's label, taint and extended-resource
//    changes on a mirror go to the host node (translate::ChangesBack).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "vc/kube/informer.h"
#include "vc/syncer/sync/sync_context.h"
#include "vc/syncer/sync/work_queue.h"

namespace vc::syncer::sync {

class NodeSyncer : public KindSyncer {
 public:
  // `bound_pods(node)`: how many virtual pods are bound to the node (the pod syncer's cache).
  NodeSyncer(std::shared_ptr<const SyncContext> ctx,
             std::function<int(const std::string&)> bound_pods);
  ~NodeSyncer() override { Stop(); }

  std::string name() const override { return "nodes"; }
  void Start() override;
  bool WaitForSync(std::chrono::milliseconds timeout) override;
  void Stop() override;

  Status EnsureNode(const std::string& name);
  // A pod left the node: maybe the pseudo node goes too.
  void NodeMayBeUnused(const std::string& name) { controller_.Enqueue(name); }

 private:
  Status Reconcile(const std::string& name);
  Status Mirror(const std::optional<nlohmann::json>& have, nlohmann::json host_node);
  // Makes the virtual node `want`; `have`: the virtual node now, if any.
  Status Upsert(const nlohmann::json& want, const std::optional<nlohmann::json>& have);
  bool RealMode() const { return ctx_->config.nodes != translate::NodeSyncMode::kPseudo; }
  bool Selected(const nlohmann::json& host_node) const;
  nlohmann::json Virtual(const nlohmann::json& host_node) const;  // RealNode for this tenant

  std::shared_ptr<const SyncContext> ctx_;
  std::function<int(const std::string&)> bound_pods_;
  std::unique_ptr<kube::Informer> virtual_;
  std::unique_ptr<kube::Informer> host_;  // real modes only
  Controller controller_;
  std::mutex mu_;
};

}  // namespace vc::syncer::sync
