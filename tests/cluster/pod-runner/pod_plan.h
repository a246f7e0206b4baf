// SPDX-License-Identifier: Apache-2.0
// How the test pod runner turns a pod spec into local processes, as a pure function: what a
// kubelet with a container runtime would do, approximated for binaries on this machine.
//  - image -> binary: by the image's repository name ("registry.k8s.io/kube-apiserver:v1.36.3"
//    -> "kube-apiserver"), looked up in `binaries`; a binary stands for the image's entry point.
//  - ports: each containerPort gets a free local port (kwok PortForward objects point there);
//    a VC_*_PORT env var is that port, any other containerPort P is in VC_CONTAINER_PORT_P.
//  - env: literal values, fieldRef (metadata.name/namespace, spec.nodeName, status.podIP ->
//    127.0.0.1); every `VC_*_PORT` gets a free local port (kept for the pod's life) and
//    VC_BIND_ADDRESS becomes 127.0.0.1.
//  - $(VAR) in command and args expands from the container's env, as kubelet does ($$ escapes).
//  - paths: every volume mount's path, where it starts a path in an arg or env value, becomes
//    the volume's local directory.
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "vc/status.h"

namespace vc::testing {

struct ProcessPlan {
  std::string container;
  bool init = false;
  std::vector<std::string> argv;
  std::map<std::string, std::string> env;
  std::map<std::string, std::string> mounts;  // mountPath -> local directory (exec maps paths)
};

struct PodPlan {
  std::vector<ProcessPlan> processes;  // init containers first, in order
  // containerPort -> local port, for port-forwarding to the pod.
  std::map<int, int> ports;
  // volume name -> local directory, and the mount paths the pod uses for it.
  std::map<std::string, std::string> volumes;
};

struct PlanInput {
  nlohmann::json pod;
  std::map<std::string, std::string> binaries;  // repository name -> local binary
  // Volume name -> local directory (the runner decides: claim dirs outlive pods).
  std::map<std::string, std::string> volume_dirs;
  std::map<std::string, std::string> extra_env;  // KUBERNETES_SERVICE_HOST/PORT
  std::function<int()> allocate_port;
};

StatusOr<PodPlan> PlanPod(const PlanInput& input);

// "registry.k8s.io/kube-apiserver:v1.36.3" -> "kube-apiserver": what --bin maps.
std::string Repository(const std::string& image);

// Kubelet's $(VAR) expansion: defined vars expand, undefined ones stay as written, $$ -> $.
std::string ExpandVars(const std::string& text, const std::map<std::string, std::string>& env);

}  // namespace vc::testing
