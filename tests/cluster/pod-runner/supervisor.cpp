// SPDX-License-Identifier: Apache-2.0
#include "supervisor.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>

#include "vc/log.h"

namespace vc::testing {

using std::chrono::milliseconds;

PodSupervisor::PodSupervisor(std::string key, PodPlan plan, std::string log_dir)
    : key_(std::move(key)), plan_(std::move(plan)), log_dir_(std::move(log_dir)) {}

PodSupervisor::~PodSupervisor() { Stop(std::chrono::seconds(5)); }

void PodSupervisor::Start() {
  thread_ = std::thread([this] { Run(); });
}

pid_t PodSupervisor::Spawn(const ProcessPlan& p) {
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : p.env) env_strings.push_back(k + "=" + v);
  for (const char* keep : {"PATH", "HOME", "TMPDIR"}) {
    if (const char* v = std::getenv(keep); v && !p.env.count(keep)) {
      env_strings.push_back(std::string(keep) + "=" + v);
    }
  }
  std::vector<char*> argv, envp;
  for (const auto& a : p.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : env_strings) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  const std::string log = log_dir_ + "/" + p.container + ".log";
  const pid_t parent = getpid();

  pid_t pid = fork();
  if (pid == 0) {
    // Die with the runner, even when it is SIGKILLed: no orphaned control planes.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
    setpgid(0, 0);
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || null < 0) _exit(126);
    dup2(null, 0);
    dup2(fd, 1);
    dup2(fd, 2);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  return pid;
}

// Under mu_, so Stop() either sees the process in running_ or Launch sees the cancellation.
pid_t PodSupervisor::Launch(const ProcessPlan& p) {
  std::lock_guard lock(mu_);
  if (stop_.cancelled()) return -1;
  pid_t pid = Spawn(p);
  if (pid > 0) running_[p.container] = pid;
  return pid;
}

void PodSupervisor::Forget(const std::string& container) {
  std::lock_guard lock(mu_);
  running_.erase(container);
}

int PodSupervisor::Wait(pid_t pid) {
  // Polling waitpid keeps Stop() simple (no SIGCHLD plumbing); 50 ms is far below any
  // start-up time we care about.
  while (true) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0) return -1;
    if (stop_.WaitFor(milliseconds(50))) return -1;
  }
}

void PodSupervisor::Run() {
  for (const auto& p : plan_.processes) {
    if (!p.init) continue;
    for (int attempt = 0;; ++attempt) {
      pid_t pid = Launch(p);
      if (pid < 0) return;
      int status = Wait(pid);
      if (stop_.cancelled()) return;
      Forget(p.container);
      if (WIFEXITED(status) && WEXITSTATUS(status) == 0) break;
      VC_LOG(Warning) << key_ << ": init container " << p.container << " failed (status " << status
                      << "), retrying; log: " << log_dir_ << "/" << p.container << ".log";
      if (stop_.WaitFor(milliseconds(std::min(500 << std::min(attempt, 4), 8000)))) return;
    }
  }
  std::vector<std::thread> containers;
  for (const auto& p : plan_.processes) {
    if (p.init) continue;
    containers.emplace_back([this, &p] {
      for (int restarts = 0; !stop_.cancelled(); ++restarts) {
        pid_t pid = Launch(p);
        if (pid < 0) return;
        auto started = std::chrono::steady_clock::now();
        int status = Wait(pid);
        if (stop_.cancelled()) return;
        Forget(p.container);
        if (std::chrono::steady_clock::now() - started > std::chrono::seconds(30)) restarts = 0;
        VC_LOG(Warning) << key_ << ": container " << p.container << " exited (status " << status
                        << "), restarting";
        if (stop_.WaitFor(milliseconds(std::min(500 << std::min(restarts, 4), 8000)))) return;
      }
    });
  }
  for (auto& t : containers) t.join();
}

void PodSupervisor::Stop(std::chrono::seconds grace) {
  if (!thread_.joinable()) return;
  std::map<std::string, pid_t> pids;
  {
    std::lock_guard lock(mu_);
    stop_.Cancel();
    pids = running_;
  }
  // The Wait loops stop reaping once cancelled; reap here.
  for (const auto& [name, pid] : pids) kill(-pid, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + grace;
  for (const auto& [name, pid] : pids) {
    int status = 0;
    while (waitpid(pid, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        kill(-pid, SIGKILL);
        waitpid(pid, &status, 0);
        break;
      }
      std::this_thread::sleep_for(milliseconds(20));
    }
  }
  thread_.join();
}

}  // namespace vc::testing
