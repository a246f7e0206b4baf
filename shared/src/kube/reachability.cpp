// SPDX-License-Identifier: Apache-2.0
#include "vc/kube/reachability.h"

namespace vc::kube {

void Reachability::Subscription::Reset() {
  if (owner_ == nullptr) return;
  {
    std::lock_guard<std::mutex> lock(owner_->mu_);
    owner_->subscribers_.erase(id_);
  }
  owner_.reset();
}

void Reachability::Failed() { unreachable_.store(true); }

void Reachability::Answered() {
  if (!unreachable_.load()) return;  // the common case: no lock per call
  std::lock_guard<std::mutex> lock(mu_);
  if (!unreachable_.exchange(false)) return;  // another answer got here first
  recoveries_.fetch_add(1);
  for (const auto& [id, callback] : subscribers_) callback();
}

Reachability::Subscription Reachability::Subscribe(uint64_t seen,
                                                   std::function<void()> on_recovery) {
  std::lock_guard<std::mutex> lock(mu_);
  if (recoveries_.load() != seen) on_recovery();
  const uint64_t id = next_id_++;
  subscribers_.emplace(id, std::move(on_recovery));
  return Subscription(shared_from_this(), id);
}

}  // namespace vc::kube
