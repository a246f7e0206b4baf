// SPDX-License-Identifier: Apache-2.0
// Runs a child process to completion and collects its output. Exec credential plugins use it;
// unit tests inject a fake so no process is started.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "vc/status.h"

namespace vc::kube {

struct ProcessSpec {
  // A path, or a bare name looked up in the PATH of `env` (the caller's PATH if `env` has none).
  std::string command;
  std::vector<std::string> args;
  std::vector<std::string> env;  // the complete environment, "KEY=VALUE"; nothing is inherited
  // 0 means none. On expiry the child's whole process group is killed.
  std::chrono::milliseconds timeout{0};
};

struct ProcessResult {
  int exit_code = 0;  // 128 + signal number when killed by a signal
  bool timed_out = false;
  std::string stdout_data;
  std::string stderr_data;
};

class ProcessRunner {
 public:
  virtual ~ProcessRunner() = default;
  // An error only when the process could not be started: NotFound when the command does not
  // exist or is not executable. A non-zero exit or a timeout is a result, not an error.
  virtual StatusOr<ProcessResult> Run(const ProcessSpec& spec) = 0;
};

// The real one: posix_spawn, stdin from /dev/null, stdout/stderr through pipes (each capped at
// 16 MiB), the child in its own process group.
std::shared_ptr<ProcessRunner> NewPosixProcessRunner();

}  // namespace vc::kube
