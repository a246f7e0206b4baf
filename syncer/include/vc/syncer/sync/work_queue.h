// SPDX-License-Identifier: Apache-2.0
// WorkQueue + Controller: client-go's rate-limited work queue and worker, small. A key is
// queued at most once; a key added while it is being processed is processed again after;
// a failed key is retried with per-key exponential backoff (base .. max), reset on success.
// One worker thread per controller: a kind's reconciles never race each other.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "vc/status.h"

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

  void Enqueue(const std::string& key);
  void EnqueueAfter(const std::string& key, std::chrono::milliseconds delay);
  void Start();
  void Stop();

  // For tests: keys waiting (queued or delayed) and being processed.
  size_t Pending() const;
  int failures(const std::string& key) const;

 private:
  void Work();

  const std::string name_;
  const Reconcile reconcile_;
  const std::chrono::milliseconds base_backoff_;
  const std::chrono::milliseconds max_backoff_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  std::set<std::string> queued_;
  std::set<std::string> processing_;
  std::set<std::string> dirty_;  // added while processing
  std::multimap<std::chrono::steady_clock::time_point, std::string> delayed_;
  std::map<std::string, int> failures_;
  bool stopped_ = false;
  std::thread worker_;
};

}  // namespace vc::syncer::sync
