// SPDX-License-Identifier: Apache-2.0
// NetnsLab: a throw-away "node" for privileged datapath tests and the datapath bench. Every
// interface lives in network namespaces the lab creates: a node namespace (standing in for
// the host, so the real host's network is never touched) and one namespace per pod, joined
// like a routed CNI (calico style: a /32 route per pod to its host-side veth, static
// neighbours so no ARP is needed). Addresses are 10.213.x.y and exist only in these
// namespaces. The destructor deletes every namespace, which takes the veths, routes and tc
// hooks with them.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "vc/status.h"

namespace vc::testing {

// Runs argv (no shell) and waits; error with its output when it exits non-zero.
Status RunCommand(const std::vector<std::string>& argv);

// Moves the calling thread into a network namespace until destroyed.
class NetnsScope {
 public:
  explicit NetnsScope(const std::string& netns_path);
  ~NetnsScope();
  NetnsScope(const NetnsScope&) = delete;
  NetnsScope& operator=(const NetnsScope&) = delete;
  bool ok() const { return ok_; }

 private:
  int saved_ = -1;
  bool ok_ = false;
};

struct LabPod {
  std::string name;     // "a1"
  std::string address;  // "10.213.0.1"
  std::string netns;    // "vc-test-1a2b3c-a1"
  std::string veth;     // host-side veth name in the node namespace
  int ifindex = 0;      // its ifindex in the node namespace
  std::string netns_path() const { return "/run/netns/" + netns; }
};

class NetnsLab {
 public:
  // A random suffix keeps concurrent runs apart; `pods` is {name, address}.
  static StatusOr<std::unique_ptr<NetnsLab>> Create(
      const std::string& suffix, const std::vector<std::pair<std::string, std::string>>& pods);
  ~NetnsLab();
  NetnsLab(const NetnsLab&) = delete;
  NetnsLab& operator=(const NetnsLab&) = delete;

  const std::string& node_netns() const { return node_; }
  std::string node_netns_path() const { return "/run/netns/" + node_; }
  const LabPod& pod(const std::string& name) const;
  const std::vector<LabPod>& pods() const { return pods_; }
  const std::string& suffix() const { return suffix_; }

  // Another routed pod after Create (a pod that appears while the agent runs).
  Status AddPod(const std::string& name, const std::string& address) {
    return AddRoutedPod(name, address, static_cast<int>(pods_.size()) + 1);
  }
  // Adds another address to a pod's eth0 (to send from an address the agent does not know);
  // with `route`, the node also routes it to the pod, as a CNI would for a real pod IP.
  Status AddPodAddress(const std::string& pod, const std::string& address, bool route);
  // Adds an address to the node namespace's loopback: one the node's own stack sends from.
  Status AddNodeAddress(const std::string& address);
  // A bridge-CNI style pod: bridge `br0` (10.213.2.1/24) in the node namespace with a veth
  // port to a new pod namespace at `address`/24.
  StatusOr<LabPod> AddBridgedPod(const std::string& name, const std::string& address);

 private:
  explicit NetnsLab(std::string suffix) : suffix_(std::move(suffix)) {}
  Status AddRoutedPod(const std::string& name, const std::string& address, int index);
  Status NewNetns(const std::string& name);

  std::string suffix_;
  std::string node_;
  std::vector<LabPod> pods_;
  std::vector<std::string> namespaces_;  // every one we created, deleted in reverse
};

// A random lowercase hex suffix for names and pin roots.
std::string RandomSuffix();

}  // namespace vc::testing
