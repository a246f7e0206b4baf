// SPDX-License-Identifier: Apache-2.0
// StartupSequence: a daemon's life as a list of small named steps (falco's app/actions), so a
// later feature (an informer, a per-kind syncer, the kubelet API) slots in as one more step.
// vc-syncer run and vc-node-agent both start this way.
//
// Each step returns ok (go on), an error (stop; the sequence fails) or StopHere (stop,
// successfully: a daemon that was only asked to print something). A step may come with its
// own teardown, which undoes what the step did. Steps run in order until one fails or stops
// the sequence; then the teardowns of the steps that ran and did not fail all run, in reverse
// order, whatever happens after (a later step or another teardown failing). A step that fails
// undoes its own partial work before it returns: its teardown does not run.
//
//   StartupSequence seq;
//   seq.AddStep("load clients", [&] { return LoadClients(&state); });
//   seq.AddStep("serve health endpoints", [&] { return ServeHealth(&state); },
//               {"stop health endpoints", [&] { return StopHealth(&state); }});
//   Status s = seq.Run();
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "vc/status.h"

namespace vc {

// What a step returns. Implicit from Status, so a step that only succeeds or fails returns one.
class StepResult {
 public:
  StepResult(Status status) : status_(std::move(status)) {}  // NOLINT(google-explicit-constructor)

  static StepResult Ok() { return StepResult(Status::Ok()); }
  // Stop the sequence here, successfully (falco's proceed = false).
  static StepResult StopHere() {
    StepResult result(Status::Ok());
    result.stop_here_ = true;
    return result;
  }

  bool ok() const { return status_.ok(); }
  bool stop_here() const { return stop_here_; }
  const Status& status() const { return status_; }

 private:
  Status status_;
  bool stop_here_ = false;
};

class StartupSequence {
 public:
  using StepFn = std::function<StepResult()>;
  using TeardownFn = std::function<Status()>;

  // What undoes a step; an empty `fn` means the step has nothing to undo.
  struct Teardown {
    std::string name;
    TeardownFn fn;
  };

  void AddStep(std::string name, StepFn run, Teardown teardown = {}) {
    steps_.push_back({std::move(name), std::move(run), std::move(teardown)});
  }

  // Runs the sequence once. The first failure, annotated with the step's name ("wait for
  // virtual apiserver: ..."); a teardown failure is returned only when every step succeeded,
  // and logged either way.
  Status Run();

  // Names of the steps and teardowns that ran (completed or failed), in order: for tests and
  // the log.
  const std::vector<std::string>& ran() const { return ran_; }
  // The step that stopped the sequence successfully (StopHere), or "".
  const std::string& stopped_at() const { return stopped_at_; }

 private:
  struct Step {
    std::string name;
    StepFn run;
    Teardown teardown;
  };
  // Runs the teardowns of `done` in reverse; the first failure goes into `result` if it is ok.
  void RunTeardowns(const std::vector<const Step*>& done, Status* result);

  std::vector<Step> steps_;
  std::vector<std::string> ran_;
  std::string stopped_at_;
};

}  // namespace vc
