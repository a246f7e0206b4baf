// SPDX-License-Identifier: Apache-2.0
// The syncer's health summary (sync_metrics.h SyncHealth) written to its own host pod, as the
// annotation `kubectl-vc.dev/sync-health`, where `kubectl vc describe` reads it with the pod it
// already shows: no port to reach, no right beyond reading pods. Written every `period` when
// it changed (its time aside), so a quiet cluster costs the host nothing.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "vc/cancel_token.h"
#include "vc/kube/client.h"
#include "vc/syncer/sync/sync_metrics.h"

namespace vc::syncer::run {

inline constexpr const char* kSyncHealthAnnotation = "kubectl-vc.dev/sync-health";

class SyncHealthReport {
 public:
  SyncHealthReport(std::shared_ptr<kube::Client> host, std::string namespace_, std::string pod,
                   std::shared_ptr<sync::SyncMetrics> metrics,
                   std::chrono::milliseconds period = std::chrono::seconds(10));
  ~SyncHealthReport() { Stop(); }

  void Start();
  void Stop();
  // One report, if it changed since the last one written. For tests and Start's loop.
  Status ReportOnce();

 private:
  std::shared_ptr<kube::Client> host_;
  const std::string namespace_;
  const std::string pod_;
  std::shared_ptr<sync::SyncMetrics> metrics_;
  const std::chrono::milliseconds period_;
  nlohmann::json last_written_;  // without "at"
  CancelToken stop_;
  std::thread thread_;
};

}  // namespace vc::syncer::run
