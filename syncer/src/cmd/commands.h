// SPDX-License-Identifier: Apache-2.0
// The vc-syncer command line: flags -> Options -> Run (kubectl's pattern). Thin on purpose;
// the work lives in init/ and run/, which tests call without a process.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace vc::syncer::cmd {

// Registers the subcommand; after a successful parse `*action` runs it and returns the exit
// code.
void AddInitCommand(CLI::App& app, std::function<int()>* action);
void AddRunCommand(CLI::App& app, std::function<int()>* action);
void AddSnapshotServerCommand(CLI::App& app, std::function<int()>* action);
void AddWakeCommand(CLI::App& app, std::function<int()>* action);
void AddHostsFileCommand(CLI::App& app, std::function<int()>* action);

// The whole CLI. main() blocks the termination signals first, then calls this.
int Main(int argc, char** argv);

}  // namespace vc::syncer::cmd
