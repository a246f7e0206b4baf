// SPDX-License-Identifier: Apache-2.0
// SyncedPair: what every virtual<->host syncer of one kind is built on. Two caches — the kind in
// the virtual cluster (all namespaces) and its synced copies in the tenant's host namespace
// (translate::SyncedSelector) — that feed one Controller with virtual keys. The controller only
// starts once both caches have synced, so a reconcile never takes "not in the host cache yet"
// for "deleted".
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>

#include "vc/kube/informer.h"
#include "vc/syncer/sync/sync_context.h"
#include "vc/syncer/sync/work_queue.h"

namespace vc::syncer::sync {

class SyncedPair {
 public:
  // `on_delete`, when set, runs after the key of a deleted object (of either side) is queued.
  SyncedPair(const SyncContext& ctx, const kube::Resource& resource, Controller* controller,
             std::function<void(const nlohmann::json&)> on_delete = nullptr);
  ~SyncedPair() { Stop(); }

  void Start();
  // Both caches synced within `timeout`; then the controller starts.
  bool WaitForSync(std::chrono::milliseconds timeout);
  void Stop();

  kube::Informer& virtual_cache() { return *virtual_; }
  kube::Informer& host_cache() { return *host_; }
  const kube::Informer& virtual_cache() const { return *virtual_; }
  const kube::Informer& host_cache() const { return *host_; }

 private:
  Controller* controller_;
  std::unique_ptr<kube::Informer> virtual_;
  std::unique_ptr<kube::Informer> host_;
};

}  // namespace vc::syncer::sync
