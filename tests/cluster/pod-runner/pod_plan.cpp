// SPDX-License-Identifier: Apache-2.0
#include "pod_plan.h"

#include <algorithm>

namespace vc::testing {

using nlohmann::json;

std::string ExpandVars(const std::string& text, const std::map<std::string, std::string>& env) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '$') {
      out.push_back('$');
      ++i;
      continue;
    }
    if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '(') {
      auto close = text.find(')', i + 2);
      if (close != std::string::npos) {
        auto name = text.substr(i + 2, close - i - 2);
        if (auto it = env.find(name); it != env.end()) {
          out += it->second;
          i = close;
          continue;
        }
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

std::string Repository(const std::string& image) {
  std::string s = image;
  if (auto at = s.find('@'); at != std::string::npos) s = s.substr(0, at);
  auto slash = s.rfind('/');
  auto colon = s.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    s = s.substr(0, colon);
  }
  return slash == std::string::npos ? s : s.substr(s.rfind('/') + 1);
}

namespace {

// One left-to-right pass over `text`, so a mapped directory is never mapped again (/data ->
// /tmp/claims/x must not then be taken for the /tmp mount). At each place a path can start,
// the longest mount path first, so /data/pki maps before /data.
std::string MapPaths(const std::string& text,
                     const std::vector<std::pair<std::string, std::string>>& mounts) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    // "sqlite:///data/x": the third slash starts the path.
    const bool starts = i == 0 || text[i - 1] == '=' || text[i - 1] == '/' || text[i - 1] == ':' ||
                        text[i - 1] == ',';
    bool mapped = false;
    for (const auto& [mount, dir] : mounts) {
      if (!starts) break;
      const size_t end = i + mount.size();
      if (text.compare(i, mount.size(), mount) != 0) continue;
      if (end == text.size() || text[end] == '/' || text[end] == '?' || text[end] == ',' ||
          text[end] == ':') {
        out += dir;
        i = end;
        mapped = true;
        break;
      }
    }
    if (!mapped) out.push_back(text[i++]);
  }
  return out;
}

std::string FieldRef(const json& pod, const std::string& path) {
  if (path == "metadata.name") return pod["metadata"].value("name", "");
  if (path == "metadata.namespace") return pod["metadata"].value("namespace", "");
  if (path == "metadata.uid") return pod["metadata"].value("uid", "");
  if (path == "spec.nodeName") return pod["spec"].value("nodeName", "");
  if (path == "spec.serviceAccountName") return pod["spec"].value("serviceAccountName", "");
  if (path == "status.podIP" || path == "status.hostIP") return "127.0.0.1";
  return "";
}

}  // namespace

StatusOr<PodPlan> PlanPod(const PlanInput& input) {
  const json& pod = input.pod;
  const json& spec = pod.at("spec");
  PodPlan plan;
  plan.volumes = input.volume_dirs;
  std::map<std::string, int> port_by_env;  // one port per env name across the pod's containers

  auto plan_container = [&](const json& c, bool init) -> Status {
    ProcessPlan p;
    p.container = c.value("name", "");
    p.init = init;
    std::vector<std::pair<std::string, std::string>> mounts;
    for (const auto& m : c.value("volumeMounts", json::array())) {
      auto it = input.volume_dirs.find(m.value("name", ""));
      if (it == input.volume_dirs.end()) {
        return InvalidArgument("container " + p.container + ": no local directory for volume " +
                               m.value("name", ""));
      }
      mounts.emplace_back(m.value("mountPath", ""), it->second);
      p.mounts[m.value("mountPath", "")] = it->second;
    }
    std::sort(mounts.begin(), mounts.end(),
              [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });

    p.env = input.extra_env;
    for (const auto& e : c.value("env", json::array())) {
      const std::string name = e.value("name", "");
      std::string value;
      if (e.contains("value")) {
        value = e["value"].get<std::string>();
      } else if (e.contains("valueFrom") && e["valueFrom"].contains("fieldRef")) {
        value = FieldRef(pod, e["valueFrom"]["fieldRef"].value("fieldPath", ""));
      }
      if (name.rfind("VC_", 0) == 0 && name.size() > 8 &&
          name.compare(name.size() - 5, 5, "_PORT") == 0) {
        auto [it, inserted] = port_by_env.try_emplace(name, 0);
        if (inserted) it->second = input.allocate_port();
        // A containerPort equal to the declared default is this port (the forward target).
        const int declared = std::atoi(value.c_str());
        for (const auto& port : c.value("ports", json::array())) {
          if (port.value("containerPort", 0) == declared) plan.ports[declared] = it->second;
        }
        value = std::to_string(it->second);
      } else if (name == "VC_BIND_ADDRESS") {
        value = "127.0.0.1";
      }
      p.env[name] = MapPaths(ExpandVars(value, p.env), mounts);
    }

    // A containerPort no VC_*_PORT declares (a workload's, e.g. nginx's 80) gets a free port too;
    // the stand-in binary finds it in VC_CONTAINER_PORT_<containerPort>.
    for (const auto& port : c.value("ports", json::array())) {
      const int container_port = port.value("containerPort", 0);
      if (container_port <= 0 || plan.ports.count(container_port)) continue;
      plan.ports[container_port] = input.allocate_port();
      p.env["VC_CONTAINER_PORT_" + std::to_string(container_port)] =
          std::to_string(plan.ports[container_port]);
    }

    const std::string repo = Repository(c.value("image", ""));
    auto bin = input.binaries.find(repo);
    if (bin == input.binaries.end()) {
      return InvalidArgument("container " + p.container + ": no local binary for image " +
                             c.value("image", "") + " (repository " + repo + ")");
    }
    // The image's entry point is its binary: command[0] is replaced by it; without a command
    // (an image's default entry point, as nginx's) the args follow the binary.
    std::vector<std::string> words;
    for (const auto& w : c.value("command", json::array())) words.push_back(w.get<std::string>());
    const size_t skip = words.empty() ? 0 : 1;
    for (const auto& w : c.value("args", json::array())) words.push_back(w.get<std::string>());
    p.argv.push_back(bin->second);
    for (size_t i = skip; i < words.size(); ++i) {
      p.argv.push_back(MapPaths(ExpandVars(words[i], p.env), mounts));
    }
    plan.processes.push_back(std::move(p));
    return Status::Ok();
  };

  for (const auto& c : spec.value("initContainers", json::array())) {
    // A sidecar (restartPolicy Always) keeps running beside the containers, as kubelet runs it.
    RETURN_IF_ERROR(plan_container(c, c.value("restartPolicy", "") != "Always"));
  }
  for (const auto& c : spec.value("containers", json::array())) {
    RETURN_IF_ERROR(plan_container(c, false));
  }
  return plan;
}

}  // namespace vc::testing
