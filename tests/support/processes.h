// SPDX-License-Identifier: Apache-2.0
// The machine's processes as the host's /proc shows them, for tests that find a container's
// process (a real node's pods are processes of this machine): its pid, argv and cgroups.
#pragma once

#include <sys/types.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace vc::testing {

struct ProcessInfo {
  pid_t pid = 0;
  std::vector<std::string> argv;
  std::string cgroups;  // /proc/PID/cgroup as written

  bool HasArg(const std::string& arg) const {
    for (const auto& a : argv) {
      if (a == arg) return true;
    }
    return false;
  }
  // Every one of `parts` is in the command line (arguments joined by spaces, plus one space).
  bool CommandLineHas(const std::vector<std::string>& parts) const {
    std::string line;
    for (const auto& a : argv) line += a + " ";
    for (const auto& p : parts) {
      if (line.find(p) == std::string::npos) return false;
    }
    return true;
  }
  // Its cgroup names the pod with `uid` (kubelet's cgroupfs driver, or the systemd driver's
  // form with underscores).
  bool InPod(const std::string& uid) const {
    std::string systemd_uid = uid;
    for (char& c : systemd_uid) c = c == '-' ? '_' : c;
    return cgroups.find("pod" + uid) != std::string::npos ||
           cgroups.find("pod" + systemd_uid) != std::string::npos;
  }
};

// The pids of the processes `match` accepts, in /proc's order.
inline std::vector<pid_t> Processes(const std::function<bool(const ProcessInfo&)>& match) {
  std::vector<pid_t> out;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator("/proc", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename();
    if (name.empty() || !std::isdigit(static_cast<unsigned char>(name[0]))) continue;
    ProcessInfo p;
    p.pid = static_cast<pid_t>(std::stol(name));
    std::ifstream cmdline(it->path() / "cmdline");
    for (std::string arg; std::getline(cmdline, arg, '\0');) p.argv.push_back(arg);
    if (p.argv.empty()) continue;  // kernel threads, or gone meanwhile
    std::ifstream cgroup(it->path() / "cgroup");
    std::stringstream text;
    text << cgroup.rdbuf();
    p.cgroups = text.str();
    if (match(p)) out.push_back(p.pid);
  }
  return out;
}

}  // namespace vc::testing
