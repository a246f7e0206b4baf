// SPDX-License-Identifier: Apache-2.0
#include "vc/agent/agent/pod_facts.h"

#include <algorithm>

#include "vc/agent/agent/tenant_settings.h"
#include "vc/labels.h"

namespace vc::agent {
namespace {

using nlohmann::json;

struct ContainerAmounts {
  int64_t cpu_request = 0, memory_request = 0, cpu_limit = 0, memory_limit = 0;
  bool all_cpu_limited = true, all_memory_limited = true;
  bool any_set = false;
  bool guaranteed = true;  // every container: limits for cpu and memory, requests equal
};

int64_t Amount(const json& list, const char* resource, bool cpu, bool* present) {
  *present = list.is_object() && list.contains(resource);
  if (!*present) return 0;
  auto v = cpu ? ParseCpuMillicores(list[resource]) : ParseMemoryBytes(list[resource]);
  return v.ok() ? *v : 0;
}

ContainerAmounts Sum(const json& containers) {
  ContainerAmounts a;
  if (!containers.is_array()) return a;
  for (const json& c : containers) {
    const json res = c.value("resources", json::object());
    const json requests = res.value("requests", json::object());
    const json limits = res.value("limits", json::object());
    bool has_cl, has_ml, has_cr, has_mr;
    const int64_t cl = Amount(limits, "cpu", true, &has_cl);
    const int64_t ml = Amount(limits, "memory", false, &has_ml);
    int64_t cr = Amount(requests, "cpu", true, &has_cr);
    int64_t mr = Amount(requests, "memory", false, &has_mr);
    // Kubernetes defaults a missing request to the limit.
    if (!has_cr && has_cl) cr = cl;
    if (!has_mr && has_ml) mr = ml;
    a.cpu_request += cr;
    a.memory_request += mr;
    a.cpu_limit += cl;
    a.memory_limit += ml;
    a.all_cpu_limited = a.all_cpu_limited && has_cl;
    a.all_memory_limited = a.all_memory_limited && has_ml;
    a.any_set = a.any_set || has_cl || has_ml || has_cr || has_mr;
    a.guaranteed = a.guaranteed && has_cl && has_ml && cr == cl && mr == ml;
  }
  return a;
}

}  // namespace

std::string TenantKeyFromLabels(const json& labels) {
  if (!labels.is_object() || labels.value(labels::kComponent, "") != labels::kComponentWorkload) {
    return "";
  }
  const std::string tenant = labels.value(labels::kTenant, "");
  const std::string tenant_ns = labels.value(labels::kTenantNamespace, "");
  return tenant.empty() || tenant_ns.empty() ? "" : tenant_ns + "/" + tenant;
}

PodFacts ParsePod(const json& pod) {
  PodFacts f;
  const json meta = pod.value("metadata", json::object());
  const json spec = pod.value("spec", json::object());
  const json status = pod.value("status", json::object());
  f.namespace_ = meta.value("namespace", "");
  f.name = meta.value("name", "");
  f.uid = meta.value("uid", "");
  f.terminating = meta.contains("deletionTimestamp") && !meta["deletionTimestamp"].is_null();
  f.tenant_key = TenantKeyFromLabels(meta.value("labels", json::object()));
  f.host_network = spec.value("hostNetwork", false);
  f.phase = status.value("phase", "");
  std::vector<std::string> ips;
  if (status.contains("podIPs") && status["podIPs"].is_array()) {
    for (const json& ip : status["podIPs"]) {
      if (ip.is_object() && ip.contains("ip") && ip["ip"].is_string()) ips.push_back(ip["ip"]);
    }
  }
  if (ips.empty() && status.contains("podIP") && status["podIP"].is_string()) {
    ips.push_back(status["podIP"]);
  }
  for (const std::string& text : ips) {
    auto ip = IpAddress::Parse(text);
    if (ip.ok() && std::find(f.ips.begin(), f.ips.end(), *ip) == f.ips.end()) {
      f.ips.push_back(*ip);
    }
  }

  const ContainerAmounts a = Sum(spec.value("containers", json::array()));
  f.resources.uid = f.uid;
  f.resources.cpu_request_millicores = a.cpu_request;
  f.resources.memory_request_bytes = a.memory_request;
  f.resources.cpu_limit_millicores = a.all_cpu_limited ? a.cpu_limit : 0;
  f.resources.memory_limit_bytes = a.all_memory_limited ? a.memory_limit : 0;
  const std::string qos = status.value("qosClass", "");
  if (qos == "Guaranteed") {
    f.resources.qos = QosClass::kGuaranteed;
  } else if (qos == "Burstable") {
    f.resources.qos = QosClass::kBurstable;
  } else if (qos == "BestEffort") {
    f.resources.qos = QosClass::kBestEffort;
  } else {  // the API server sets it; compute it when it has not (yet)
    f.resources.qos = !a.any_set     ? QosClass::kBestEffort
                      : a.guaranteed ? QosClass::kGuaranteed
                                     : QosClass::kBurstable;
  }
  return f;
}

json SlimPod(json pod) {
  if (!pod.is_object()) return pod;
  auto copy_keys = [](json& from, json& to, std::initializer_list<const char*> keys) {
    if (!from.is_object()) return;
    for (const char* k : keys) {
      if (auto it = from.find(k); it != from.end()) to[k] = std::move(*it);
    }
  };
  json slim = json::object();
  json& meta = pod["metadata"];
  json slim_meta = json::object();
  copy_keys(meta, slim_meta,
            {"name", "namespace", "uid", "resourceVersion", "labels", "deletionTimestamp"});
  if (meta.is_object() && meta.contains("ownerReferences") && meta["ownerReferences"].is_array()) {
    json owners = json::array();
    for (const json& o : meta["ownerReferences"]) {
      if (o.is_object())
        owners.push_back({{"kind", o.value("kind", "")}, {"name", o.value("name", "")}});
    }
    slim_meta["ownerReferences"] = std::move(owners);
  }
  if (meta.is_object() && meta.contains("annotations") && meta["annotations"].is_object() &&
      meta["annotations"].contains("kubernetes.io/config.mirror")) {
    slim_meta["annotations"] = {
        {"kubernetes.io/config.mirror", meta["annotations"]["kubernetes.io/config.mirror"]}};
  }
  slim["metadata"] = std::move(slim_meta);
  json& spec = pod["spec"];
  json slim_spec = json::object();
  copy_keys(spec, slim_spec, {"nodeName", "hostNetwork"});
  if (spec.is_object() && spec.contains("containers") && spec["containers"].is_array()) {
    json containers = json::array();
    for (json& c : spec["containers"]) {
      json slim_c = json::object();
      copy_keys(c, slim_c, {"name", "resources"});
      containers.push_back(std::move(slim_c));
    }
    slim_spec["containers"] = std::move(containers);
  }
  slim["spec"] = std::move(slim_spec);
  json slim_status = json::object();
  copy_keys(pod["status"], slim_status, {"phase", "podIP", "podIPs", "qosClass"});
  slim["status"] = std::move(slim_status);
  return slim;
}

}  // namespace vc::agent
