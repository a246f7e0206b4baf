// SPDX-License-Identifier: Apache-2.0
// Helpers for the kubeconfig tests: a private temp dir, a controllable clock, a fake runner.
#pragma once

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/temp_dir.h"
#include "vc/kube/kubeconfig.h"

namespace vc::kube::testing {

// support/temp_dir.h's, plus files written into it.
class TempDir : public vc::testing::TempDir {
 public:
  TempDir() : vc::testing::TempDir("vc-kubeconfig") {}
  // Writes `text` to path()/name (creating directories) and returns the full path.
  std::string Write(const std::string& name, const std::string& text, int mode = 0600) const {
    std::filesystem::path p = std::filesystem::path(path()) / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
    ::chmod(p.c_str(), static_cast<mode_t>(mode));
    return p.string();
  }
};

// A clock tests move by hand.
struct FakeClock {
  std::chrono::system_clock::time_point now = std::chrono::system_clock::from_time_t(1'700'000'000);
  Clock AsClock() {
    return [this] { return now; };
  }
};

// Records what it was asked to run and answers with a canned result.
class FakeRunner : public ProcessRunner {
 public:
  StatusOr<ProcessResult> Run(const ProcessSpec& spec) override {
    specs.push_back(spec);
    if (!start_error.ok()) return start_error;
    return result;
  }
  std::string EnvOf(size_t call, const std::string& key) const {
    for (const auto& kv : specs.at(call).env) {
      if (kv.rfind(key + "=", 0) == 0) return kv.substr(key.size() + 1);
    }
    return "<unset>";
  }

  std::vector<ProcessSpec> specs;
  ProcessResult result;
  Status start_error;
};

}  // namespace vc::kube::testing
