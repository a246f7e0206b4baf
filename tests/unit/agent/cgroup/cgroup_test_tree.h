// SPDX-License-Identifier: Apache-2.0
// A throw-away directory tree standing in for /sys/fs/cgroup in unit tests: the locator and
// the v2 writer only see directories and small files, so a tree with the right names is
// enough to exercise them without privileges.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace vc::agent::testing {

class CgroupTestTree {
 public:
  CgroupTestTree() {
    std::string pattern = (std::filesystem::temp_directory_path() / "vc-cgroup-tree-XXXXXX");
    char* made = ::mkdtemp(pattern.data());
    EXPECT_NE(made, nullptr);
    root_ = pattern;
  }
  ~CgroupTestTree() {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  CgroupTestTree(const CgroupTestTree&) = delete;
  CgroupTestTree& operator=(const CgroupTestTree&) = delete;

  const std::filesystem::path& root() const { return root_; }

  void Dir(const std::string& relative) { std::filesystem::create_directories(root_ / relative); }

  void File(const std::string& relative, const std::string& content) {
    std::filesystem::create_directories((root_ / relative).parent_path());
    std::ofstream(root_ / relative) << content;
  }

  void Symlink(const std::string& target, const std::string& link) {
    std::filesystem::create_directory_symlink(target, root_ / link);
  }

  std::string Read(const std::string& relative) const {
    std::ifstream in(root_ / relative);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

 private:
  std::filesystem::path root_;
};

}  // namespace vc::agent::testing
