// SPDX-License-Identifier: Apache-2.0
// Reachability: whether the calls through one client last reached their server. A call that
// could not (refused, reset, timed out) marks it unreachable; the next call that gets any HTTP
// answer marks it reachable again, counts a recovery and tells every subscriber. An informer
// backing off from an outage subscribes, so that after an apiserver restart the first answer
// to any call ends every informer's wait, instead of each sleeping out up to its max backoff.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

namespace vc::kube {

class Reachability : public std::enable_shared_from_this<Reachability> {
 public:
  // Unsubscribes when destroyed; after that its callback never runs again.
  class Subscription {
   public:
    Subscription() = default;
    Subscription(std::shared_ptr<Reachability> owner, uint64_t id)
        : owner_(std::move(owner)), id_(id) {}
    ~Subscription() { Reset(); }
    Subscription(Subscription&& other) noexcept : owner_(std::move(other.owner_)), id_(other.id_) {}
    Subscription& operator=(Subscription&& other) noexcept {
      Reset();
      owner_ = std::move(other.owner_);
      id_ = other.id_;
      return *this;
    }
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;
    void Reset();

   private:
    std::shared_ptr<Reachability> owner_;
    uint64_t id_ = 0;
  };

  // A call could not reach the server.
  void Failed();
  // A call got an HTTP answer (whatever its status).
  void Answered();
  // Recoveries so far (unreachable -> answered).
  uint64_t recoveries() const { return recoveries_.load(); }
  // `on_recovery` runs (on the answering call's thread, under a lock: keep it short and do not
  // call back into this object) at the next recovery, or at once if recoveries() has moved
  // past `seen` already.
  [[nodiscard]] Subscription Subscribe(uint64_t seen, std::function<void()> on_recovery);

 private:
  std::atomic<bool> unreachable_{false};
  std::atomic<uint64_t> recoveries_{0};
  std::mutex mu_;
  uint64_t next_id_ = 1;
  std::map<uint64_t, std::function<void()>> subscribers_;
};

}  // namespace vc::kube
