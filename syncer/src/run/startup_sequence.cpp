// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/run/startup_sequence.h"

#include "vc/log.h"

namespace vc::syncer::run {

Status StartupSequence::Run() {
  Status result;
  for (const auto& step : steps_) {
    VC_LOG(Debug) << "step: " << step.name;
    ran_.push_back(step.name);
    if (Status s = step.fn(); !s.ok()) {
      result = s.Annotate(step.name);
      break;
    }
  }
  for (auto it = teardowns_.rbegin(); it != teardowns_.rend(); ++it) {
    VC_LOG(Debug) << "teardown: " << it->name;
    ran_.push_back(it->name);
    if (Status s = it->fn(); !s.ok()) {
      VC_LOG(Error) << it->name << ": " << s.message();
      if (result.ok()) result = s.Annotate(it->name);
    }
  }
  return result;
}

}  // namespace vc::syncer::run
