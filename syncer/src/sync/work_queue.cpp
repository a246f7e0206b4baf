// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/sync/work_queue.h"

#include <algorithm>

#include "vc/log.h"

namespace vc::syncer::sync {

Controller::Controller(std::string name, Reconcile reconcile, std::chrono::milliseconds base,
                       std::chrono::milliseconds max)
    : name_(std::move(name)),
      reconcile_(std::move(reconcile)),
      base_backoff_(base),
      max_backoff_(max) {}

Controller::~Controller() { Stop(); }

void Controller::Enqueue(const std::string& key) {
  std::lock_guard lock(mu_);
  if (stopped_) return;
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
    lock.unlock();
    Status s = reconcile_(key);
    lock.lock();
    processing_.erase(key);
    if (s.ok()) {
      failures_.erase(key);
    } else {
      const int n = ++failures_[key];
      auto delay = base_backoff_ * (1LL << std::min(n - 1, 16));
      delay = std::min<std::chrono::milliseconds>(delay, max_backoff_);
      VC_LOG(Warning) << name_ << " " << key << ": " << s.message() << " (retry " << n << " in "
                      << delay.count() << "ms)";
      DelayLocked(key, std::chrono::steady_clock::now() + delay);
    }
    if (dirty_.erase(key) != 0 && queued_.insert(key).second) queue_.push_back(key);
  }
}

}  // namespace vc::syncer::sync
