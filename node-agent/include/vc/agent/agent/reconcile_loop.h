// SPDX-License-Identifier: Apache-2.0
// ReconcileLoop: the agent's reconcile thread. It restores the last enforced policy first
// (NodeAgent::Restore, before any API call), then waits until the informers were started, and
// then runs a pass (NodeAgent::ReconcileOnce over AgentInformers::View) after every change,
// again every retry interval while a pass left work, and at least every resync period; until
// `stop` fires. No pass before every informer listed once: a partial view would read as "pods
// gone" and remove their entries.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "vc/agent/agent/agent_informers.h"
#include "vc/agent/agent/change_signal.h"
#include "vc/agent/agent/node_agent.h"
#include "vc/cancel_token.h"

namespace vc::agent {

struct ReconcileTiming {
  std::chrono::milliseconds retry_interval;  // after a pass that left work
  std::chrono::milliseconds resync_period;   // at the latest
};

class ReconcileLoop {
 public:
  // `stop` ends the loop; Stop fires it too.
  ReconcileLoop(NodeAgent& agent, AgentInformers& informers, ChangeSignal& changes,
                ReconcileTiming timing, CancelToken& stop);
  ~ReconcileLoop() { Stop(); }
  ReconcileLoop(const ReconcileLoop&) = delete;
  ReconcileLoop& operator=(const ReconcileLoop&) = delete;

  // Starts the thread, which restores at once.
  void Start();
  // True once the restore ran (successful or not): the informers may list.
  bool restored() const { return restored_; }
  // The informers were started: passes may begin.
  void InformersStarted();
  // Fires `stop` (the agent ends with its loop), wakes the thread and joins it.
  void Stop();

 private:
  void Run();
  void WaitForInformers();
  std::chrono::milliseconds NextPassWithin(bool synced) const;
  void Pass();

  NodeAgent& agent_;
  AgentInformers& informers_;
  ChangeSignal& changes_;
  const ReconcileTiming timing_;
  CancelToken& stop_;
  std::atomic<bool> restored_{false};
  std::mutex informers_mu_;
  std::condition_variable informers_cv_;
  bool informers_started_ = false;
  std::thread thread_;
};

}  // namespace vc::agent
