// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/kubelet/kubelet_request.h"

#include <vector>

#include "vc/kube/resource.h"

namespace vc::syncer::kubelet {

namespace {

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t end = s.find(sep, start);
    out.emplace_back(s.substr(start, end == std::string_view::npos ? s.size() - start : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

// kubelet's stream flags (input/output/error=1) as the pod API's (stdin/stdout/stderr=true).
std::string StreamQuery(const std::string& query) {
  std::string out;
  for (const auto& pair : Split(query, '&')) {
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    const std::string key = pair.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : pair.substr(eq + 1);
    const bool on = value == "1" || value == "true";
    std::string mapped;
    if (key == "input") {
      mapped = on ? "stdin=true" : "";
    } else if (key == "output") {
      mapped = on ? "stdout=true" : "";
    } else if (key == "error") {
      mapped = on ? "stderr=true" : "";
    } else if (key == "tty") {
      mapped = on ? "tty=true" : "";
    } else if (key == "command") {
      mapped = pair;
    }
    if (!mapped.empty()) out += "&" + mapped;
  }
  return out;
}

}  // namespace

StatusOr<KubeletRequest> ParseKubeletTarget(std::string_view target) {
  const size_t q = target.find('?');
  const std::string path(target.substr(0, q));
  KubeletRequest r;
  if (q != std::string_view::npos) r.query = std::string(target.substr(q + 1));
  const auto parts = Split(path, '/');  // "", verb, ns, pod, ...
  if (parts.size() < 4 || !parts[0].empty()) return NotFound("kubelet: no such path " + path);
  const std::string& verb = parts[1];
  r.ns = parts[2];
  r.pod = parts[3];
  if (verb == "containerLogs" && parts.size() == 5) {
    r.verb = KubeletVerb::kLogs;
    r.container = parts[4];
  } else if ((verb == "exec" || verb == "attach") && (parts.size() == 5 || parts.size() == 6)) {
    r.verb = verb == "exec" ? KubeletVerb::kExec : KubeletVerb::kAttach;
    r.container = parts.back();  // /exec/ns/pod/uid/container carries the uid before it
  } else if (verb == "portForward" && (parts.size() == 4 || parts.size() == 5)) {
    r.verb = KubeletVerb::kPortForward;
  } else {
    return NotFound("kubelet: no such path " + path);
  }
  if (r.ns.empty() || r.pod.empty()) return NotFound("kubelet: no such path " + path);
  return r;
}

std::string HostTarget(const KubeletRequest& r, const translate::Tenant& tenant) {
  const std::string host_pod = translate::HostName(r.pod, r.ns, tenant.name);
  const char* sub = r.verb == KubeletVerb::kLogs      ? "log"
                    : r.verb == KubeletVerb::kExec    ? "exec"
                    : r.verb == KubeletVerb::kAttach  ? "attach"
                                                      : "portforward";
  std::string target = kube::ResourcePath(kube::resources::kPods, tenant.host_namespace, host_pod, sub);
  if (r.verb == KubeletVerb::kPortForward) return target;
  std::string query = "container=" + kube::QueryEscape(r.container);
  if (r.verb == KubeletVerb::kLogs) {
    if (!r.query.empty()) query += "&" + r.query;  // the same names as PodLogOptions
  } else {
    query += StreamQuery(r.query);
  }
  return target + "?" + query;
}

}  // namespace vc::syncer::kubelet
