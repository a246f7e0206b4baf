// SPDX-License-Identifier: Apache-2.0
#include "vc/agent/datapath/segmentation_types.h"

namespace vc::agent {

const char* TrustLevelName(TrustLevel trust) {
  switch (trust) {
    case TrustLevel::kZero:
      return "zero";
    case TrustLevel::kPartial:
      return "partial";
    case TrustLevel::kHigh:
      return "high";
  }
  return "zero";
}

std::optional<TrustLevel> ParseTrustLevel(std::string_view text) {
  if (text == "zero") return TrustLevel::kZero;
  if (text == "partial") return TrustLevel::kPartial;
  if (text == "high") return TrustLevel::kHigh;
  return std::nullopt;
}

std::optional<IpProto> ParseIpProto(std::string_view text) {
  if (text == "tcp" || text == "TCP") return IpProto::kTcp;
  if (text == "udp" || text == "UDP") return IpProto::kUdp;
  if (text == "icmp" || text == "ICMP") return IpProto::kIcmp;
  if (text == "icmpv6" || text == "ICMPv6") return IpProto::kIcmpV6;
  return std::nullopt;
}

const char* IpProtoName(IpProto proto) {
  switch (proto) {
    case IpProto::kTcp:
      return "tcp";
    case IpProto::kUdp:
      return "udp";
    case IpProto::kIcmp:
      return "icmp";
    case IpProto::kIcmpV6:
      return "icmpv6";
  }
  return "?";
}

std::string AllowRule::ToString() const {
  return "tenant " + std::to_string(tenant) +
         (direction == Direction::kEgress    ? " egress to "
          : direction == Direction::kIngress ? " ingress from "
                                             : " from the node at ") +
         peer.ToString() + " " + IpProtoName(proto) + "/" +
         (port == 0 ? std::string("any") : std::to_string(port));
}

}  // namespace vc::agent
