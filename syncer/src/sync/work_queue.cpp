// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/sync/work_queue.h"

#include <algorithm>
#include <optional>

#include "vc/kube/retry_policy.h"
#include "vc/log.h"

namespace vc::syncer::sync {

Controller::Controller(std::string name, Reconcile reconcile, std::chrono::milliseconds base,
                       std::chrono::milliseconds max)
    : name_(std::move(name)),
      label_([this] {
        std::string label = name_.rfind("sync ", 0) == 0 ? name_.substr(5) : name_;
        std::replace(label.begin(), label.end(), ' ', '-');
        return label;
      }()),
      reconcile_(std::move(reconcile)),
      base_backoff_(base),
      max_backoff_(max) {}

Controller::~Controller() { Stop(); }

void Controller::ReportTo(std::shared_ptr<SyncMetrics> metrics, std::function<size_t()> synced) {
  if (!metrics) return;
  {
    std::lock_guard lock(mu_);
    metrics_ = metrics;
    synced_ = std::move(synced);
  }
  metrics->Add(this);
}

ControllerStats Controller::Stats() const {
  std::function<size_t()> synced;
  ControllerStats out;
  {
    std::lock_guard lock(mu_);
    out.controller = label_;
    // The backlog, each key once: queued, processing, or waiting to retry a failure. A timer
    // a reconcile set for later (a token's refresh) is no backlog.
    out.queued = queued_.size() + processing_.size();
    for (const auto& [key, n] : failures_) {
      if (queued_.count(key) == 0 && processing_.count(key) == 0) ++out.queued;
    }
    out.failing = failures_.size();
    out.reconciles = reconciles_;
    out.errors = errors_;
    out.to_host = to_host_;
    out.to_virtual = to_virtual_;
    synced = synced_;
  }
  if (synced) out.synced = synced();  // the informer's lock, not ours
  return out;
}

void Controller::Enqueue(const std::string& key, Origin origin) {
  std::lock_guard lock(mu_);
  if (stopped_) return;
  if (origin != Origin::kOther) {
    auto [it, inserted] = seen_.try_emplace(key, std::chrono::steady_clock::now(), origin);
    if (!inserted && it->second.second == Origin::kOther) it->second.second = origin;
  }
  if (processing_.count(key) != 0) {
    dirty_.insert(key);
    return;
  }
  if (queued_.insert(key).second) queue_.push_back(key);
  cv_.notify_one();
}

void Controller::EnqueueAfter(const std::string& key, std::chrono::milliseconds delay) {
  if (delay.count() <= 0) return Enqueue(key);
  std::lock_guard lock(mu_);
  if (stopped_) return;
  DelayLocked(key, std::chrono::steady_clock::now() + delay);
  cv_.notify_one();
}

void Controller::DelayLocked(const std::string& key, TimePoint when) {
  auto [it, inserted] = delayed_until_.emplace(key, when);
  if (!inserted) {
    if (it->second <= when) return;
    delayed_.erase({it->second, key});
    it->second = when;
  }
  delayed_.emplace(when, key);
}

void Controller::Start() {
  worker_ = std::thread([this] { Work(); });
}

void Controller::Stop() {
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
  // Before the caches `synced_` counts go: their owners stop this controller first.
  if (metrics_) metrics_->Remove(this);
}

size_t Controller::Pending() const {
  std::lock_guard lock(mu_);
  return queue_.size() + delayed_.size() + processing_.size();
}

int Controller::failures(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

void Controller::Work() {
  std::unique_lock lock(mu_);
  while (!stopped_) {
    const auto now = std::chrono::steady_clock::now();
    while (!delayed_.empty() && delayed_.begin()->first <= now) {
      const std::string key = delayed_.begin()->second;
      delayed_.erase(delayed_.begin());
      delayed_until_.erase(key);
      if (processing_.count(key) != 0) {
        dirty_.insert(key);
      } else if (queued_.insert(key).second) {
        queue_.push_back(key);
      }
    }
    if (queue_.empty()) {
      if (delayed_.empty()) {
        cv_.wait(lock);
      } else {
        cv_.wait_until(lock, delayed_.begin()->first);
      }
      continue;
    }
    const std::string key = queue_.front();
    queue_.pop_front();
    queued_.erase(key);
    processing_.insert(key);
    // What this reconcile answers; an event during it starts a new wait.
    std::optional<std::pair<TimePoint, Origin>> seen;
    if (auto it = seen_.find(key); it != seen_.end()) {
      seen = it->second;
      seen_.erase(it);
    }
    lock.unlock();
    Status s = reconcile_(key);
    lock.lock();
    processing_.erase(key);
    ++reconciles_;
    if (s.ok()) {
      failures_.erase(key);
      if (seen) {
        const double lag =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - seen->first).count();
        (seen->second == Origin::kVirtual ? to_host_ : to_virtual_).Observe(lag);
      }
    } else {
      ++errors_;
      if (seen) seen_.insert_or_assign(key, *seen);  // still waiting since then
      const int n = ++failures_[key];
      const auto delay = kube::ExponentialBackoff(base_backoff_, max_backoff_, n);
      VC_LOG(Warning) << name_ << " " << key << ": " << s.message() << " (retry " << n << " in "
                      << delay.count() << "ms)";
      DelayLocked(key, std::chrono::steady_clock::now() + delay);
    }
    if (dirty_.erase(key) != 0 && queued_.insert(key).second) queue_.push_back(key);
  }
}

}  // namespace vc::syncer::sync
