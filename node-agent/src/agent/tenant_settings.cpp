// SPDX-License-Identifier: Apache-2.0
#include "vc/agent/agent/tenant_settings.h"

#include <cctype>
#include <cmath>
#include <cstdlib>

namespace vc::agent {
namespace {

using nlohmann::json;

// A quantity as number * multiplier; the suffix table is Kubernetes' (resource.Quantity).
StatusOr<double> ParseQuantity(const json& q) {
  if (q.is_number()) return q.get<double>();
  if (!q.is_string()) return InvalidArgument("quantity must be a number or a string");
  const std::string text = q.get<std::string>();
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.' ||
                             text[i] == '+' || text[i] == '-')) {
    ++i;
  }
  std::string number = text.substr(0, i);
  std::string suffix = text.substr(i);
  double exponent_factor = 1;
  if (!suffix.empty() && (suffix[0] == 'e' || suffix[0] == 'E') && suffix.size() > 1) {
    exponent_factor = std::pow(10.0, std::atof(suffix.c_str() + 1));
    suffix.clear();
  }
  if (number.empty()) return InvalidArgument("invalid quantity \"" + text + "\"");
  char* end = nullptr;
  const double value = std::strtod(number.c_str(), &end);
  if (end != number.c_str() + number.size()) {
    return InvalidArgument("invalid quantity \"" + text + "\"");
  }
  static const std::pair<const char*, double> kSuffixes[] = {{"", 1},
                                                             {"m", 1e-3},
                                                             {"k", 1e3},
                                                             {"M", 1e6},
                                                             {"G", 1e9},
                                                             {"T", 1e12},
                                                             {"P", 1e15},
                                                             {"E", 1e18},
                                                             {"Ki", 1024.0},
                                                             {"Mi", 1048576.0},
                                                             {"Gi", 1073741824.0},
                                                             {"Ti", 1099511627776.0},
                                                             {"Pi", 1125899906842624.0},
                                                             {"Ei", 1152921504606846976.0}};
  for (const auto& [s, factor] : kSuffixes) {
    if (suffix == s) return value * factor * exponent_factor;
  }
  return InvalidArgument("invalid quantity \"" + text + "\": unknown suffix \"" + suffix + "\"");
}

std::vector<std::pair<IpProto, uint16_t>> Ports(const json& service, std::string* problem) {
  std::vector<std::pair<IpProto, uint16_t>> out;
  if (!service.contains("ports") || !service["ports"].is_array() || service["ports"].empty()) {
    // No ports listed: the whole address, TCP and UDP.
    return {{IpProto::kTcp, 0}, {IpProto::kUdp, 0}};
  }
  for (const json& p : service["ports"]) {
    const std::string proto_text = p.is_object() ? p.value("protocol", "TCP") : "TCP";
    std::string lower = proto_text;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto proto = ParseIpProto(lower);
    if (!proto) {
      *problem = "protocol " + proto_text + " is not enforced (tcp, udp)";
      continue;
    }
    const int port = p.is_object() ? p.value("port", 0) : 0;
    if (port < 0 || port > 65535) {
      *problem = "port " + std::to_string(port) + " out of range";
      continue;
    }
    out.emplace_back(*proto, static_cast<uint16_t>(port));
  }
  return out;
}

}  // namespace

StatusOr<int64_t> ParseCpuMillicores(const json& quantity) {
  ASSIGN_OR_RETURN(double cores, ParseQuantity(quantity));
  if (cores < 0) return InvalidArgument("cpu quantity must not be negative");
  return static_cast<int64_t>(std::ceil(cores * 1000 - 1e-9));
}

StatusOr<int64_t> ParseMemoryBytes(const json& quantity) {
  ASSIGN_OR_RETURN(double bytes, ParseQuantity(quantity));
  if (bytes < 0) return InvalidArgument("memory quantity must not be negative");
  return static_cast<int64_t>(std::ceil(bytes - 1e-9));
}

StatusOr<TenantSettings> ParseTenant(const json& tenant) {
  TenantSettings t;
  const json meta = tenant.value("metadata", json::object());
  t.name = meta.value("name", "");
  t.namespace_ = meta.value("namespace", "");
  if (t.name.empty()) return InvalidArgument("parse tenant: metadata.name is missing");
  const json spec = tenant.value("spec", json::object());
  if (!spec.is_object()) return t;
  if (spec.contains("trustLevel") && spec["trustLevel"].is_string()) {
    t.trust = ParseTrustLevel(spec["trustLevel"].get<std::string>()).value_or(TrustLevel::kZero);
  }
  if (spec.contains("sharedServices") && spec["sharedServices"].is_array()) {
    for (const json& s : spec["sharedServices"]) {
      const std::string label = s.is_object() ? s.value("name", s.value("service", "")) : "";
      const std::string cidr = s.is_object() ? s.value("cidr", "") : "";
      if (cidr.empty()) {
        const std::string service = s.is_object() ? s.value("service", "") : "";
        if (service.empty()) {
          t.skipped.push_back("shared service " + label + ": neither cidr nor service");
          continue;
        }
        ServiceRef ref{s.value("namespace", t.namespace_), service, {}};
        std::string problem;
        if (s.contains("ports") && s["ports"].is_array() && !s["ports"].empty()) {
          ref.ports = Ports(s, &problem);
        }
        if (!problem.empty()) t.skipped.push_back("shared service " + label + ": " + problem);
        t.service_refs.push_back(std::move(ref));
        continue;
      }
      auto prefix = IpPrefix::Parse(cidr);
      if (!prefix.ok()) {
        t.skipped.push_back("shared service " + label + ": " + prefix.status().message());
        continue;
      }
      std::string problem;
      for (const auto& [proto, port] : Ports(s, &problem)) {
        t.shared_services.push_back({*prefix, proto, port});
      }
      if (!problem.empty()) t.skipped.push_back("shared service " + label + ": " + problem);
    }
  }
  if (spec.contains("nodeQuota") && spec["nodeQuota"].is_object()) {
    const json& q = spec["nodeQuota"];
    if (q.contains("cpu")) {
      auto cpu = ParseCpuMillicores(q["cpu"]);
      if (cpu.ok())
        t.node_quota.cpu_millicores = *cpu;
      else
        t.skipped.push_back("nodeQuota.cpu: " + cpu.status().message());
    }
    if (q.contains("memory")) {
      auto mem = ParseMemoryBytes(q["memory"]);
      if (mem.ok())
        t.node_quota.memory_bytes = *mem;
      else
        t.skipped.push_back("nodeQuota.memory: " + mem.status().message());
    }
    if (q.contains("pids") && q["pids"].is_number_integer()) {
      t.node_quota.pids = q["pids"].get<int64_t>();
    }
  }
  return t;
}

}  // namespace vc::agent
