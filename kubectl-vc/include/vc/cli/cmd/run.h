// SPDX-License-Identifier: Apache-2.0
// `kubectl vc ARGS...` in-process: what the binary's main runs, and what the verb tests drive
// with captured streams and a fake host (kubectl's IOStreams and cmdtesting.NewTestFactory).
//
//   std::istringstream in;
//   std::ostringstream out, err;
//   int code = Run({"list", "-n", "team"}, {.in = in, .out = out, .err = err}, hosts);
#pragma once

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "vc/cancel_token.h"
#include "vc/cli/host.h"

namespace vc::cli::cmd {

// Where a command reads (`-f -`), writes its data (out) and its progress, hints and errors
// (err), and the token long-running verbs stop on. The binary's interrupt is Ctrl-C, asked
// for only by the verbs that wait (the first use installs the signal handlers); without one
// nothing cancels.
struct Streams {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  std::function<const CancelToken*()> interrupt = [] { return nullptr; };
};

// Runs the verb in `args` (the words after `kubectl vc`) and returns its exit status: 0, or 1
// with `error: ...` on err.
int Run(std::vector<std::string> args, const Streams& streams, const HostFactory& hosts);

// The binary: Run over argv with the process's streams, environment, kubeconfig and Ctrl-C.
int Main(int argc, char** argv);

}  // namespace vc::cli::cmd
