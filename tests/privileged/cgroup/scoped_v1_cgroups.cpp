// SPDX-License-Identifier: Apache-2.0
#include "privileged/cgroup/scoped_v1_cgroups.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <thread>

namespace vc::agent::testing {
namespace {

namespace fs = std::filesystem;

std::string RandomSuffix() {
  std::random_device device;
  std::ostringstream out;
  out << std::hex << device() << device();
  return out.str();
}

std::vector<pid_t> ReadPids(const fs::path& procs) {
  std::ifstream in(procs);
  std::vector<pid_t> pids;
  pid_t pid = 0;
  while (in >> pid) pids.push_back(pid);
  return pids;
}

}  // namespace

ScopedV1Cgroups::ScopedV1Cgroups(fs::path cgroup_root)
    : root_(std::move(cgroup_root)), prefix_("vc-test-" + RandomSuffix()) {}

bool ScopedV1Cgroups::Available(const fs::path& cgroup_root) {
  std::error_code ec;
  for (const char* controller : kControllers) {
    if (!fs::exists(cgroup_root / controller / "cgroup.procs", ec)) return false;
  }
  // A v1 cpu hierarchy has cfs files at its root; a v2 root does not.
  return fs::exists(cgroup_root / "cpu" / "cpu.cfs_quota_us", ec);
}

fs::path ScopedV1Cgroups::Dir(const char* controller, const std::string& cgroup) const {
  return root_ / controller / cgroup;
}

bool ScopedV1Cgroups::AddBurstablePod(const std::string& uid) {
  const std::string pod = prefix_ + "/kubepods/burstable/pod" + uid;
  const std::string levels[] = {prefix_, prefix_ + "/kubepods", prefix_ + "/kubepods/burstable",
                                pod, ContainerOf(pod)};
  for (const char* controller : kControllers) {
    for (const std::string& level : levels) {
      fs::path dir = Dir(controller, level);
      std::error_code ec;
      if (fs::exists(dir, ec)) continue;
      if (!fs::create_directory(dir, ec)) {
        error_ = "mkdir " + dir.string() + ": " + ec.message();
        return false;
      }
      made_.push_back(dir);
    }
  }
  return true;
}

bool ScopedV1Cgroups::Attach(pid_t pid, const std::string& cgroup) {
  if (pid <= 0 || pid == ::getpid()) {
    error_ = "refusing to move the test runner into a test cgroup";
    return false;
  }
  for (const char* controller : kControllers) {
    fs::path procs = Dir(controller, cgroup) / "cgroup.procs";
    std::ofstream out(procs);
    out << pid << std::flush;
    if (!out) {
      error_ =
          "attach " + std::to_string(pid) + " to " + procs.string() + ": " + std::strerror(errno);
      return false;
    }
  }
  return true;
}

bool ScopedV1Cgroups::Write(const char* controller, const std::string& cgroup, const char* file,
                            const std::string& value) {
  fs::path path = Dir(controller, cgroup) / file;
  std::ofstream out(path);
  out << value << std::flush;
  if (!out) {
    error_ = "write " + value + " to " + path.string() + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

bool ScopedV1Cgroups::NoSwap(const std::string& cgroup) {
  if (!Write("memory", cgroup, "memory.swappiness", "0")) return false;
  if (Read("memory", cgroup, "memory.swappiness") != "0\n") {
    error_ = "memory.swappiness of " + cgroup + " did not read back 0";
    return false;
  }
  if (Read("memory", cgroup, "memory.oom_control").find("oom_kill_disable 0") ==
      std::string::npos) {
    error_ = "the OOM killer is disabled in " + cgroup + " (memory.oom_control)";
    return false;
  }
  return true;
}

std::string ScopedV1Cgroups::Read(const char* controller, const std::string& cgroup,
                                  const char* file) const {
  std::ifstream in(Dir(controller, cgroup) / file);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void ScopedV1Cgroups::Evacuate(const fs::path& dir) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (true) {
    std::vector<pid_t> pids = ReadPids(dir / "cgroup.procs");
    if (pids.empty()) return;
    for (pid_t pid : pids) {
      // Only processes the test started can be in here; the guard is belt and braces.
      if (pid != ::getpid() && pid != ::getppid()) ::kill(pid, SIGKILL);
    }
    // Reap what is ours (direct children and, as subreaper, orphaned grandchildren).
    while (::waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    if (std::chrono::steady_clock::now() > deadline) {
      std::cerr << "cleanup: processes still in " << dir << "\n";
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // polling, not synchronising
  }
}

ScopedV1Cgroups::~ScopedV1Cgroups() {
  for (auto it = made_.rbegin(); it != made_.rend(); ++it) {
    Evacuate(*it);
    // rmdir(2), not remove_all: a cgroup directory's control files cannot be unlinked.
    if (::rmdir(it->c_str()) != 0 && errno != ENOENT) {
      std::cerr << "cleanup: rmdir " << *it << ": " << std::strerror(errno) << "\n";
    }
  }
}

}  // namespace vc::agent::testing
