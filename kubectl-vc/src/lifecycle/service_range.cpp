// SPDX-License-Identifier: Apache-2.0
#include "vc/cli/lifecycle/service_range.h"

#include <arpa/inet.h>

#include <cstdint>
#include <nlohmann/json.hpp>

#include "vc/kube/errors.h"
#include "vc/kube/resource.h"

namespace vc::cli::lifecycle {
namespace {

using nlohmann::json;

const kube::Resource kServiceCidrs{"networking.k8s.io", "v1", "servicecidrs", "ServiceCIDR", false};

// An address no host uses for Services (TEST-NET-3, RFC 5737), so the refusal is certain.
constexpr const char* kOutOfRange = "203.0.113.254";

bool IsRangeChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.' ||
         c == ':' || c == '/' || c == ',';
}

StatusOr<std::string> FromServiceCidr(kube::Client& client) {
  ASSIGN_OR_RETURN(json cidr, client.Get(kServiceCidrs, "", "kubernetes"));
  std::string out;
  for (const auto& c : cidr.value("/spec/cidrs"_json_pointer, json::array())) {
    if (!c.is_string() || c.get<std::string>().empty()) continue;
    out += (out.empty() ? "" : ",") + c.get<std::string>();
  }
  if (out.empty()) return NotFound("ServiceCIDR kubernetes has no spec.cidrs");
  return out;
}

json ProbeService(const std::string& cluster_ip);

StatusOr<std::string> FromRefusal(kube::Client& client, const std::string& ns) {
  auto created =
      client.Create(kube::resources::kServices, ns, ProbeService(kOutOfRange), {.dry_run = true});
  if (created.ok()) {
    return FailedPrecondition(std::string("the host accepted ClusterIP ") + kOutOfRange +
                              " in a dry run, so its refusal names no range");
  }
  if (auto range = RangeFromRefusal(created.status().message())) return *range;
  return created.status();
}

json ProbeService(const std::string& cluster_ip) {
  json probe = {{"apiVersion", "v1"},
                {"kind", "Service"},
                {"metadata", {{"generateName", "kubectl-vc-range-probe-"}}},
                {"spec", {{"ports", json::array({{{"port", 443}, {"protocol", "TCP"}}})}}}};
  if (!cluster_ip.empty()) probe["spec"]["clusterIP"] = cluster_ip;
  return probe;
}

// Hosts since 1.33 refuse an out-of-range address without naming the range, and reading their
// ServiceCIDR objects takes a cluster-scoped right a namespace's admin lacks. What such a
// user may do is dry-run Services in the namespace: a dry run without an address is given the
// range's network address, and one at an address says whether it is in the range; the
// largest in-range power-of-two offset from the network address is the range's size (IPv4).
StatusOr<std::string> FromDryRuns(kube::Client& client, const std::string& ns) {
  const kube::WriteOptions dry{.dry_run = true};
  ASSIGN_OR_RETURN(json given,
                   client.Create(kube::resources::kServices, ns, ProbeService(""), dry));
  const std::string network = given.value("/spec/clusterIP"_json_pointer, std::string());
  in_addr base{};
  if (inet_pton(AF_INET, network.c_str(), &base) != 1) {
    return FailedPrecondition("a dry-run Service was given \"" + network +
                              "\", not an IPv4 address to measure a range from");
  }
  const uint32_t first = ntohl(base.s_addr);
  int largest = 0;
  for (int k = 4; k <= 24; ++k) {
    in_addr probe{};
    probe.s_addr = htonl(first + (uint32_t{1} << k) - 2);
    char text[INET_ADDRSTRLEN] = {};
    inet_ntop(AF_INET, &probe, text, sizeof(text));
    auto created = client.Create(kube::resources::kServices, ns, ProbeService(text), dry);
    if (created.ok()) {
      largest = k;
      continue;
    }
    if (kube::ApiCode(created.status()) != 422) return created.status();
    break;  // outside the range (or taken by nothing we can tell apart: the range ends here)
  }
  if (largest == 0) {
    return FailedPrecondition("no address after " + network + " was in the host's Service range");
  }
  return network + "/" + std::to_string(32 - largest);
}

}  // namespace

std::optional<std::string> RangeFromRefusal(std::string_view message) {
  constexpr std::string_view kMarker = "range of valid IPs is ";
  const size_t at = message.find(kMarker);
  if (at == std::string_view::npos) return std::nullopt;
  size_t begin = at + kMarker.size();
  size_t end = begin;
  while (end < message.size() && IsRangeChar(message[end])) ++end;
  while (end > begin && (message[end - 1] == '.' || message[end - 1] == ',')) --end;
  const std::string range(message.substr(begin, end - begin));
  if (range.find('/') == std::string::npos) return std::nullopt;
  return range;
}

StatusOr<std::string> DetectHostServiceRange(kube::Client& client,
                                             const std::string& dry_run_namespace) {
  auto from_object = FromServiceCidr(client);
  if (from_object.ok()) return from_object;
  auto from_refusal = FromRefusal(client, dry_run_namespace);
  if (from_refusal.ok()) return from_refusal;
  auto measured = FromDryRuns(client, dry_run_namespace);
  if (measured.ok()) return measured;
  return FailedPrecondition(
      "could not find the host's Service range: ServiceCIDR kubernetes (get on "
      "servicecidrs.networking.k8s.io): " +
      from_object.status().message() + "; a dry-run Service at " + kOutOfRange + " in namespace " +
      dry_run_namespace + ": " + from_refusal.status().message() +
      "; dry-run Services measuring it: " + measured.status().message());
}

}  // namespace vc::cli::lifecycle
