// SPDX-License-Identifier: Apache-2.0
// Value types of network segmentation: what a tenant is allowed, as the agent's policy code
// computes it and as the datapath maps hold it. Plain data, no behaviour beyond ordering.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vc/agent/datapath/ip_address.h"
#include "vc/agent/datapath/ip_prefix.h"

namespace vc::agent {

// Dense ids the agent assigns to tenants: 1..kMaxTenantId. 0 is "no tenant" (host, other
// nodes, shared services outside any tenant).
using TenantId = uint32_t;
inline constexpr TenantId kNoTenant = 0;
inline constexpr TenantId kMaxTenantId = 4095;  // VC_MAX_TENANTS - 1

// DESIGN.md "Trust levels"; values equal the datapath's VC_TRUST_*.
enum class TrustLevel : uint8_t { kZero = 0, kPartial = 1, kHigh = 2 };
const char* TrustLevelName(TrustLevel trust);
std::optional<TrustLevel> ParseTrustLevel(std::string_view text);  // "high|partial|zero"

// Seen from the tenant's pod. Values equal VC_DIR_*.
// kFromNode: the node's own stack opens the flow (kubelet's probes); the datapath matches it only
// for packets the node sent, not ones it forwarded with that source (VC_DIR_FROM_NODE).
enum class Direction : uint8_t { kEgress = 0, kIngress = 1, kFromNode = 2 };

enum class IpProto : uint8_t { kIcmp = 1, kTcp = 6, kUdp = 17, kIcmpV6 = 58 };
std::optional<IpProto> ParseIpProto(std::string_view text);  // "tcp|udp|icmp|icmpv6"
const char* IpProtoName(IpProto proto);

// One entry of vc_allow_v1: pods of `tenant` may open flows to (egress) or accept flows
// from (ingress) `peer` with `proto` on `port` (the peer's port for egress, the pod's own
// port for ingress; 0 = any port).
struct AllowRule {
  TenantId tenant = kNoTenant;
  Direction direction = Direction::kEgress;
  IpProto proto = IpProto::kTcp;
  uint16_t port = 0;
  IpPrefix peer;

  std::string ToString() const;
  // clang-tidy takes the `0` that a defaulted <=> compares against for a null pointer.
  auto operator<=>(const AllowRule&) const = default;  // NOLINT(modernize-use-nullptr)
};

// A service shared by tenants, as the tenant's isolation settings list it
// (isolation.allowedSharedServices): e.g. host DNS 10.96.0.10/32 udp 53.
struct SharedService {
  IpPrefix prefix;
  IpProto proto = IpProto::kTcp;
  uint16_t port = 0;  // 0 = any
};

struct TenantSpec {
  TenantId id = kNoTenant;
  std::string name;  // the virtual cluster's name, for logs
  TrustLevel trust = TrustLevel::kZero;
  std::vector<SharedService> shared_services;
};

// A pod of this node with one of its addresses (a dual-stack pod is two endpoints).
struct PodEndpoint {
  std::string name;  // "namespace/name", for logs and errors
  IpAddress ip;
  TenantId tenant = kNoTenant;
  // False for a tenant pod of another node: its address is in the tenant map (so that peers
  // here classify it: own tenant, other tenant), but it has no veth on this node to look for.
  bool on_node = true;
};

// Facts about the node that policy needs.
struct NodeContext {
  // Where kubelet's probes come from: zero-trust pods accept TCP from them, or no zero-trust
  // pod with a probe would ever become Ready. The node's addresses from its Node object, and
  // (SegmentationEnforcer adds them) the source the node's route to each pod prefers, which a
  // bridge CNI makes the bridge's gateway address.
  std::vector<IpPrefix> probe_sources;
};

// Sum over CPUs of one tenant's slot in vc_tenant_stats_v1.
struct TenantCounters {
  uint64_t allowed_packets = 0;
  uint64_t allowed_bytes = 0;
  uint64_t dropped_packets = 0;
  uint64_t dropped_bytes = 0;
};

}  // namespace vc::agent
