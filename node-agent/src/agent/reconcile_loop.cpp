// SPDX-License-Identifier: Apache-2.0
#include "vc/agent/agent/reconcile_loop.h"

#include <malloc.h>

#include <algorithm>

#include "vc/log.h"

namespace vc::agent {

ReconcileLoop::ReconcileLoop(NodeAgent& agent, AgentInformers& informers, ChangeSignal& changes,
                             ReconcileTiming timing, CancelToken& stop)
    : agent_(agent), informers_(informers), changes_(changes), timing_(timing), stop_(stop) {}

void ReconcileLoop::Start() {
  thread_ = std::thread([this] { Run(); });
}

void ReconcileLoop::InformersStarted() {
  std::lock_guard<std::mutex> lock(informers_mu_);
  informers_started_ = true;
  informers_cv_.notify_all();
}

void ReconcileLoop::Stop() {
  if (!thread_.joinable()) return;
  stop_.Cancel();
  {
    std::lock_guard<std::mutex> lock(informers_mu_);
    informers_cv_.notify_all();
  }
  changes_.Notify();
  thread_.join();
}

void ReconcileLoop::Run() {
  if (Status s = agent_.Restore(); !s.ok()) VC_LOG(Error) << s.ToString();
  restored_ = true;
  WaitForInformers();
  bool synced = false;
  while (!stop_.cancelled()) {
    changes_.Wait(NextPassWithin(synced), stop_);
    if (stop_.cancelled()) break;
    if (!informers_.Synced()) continue;
    if (!synced) {
      VC_LOG(Info) << "informers synced: " << informers_.pod_count() << " pods, "
                   << informers_.tenant_count() << " tenants";
      synced = true;
    }
    Pass();
  }
}

void ReconcileLoop::WaitForInformers() {
  std::unique_lock<std::mutex> lock(informers_mu_);
  informers_cv_.wait(lock, [&] { return informers_started_ || stop_.cancelled(); });
}

// Every wake-up is a pass: after a change, after the retry interval when the last pass left
// work, at the latest after the resync period. Until the informers synced, poll (an informer
// with nothing to list never calls a handler). Without the Tenant CRD, look for it again.
std::chrono::milliseconds ReconcileLoop::NextPassWithin(bool synced) const {
  auto interval = !synced               ? std::chrono::milliseconds(50)
                  : agent_.NeedsRetry() ? timing_.retry_interval
                                        : timing_.resync_period;
  if (!informers_.watching_tenants()) {
    interval = std::min<std::chrono::milliseconds>(interval, std::chrono::seconds(30));
  }
  return interval;
}

void ReconcileLoop::Pass() {
  ClusterView view = informers_.View();
  if (Status s = agent_.ReconcileOnce(view); !s.ok()) {
    VC_LOG(Warning) << "reconcile: " << s.ToString() << " (retrying)";
  }
  view = {};
  // A pass over thousands of pods copies the cache; give the freed heap back, or the RSS of a
  // DaemonSet on every node stays at its peak.
  ::malloc_trim(0);
}

}  // namespace vc::agent
