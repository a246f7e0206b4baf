// SPDX-License-Identifier: Apache-2.0
// StartupSequence: a daemon's life as a list of small named steps (falco's app/actions), so
// later features (informers, per-kind syncers, the kubelet API) slot in as one more step.
// Steps run in order until one fails; teardown steps then all run, in reverse order of
// registration, whether the steps succeeded or not (a listener opened before a failure is
// still closed).
//
//   StartupSequence seq;
//   seq.AddStep("load clients", [&] { return LoadClients(&state); });
//   seq.AddTeardown("stop health server", [&] { return state.health->Stop(), Status::Ok(); });
//   Status s = seq.Run();
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "vc/status.h"

namespace vc::syncer::run {

class StartupSequence {
 public:
  using Fn = std::function<Status()>;

  void AddStep(std::string name, Fn fn) { steps_.push_back({std::move(name), std::move(fn)}); }
  void AddTeardown(std::string name, Fn fn) {
    teardowns_.push_back({std::move(name), std::move(fn)});
  }

  // The first failure, annotated with the step's name ("wait for virtual apiserver: ...");
  // a teardown failure is returned only when every step succeeded, and logged either way.
  Status Run();

  // Names of the steps that ran (completed or failed), in order: for tests and the log.
  const std::vector<std::string>& ran() const { return ran_; }

 private:
  struct Step {
    std::string name;
    Fn fn;
  };
  std::vector<Step> steps_;
  std::vector<Step> teardowns_;
  std::vector<std::string> ran_;
};

}  // namespace vc::syncer::run
