// SPDX-License-Identifier: Apache-2.0
// The verbs of `kubectl vc`. Each src/cmd/<verb>.cpp registers one subcommand: it declares the
// flags, and on parse sets *action to a function that turns them into the module call
// (lifecycle/, connect/, ...) and an exit status. The logic lives in the modules; the verbs read
// and write only the streams and reach the host only through the factory that Run
// (vc/cli/cmd/run.h) was given, so tests/unit/cli/cmd runs each one in-process against a fake
// host.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "vc/cli/cmd/run.h"
#include "vc/cli/host.h"
#include "vc/cli/lifecycle/lifecycle.h"
#include "vc/cli/values/resolve.h"
#include "vc/status.h"

namespace vc::cli::cmd {

// Flags every verb accepts (kubectl's names), filled in before an action runs.
struct GlobalOptions {
  HostOptions host;
  int verbosity = 0;  // -v N: 0 progress only, 4 requests, 6+ everything
  // Everything after `--` (connect runs it against the virtual cluster); Run takes it out of
  // the arguments before CLI11 parses, so a command's own flags are never ours.
  std::vector<std::string> command;
  // Run's streams and host factory, for as long as the verb runs.
  const Streams* streams = nullptr;
  const HostFactory* hosts = nullptr;

  std::istream& In() const { return streams->in; }
  std::ostream& Out() const { return streams->out; }  // data
  std::ostream& Err() const { return streams->err; }  // progress, hints, errors
  const CancelToken* Interrupt() const { return streams->interrupt(); }
};

using Action = std::function<int()>;

void AddCreateCommand(CLI::App& app, GlobalOptions& globals, Action* action);
void AddListCommand(CLI::App& app, GlobalOptions& globals, Action* action);
void AddDescribeCommand(CLI::App& app, GlobalOptions& globals, Action* action);
void AddConnectCommands(CLI::App& app, GlobalOptions& globals, Action* action);
void AddPauseResumeCommands(CLI::App& app, GlobalOptions& globals, Action* action);
void AddUpgradeCommand(CLI::App& app, GlobalOptions& globals, Action* action);
void AddDeleteCommand(CLI::App& app, GlobalOptions& globals, Action* action);
void AddVersionCommand(CLI::App& app, GlobalOptions& globals, Action* action);
void AddNodeCommand(CLI::App& app, GlobalOptions& globals, Action* action);
void AddSnapshotCommands(CLI::App& app, GlobalOptions& globals, Action* action);
void AddCompletionCommands(CLI::App& app, GlobalOptions& globals, Action* action);

// `kubectl-vc __complete WORDS...` (cobra's protocol, for kubectl_complete-vc): candidates for
// the last word, one a line, then `:DIRECTIVE`. Run calls it before parsing: WORDS are not ours
// to validate.
int Complete(CLI::App& root, GlobalOptions& globals, std::vector<std::string> words);

// -f/--values arguments as values sources: files, and "-" for `in` (stdin).
std::vector<values::ValuesSource> ValuesSources(const std::vector<std::string>& files,
                                                std::istream& in);

// Prints `error: MESSAGE` (each further line of the message indented) on err; returns 1.
int Fail(std::ostream& err, const Status& status);
// 0 when ok, else Fail(err, status).
int ExitCode(std::ostream& err, const Status& status);

// sleepMode: before connecting, a sleeping `info` is resumed (connect waits for it, progress on
// err); and the command the forwarder runs to wake it later (`kubectl-vc resume NAME -n NS
// --if-sleeping --no-wait`, with the host's --kubeconfig/--context).
Status WakeIfSleeping(const HostCluster& host, const lifecycle::Info& info,
                      std::chrono::milliseconds timeout, std::ostream& err);
std::vector<std::string> WakeCommand(const HostCluster& host, const lifecycle::Info& info);

}  // namespace vc::cli::cmd
