// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/translate/hosts_file.h"

#include <algorithm>

namespace vc::syncer::translate {

using json = nlohmann::json;

namespace {

bool NamedIn(const json& list, std::string_view name) {
  return std::any_of(list.begin(), list.end(), [&](const json& item) {
    return item.is_object() && item.value("name", "") == name;
  });
}

bool MountsEtcHosts(const json& container) {
  for (const auto& m : container.value("volumeMounts", json::array())) {
    if (m.is_object() && m.value("mountPath", "") == "/etc/hosts") return true;
  }
  return false;
}

// CPU and memory of the pod's first container: an init container asking for no more than a
// container of the pod leaves the pod's effective requests and limits (the larger of any init
// container's and the sum of the containers') as they were.
json FirstContainerResources(const json& spec) {
  const json containers = spec.value("containers", json::array());
  if (containers.empty() || !containers[0].is_object()) return json::object();
  const json resources = containers[0].value("resources", json::object());
  json out = json::object();
  for (const char* part : {"requests", "limits"}) {
    const json amounts = resources.value(part, json::object());
    for (const char* what : {"cpu", "memory"}) {
      if (amounts.is_object() && amounts.contains(what)) out[part][what] = amounts[what];
    }
  }
  return out;
}

}  // namespace

std::optional<HostsRename> HostsRenameFor(const json& host_spec, std::string_view virtual_namespace,
                                          std::string_view host_namespace,
                                          std::string_view cluster_domain) {
  const std::string subdomain = host_spec.value("subdomain", "");
  const std::string hostname = host_spec.value("hostname", "");
  if (subdomain.empty() || hostname.empty() || host_spec.value("hostNetwork", false)) {
    return std::nullopt;
  }
  const std::string name = hostname + "." + subdomain + ".";
  return HostsRename{
      .host_prefix = name + std::string(host_namespace) + ".svc.",
      .fqdn = name + std::string(virtual_namespace) + ".svc." + std::string(cluster_domain)};
}

std::string RenameInHostsFile(std::string_view content, const HostsRename& rename) {
  std::string out;
  out.reserve(content.size() + rename.fqdn.size());
  size_t pos = 0;
  while (pos < content.size()) {
    size_t end = content.find('\n', pos);
    if (end == std::string_view::npos) end = content.size();
    const std::string_view line = content.substr(pos, end - pos);
    // Fields are separated by blanks; the first is the address, a '#' starts a comment.
    size_t i = 0;
    bool first = true;
    while (i < line.size() && line[i] != '#') {
      if (line[i] == ' ' || line[i] == '\t') {
        out += line[i++];
        continue;
      }
      size_t field_end = line.find_first_of(" \t#", i);
      if (field_end == std::string_view::npos) field_end = line.size();
      const std::string_view field = line.substr(i, field_end - i);
      const bool renamed = !first && field.size() > rename.host_prefix.size() &&
                           field.substr(0, rename.host_prefix.size()) == rename.host_prefix;
      out += renamed ? std::string_view(rename.fqdn) : field;
      first = false;
      i = field_end;
    }
    out += line.substr(i);
    if (end < content.size()) out += '\n';
    pos = end + 1;
  }
  return out;
}

bool AddHostsFileRewrite(json* host_spec, const HostsRename& rename, const std::string& image) {
  json& spec = *host_spec;
  const json init = spec.value("initContainers", json::array());
  if (NamedIn(init, kHostsContainer) ||
      NamedIn(spec.value("containers", json::array()), kHostsContainer) ||
      NamedIn(spec.value("volumes", json::array()), kHostsVolume)) {
    return false;
  }
  const json mount = {{"name", kHostsVolume}, {"mountPath", "/etc/hosts"}, {"subPath", "hosts"}};
  for (const char* list : {"initContainers", "containers"}) {
    if (!spec.contains(list)) continue;
    for (auto& c : spec[list]) {
      if (c.is_object() && !MountsEtcHosts(c)) c["volumeMounts"].push_back(mount);
    }
  }
  json container = {
      {"name", kHostsContainer},
      {"image", image},
      {"imagePullPolicy", "IfNotPresent"},
      {"command", json::array({"vc-syncer"})},
      {"args", json::array({"hosts-file", "--from=" + rename.host_prefix, "--to=" + rename.fqdn,
                            "--out=" + std::string(kHostsDir) + "/hosts"})},
      {"volumeMounts", json::array({{{"name", kHostsVolume}, {"mountPath", kHostsDir}}})},
      {"terminationMessagePolicy", "FallbackToLogsOnError"},
      {"securityContext",
       {{"runAsNonRoot", true},
        {"runAsUser", 65532},
        {"runAsGroup", 65532},
        {"allowPrivilegeEscalation", false},
        {"readOnlyRootFilesystem", true},
        {"capabilities", {{"drop", json::array({"ALL"})}}},
        {"seccompProfile", {{"type", "RuntimeDefault"}}}}}};
  if (json resources = FirstContainerResources(spec); !resources.empty()) {
    container["resources"] = std::move(resources);
  }
  json with_ours = json::array({std::move(container)});
  for (auto& c : spec.value("initContainers", json::array())) with_ours.push_back(c);
  spec["initContainers"] = std::move(with_ours);
  spec["volumes"].push_back({{"name", kHostsVolume}, {"emptyDir", {{"sizeLimit", "1Mi"}}}});
  return true;
}

}  // namespace vc::syncer::translate
