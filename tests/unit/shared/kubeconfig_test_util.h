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

#include "vc/kube/kubeconfig.h"

namespace vc::kube::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "vc-kubeconfig-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string path() const { return path_; }
  // Writes `text` to path()/name (creating directories) and returns the full path.
  std::string Write(const std::string& name, const std::string& text, int mode = 0600) const {
    std::filesystem::path p = std::filesystem::path(path_) / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
    ::chmod(p.c_str(), static_cast<mode_t>(mode));
    return p.string();
  }

 private:
  std::string path_;
};

// A clock tests move by hand.
struct FakeClock {
  std::chrono::system_clock::time_point now =
      std::chrono::system_clock::from_time_t(1'700'000'000);
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
