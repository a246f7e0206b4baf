// SPDX-License-Identifier: Apache-2.0
#include "vc/startup_sequence.h"

#include "vc/log.h"

namespace vc {

Status StartupSequence::Run() {
  Status result;
  std::vector<const Step*> done;  // ok or StopHere: their teardowns run
  for (const Step& step : steps_) {
    VC_LOG(Debug) << "step: " << step.name;
    ran_.push_back(step.name);
    const StepResult outcome = step.run();
    if (!outcome.ok()) {
      result = outcome.status().Annotate(step.name);
      break;
    }
    done.push_back(&step);
    if (outcome.stop_here()) {
      VC_LOG(Debug) << "step " << step.name << ": nothing more to do";
      stopped_at_ = step.name;
      break;
    }
  }
  RunTeardowns(done, &result);
  return result;
}

void StartupSequence::RunTeardowns(const std::vector<const Step*>& done, Status* result) {
  for (auto it = done.rbegin(); it != done.rend(); ++it) {
    const Teardown& teardown = (*it)->teardown;
    if (!teardown.fn) continue;
    VC_LOG(Debug) << "teardown: " << teardown.name;
    ran_.push_back(teardown.name);
    if (Status s = teardown.fn(); !s.ok()) {
      VC_LOG(Error) << teardown.name << ": " << s.message();
      if (result->ok()) *result = s.Annotate(teardown.name);
    }
  }
}

}  // namespace vc
