// SPDX-License-Identifier: Apache-2.0
// vc-syncer: see syncer/README.md.
#include <csignal>

#include "cmd/commands.h"
#include "vc/log.h"
#include "vc/syncer/run/termination_signals.h"

int main(int argc, char** argv) {
  // Every vc-syncer command serves sockets (the kubelet relay, health, snapshots): a peer that
  // hangs up while we write is an error return there, never a reason for the process to die.
  // Child processes (exec credential plugins) get the default back (posix_process_runner).
  std::signal(SIGPIPE, SIG_IGN);
  // Before anything can start a thread, so that every thread inherits the blocked mask and
  // only the watcher thread ever takes SIGTERM/SIGINT.
  if (vc::Status s = vc::syncer::run::TerminationSignals::BlockInThisProcess(); !s.ok()) {
    VC_LOG(Error) << s.message();
    return 1;
  }
  return vc::syncer::cmd::Main(argc, argv);
}
