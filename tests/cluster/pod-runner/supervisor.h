// SPDX-License-Identifier: Apache-2.0
// One pod's processes: init containers run to completion in order, then every container runs
// and is restarted when it exits (restartPolicy Always, with backoff), until Stop().
#pragma once

#include <sys/types.h>

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pod_plan.h"
#include "vc/cancel_token.h"

namespace vc::testing {

class PodSupervisor {
 public:
  PodSupervisor(std::string key, PodPlan plan, std::string log_dir);
  ~PodSupervisor();
  PodSupervisor(const PodSupervisor&) = delete;
  PodSupervisor& operator=(const PodSupervisor&) = delete;

  void Start();
  // SIGTERM to every process, SIGKILL after `grace`; returns once all are gone.
  void Stop(std::chrono::seconds grace);

 private:
  void Run();
  pid_t Spawn(const ProcessPlan& p);
  pid_t Launch(const ProcessPlan& p);
  void Forget(const std::string& container);
  // Waits for `pid` or cancellation; its exit status, or -1 when cancelled.
  int Wait(pid_t pid);

  const std::string key_;
  const PodPlan plan_;
  const std::string log_dir_;
  CancelToken stop_;
  std::thread thread_;
  std::mutex mu_;
  std::map<std::string, pid_t> running_;  // container -> pid
};

}  // namespace vc::testing
