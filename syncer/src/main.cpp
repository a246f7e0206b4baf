// SPDX-License-Identifier: Apache-2.0
// vc-syncer: see syncer/README.md.
#include "cmd/commands.h"
#include "vc/log.h"
#include "vc/syncer/run/termination_signals.h"

int main(int argc, char** argv) {
  // Before anything can start a thread, so that every thread inherits the blocked mask and
  // only the watcher thread ever takes SIGTERM/SIGINT.
  if (vc::Status s = vc::syncer::run::TerminationSignals::BlockInThisProcess(); !s.ok()) {
    VC_LOG(Error) << s.message();
    return 1;
  }
  return vc::syncer::cmd::Main(argc, argv);
}
