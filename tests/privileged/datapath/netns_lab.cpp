// SPDX-License-Identifier: Apache-2.0
#include "privileged/datapath/netns_lab.h"

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <random>
#include <sstream>

namespace vc::testing {

Status RunCommand(const std::vector<std::string>& argv) {
  std::string cmd;
  for (const std::string& a : argv) cmd += (cmd.empty() ? "" : " ") + a;
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0) return Internal("pipe for " + cmd);
  pid_t pid = fork();
  if (pid < 0) return Internal("fork for " + cmd);
  if (pid == 0) {
    dup2(pipefd[1], 1);
    dup2(pipefd[1], 2);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(pipefd[1]);
  std::string output;
  std::array<char, 512> buf;
  ssize_t n;
  while ((n = read(pipefd[0], buf.data(), buf.size())) > 0) output.append(buf.data(), n);
  close(pipefd[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Internal("run `" + cmd + "`: " + output);
  }
  return Status::Ok();
}

NetnsScope::NetnsScope(const std::string& netns_path) {
  saved_ = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  int target = open(netns_path.c_str(), O_RDONLY | O_CLOEXEC);
  ok_ = saved_ >= 0 && target >= 0 && setns(target, CLONE_NEWNET) == 0;
  if (target >= 0) close(target);
}

NetnsScope::~NetnsScope() {
  if (saved_ >= 0) {
    setns(saved_, CLONE_NEWNET);
    close(saved_);
  }
}

std::string RandomSuffix() {
  std::random_device rd;
  std::ostringstream out;
  out << std::hex << (rd() & 0xffffff);
  return out.str();
}

Status NetnsLab::NewNetns(const std::string& name) {
  RETURN_IF_ERROR(RunCommand({"ip", "netns", "add", name}));
  namespaces_.push_back(name);
  // IPv4 only: link-local IPv6 chatter (MLD, DAD) would show up in the tests' counters.
  RETURN_IF_ERROR(
      RunCommand({"ip", "netns", "exec", name, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
                  "net.ipv6.conf.default.disable_ipv6=1"}));
  return RunCommand({"ip", "-n", name, "link", "set", "lo", "up"});
}

StatusOr<std::unique_ptr<NetnsLab>> NetnsLab::Create(
    const std::string& suffix, const std::vector<std::pair<std::string, std::string>>& pods) {
  std::unique_ptr<NetnsLab> lab(new NetnsLab(suffix));
  lab->node_ = "vc-test-" + suffix + "-node";
  RETURN_IF_ERROR(lab->NewNetns(lab->node_));
  RETURN_IF_ERROR(
      RunCommand({"ip", "netns", "exec", lab->node_, "sysctl", "-qw", "net.ipv4.ip_forward=1"}));
  int index = 1;
  for (const auto& [name, address] : pods) {
    RETURN_IF_ERROR(lab->AddRoutedPod(name, address, index++));
  }
  return lab;
}

Status NetnsLab::AddRoutedPod(const std::string& name, const std::string& address, int index) {
  LabPod pod{name, address, "vc-test-" + suffix_ + "-" + name, "vh" + name, 0};
  RETURN_IF_ERROR(NewNetns(pod.netns));
  char host_mac[32], pod_mac[32];
  std::snprintf(host_mac, sizeof(host_mac), "02:76:63:00:00:%02x", index);
  std::snprintf(pod_mac, sizeof(pod_mac), "02:76:63:00:01:%02x", index);
  const std::string& n = node_;
  const std::string& p = pod.netns;
  std::vector<std::vector<std::string>> steps = {
      {"ip", "-n", n, "link", "add", pod.veth, "address", host_mac, "type", "veth", "peer", "name",
       "eth0", "address", pod_mac, "netns", p},
      {"ip", "-n", n, "link", "set", pod.veth, "up"},
      {"ip", "-n", p, "link", "set", "eth0", "up"},
      {"ip", "-n", p, "addr", "add", address + "/32", "dev", "eth0"},
      {"ip", "-n", p, "route", "add", "169.254.1.1", "dev", "eth0", "scope", "link"},
      {"ip", "-n", p, "route", "add", "default", "via", "169.254.1.1", "dev", "eth0"},
      {"ip", "-n", p, "neigh", "add", "169.254.1.1", "lladdr", host_mac, "dev", "eth0", "nud",
       "permanent"},
      {"ip", "-n", n, "route", "add", address + "/32", "dev", pod.veth},
      {"ip", "-n", n, "neigh", "add", address, "lladdr", pod_mac, "dev", pod.veth, "nud",
       "permanent"},
  };
  for (const auto& step : steps) RETURN_IF_ERROR(RunCommand(step));
  {
    NetnsScope in_node(node_netns_path());
    if (!in_node.ok()) return Internal("enter " + node_);
    pod.ifindex = static_cast<int>(if_nametoindex(pod.veth.c_str()));
  }
  if (pod.ifindex == 0) return Internal("no ifindex for " + pod.veth);
  pods_.push_back(pod);
  return Status::Ok();
}

Status NetnsLab::AddNodeAddress(const std::string& address) {
  return RunCommand({"ip", "-n", node_, "addr", "add", address + "/32", "dev", "lo"});
}

Status NetnsLab::AddPodAddress(const std::string& name, const std::string& address, bool route) {
  const LabPod& p = pod(name);
  RETURN_IF_ERROR(RunCommand({"ip", "-n", p.netns, "addr", "add", address + "/32", "dev", "eth0"}));
  if (!route) return Status::Ok();
  RETURN_IF_ERROR(RunCommand({"ip", "-n", node_, "route", "add", address + "/32", "dev", p.veth}));
  char pod_mac[32];
  std::snprintf(pod_mac, sizeof(pod_mac), "02:76:63:00:01:%02x",
                static_cast<int>(&p - pods_.data()) + 1);
  return RunCommand({"ip", "-n", node_, "neigh", "add", address, "lladdr", pod_mac, "dev", p.veth,
                     "nud", "permanent"});
}

StatusOr<LabPod> NetnsLab::AddBridgedPod(const std::string& name, const std::string& address) {
  LabPod pod{name, address, "vc-test-" + suffix_ + "-" + name, "vb" + name, 0};
  RETURN_IF_ERROR(NewNetns(pod.netns));
  const std::string& n = node_;
  std::vector<std::vector<std::string>> steps = {
      {"ip", "-n", n, "link", "add", "br0", "type", "bridge"},
      {"ip", "-n", n, "addr", "add", "10.213.2.1/24", "dev", "br0"},
      {"ip", "-n", n, "link", "set", "br0", "up"},
      {"ip", "-n", n, "link", "add", pod.veth, "type", "veth", "peer", "name", "eth0", "netns",
       pod.netns},
      {"ip", "-n", n, "link", "set", pod.veth, "master", "br0"},
      {"ip", "-n", n, "link", "set", pod.veth, "up"},
      {"ip", "-n", pod.netns, "link", "set", "eth0", "up"},
      {"ip", "-n", pod.netns, "addr", "add", address + "/24", "dev", "eth0"},
  };
  for (const auto& step : steps) RETURN_IF_ERROR(RunCommand(step));
  {
    NetnsScope in_node(node_netns_path());
    pod.ifindex = static_cast<int>(if_nametoindex(pod.veth.c_str()));
  }
  pods_.push_back(pod);
  return pod;
}

const LabPod& NetnsLab::pod(const std::string& name) const {
  for (const LabPod& p : pods_) {
    if (p.name == name) return p;
  }
  static const LabPod kNone;
  return kNone;
}

NetnsLab::~NetnsLab() {
  // Deleting a namespace deletes its interfaces; the veth pairs (and the tc hooks on them)
  // go with whichever end's namespace goes first.
  for (auto it = namespaces_.rbegin(); it != namespaces_.rend(); ++it) {
    (void)RunCommand({"ip", "netns", "delete", *it});
  }
}

}  // namespace vc::testing
