// SPDX-License-Identifier: Apache-2.0
#include "vc/cli/lifecycle/service_range.h"

#include <nlohmann/json.hpp>

#include "vc/kube/errors.h"
#include "vc/kube/resource.h"

namespace vc::cli::lifecycle {
namespace {

using nlohmann::json;

const kube::Resource kServiceCidrs{"networking.k8s.io", "v1", "servicecidrs", "ServiceCIDR",
                                   false};

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

StatusOr<std::string> FromRefusal(kube::Client& client, const std::string& ns) {
  const json probe = {{"apiVersion", "v1"},
                      {"kind", "Service"},
                      {"metadata", {{"generateName", "kubectl-vc-range-probe-"}}},
                      {"spec",
                       {{"clusterIP", kOutOfRange},
                        {"ports", json::array({{{"port", 443}, {"protocol", "TCP"}}})}}}};
  auto created = client.Create(kube::resources::kServices, ns, probe, {.dry_run = true});
  if (created.ok()) {
    return FailedPrecondition(std::string("the host accepted ClusterIP ") + kOutOfRange +
                              " in a dry run, so its refusal names no range");
  }
  if (auto range = RangeFromRefusal(created.status().message())) return *range;
  return created.status();
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
  return FailedPrecondition(
      "could not find the host's Service range: ServiceCIDR kubernetes: " +
      from_object.status().message() + "; a dry-run Service at " + kOutOfRange + " in namespace " +
      dry_run_namespace + ": " +
      from_refusal.status().message());
}

}  // namespace vc::cli::lifecycle
