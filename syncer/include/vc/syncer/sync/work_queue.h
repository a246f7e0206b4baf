// SPDX-License-Identifier: Apache-2.0
// WorkQueue + Controller: client-go's rate-limited work queue and worker, small. A key is
// queued at most once; a key added while it is being processed is processed again after;
// a failed key is retried with per-key exponential backoff (base .. max), reset on success.
// A key waits for at most one delay, the earliest asked for (client-go's AddAfter): a
// reconcile that re-arms its timer on every run keeps one timer per key, and a retry after a
// failure comes first; a reconcile that needs a later time asks for it again when it runs.
// One worker thread per controller: a kind's reconciles never race each other.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "vc/status.h"
#include "vc/syncer/sync/sync_metrics.h"

namespace vc::syncer::sync {

class Controller {
 public:
  using Reconcile = std::function<Status(const std::string& key)>;

  Controller(std::string name, Reconcile reconcile,
             std::chrono::milliseconds base_backoff = std::chrono::milliseconds(200),
             std::chrono::milliseconds max_backoff = std::chrono::seconds(30));
  ~Controller();
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  // `origin`: which side's change this is, for the lag (sync_metrics.h).
  void Enqueue(const std::string& key, Origin origin = Origin::kOther);
  // Queues `key` once `delay` has passed (at once when it is not positive); a key already
  // waiting keeps the earlier of its two times.
  void EnqueueAfter(const std::string& key, std::chrono::milliseconds delay);
  void Start();
  void Stop();

  // Reports this controller's stats to `metrics` (until it is destroyed); `synced` counts the
  // objects it keeps synced, where there is such a count. Call before Start.
  void ReportTo(std::shared_ptr<SyncMetrics> metrics, std::function<size_t()> synced = nullptr);
  ControllerStats Stats() const;

  // For tests: keys waiting (queued or delayed) and being processed.
  size_t Pending() const;
  int failures(const std::string& key) const;

 private:
  using TimePoint = std::chrono::steady_clock::time_point;
  void Work();
  void DelayLocked(const std::string& key, TimePoint when);

  const std::string name_;
  const std::string label_;  // the metrics' controller label: "sync pods" -> "pods"
  const Reconcile reconcile_;
  const std::chrono::milliseconds base_backoff_;
  const std::chrono::milliseconds max_backoff_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  std::set<std::string> queued_;
  std::set<std::string> processing_;
  std::set<std::string> dirty_;                          // added while processing
  std::set<std::pair<TimePoint, std::string>> delayed_;  // by time
  std::map<std::string, TimePoint> delayed_until_;       // by key: one delay per key
  std::map<std::string, int> failures_;
  // The first informer event a key waits with, since its last successful reconcile.
  std::map<std::string, std::pair<TimePoint, Origin>> seen_;
  uint64_t reconciles_ = 0;
  uint64_t errors_ = 0;
  LagHistogram to_host_;
  LagHistogram to_virtual_;
  std::shared_ptr<SyncMetrics> metrics_;
  std::function<size_t()> synced_;
  bool stopped_ = false;
  std::thread worker_;
};

}  // namespace vc::syncer::sync
