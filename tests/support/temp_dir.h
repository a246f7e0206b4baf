// SPDX-License-Identifier: Apache-2.0
// TempDir: a directory under $TMPDIR removed with everything in it when the object goes (also
// when the test fails). Unit, integration and privileged tests all use this one.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace vc::testing {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "vc-test") {
    std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace vc::testing
