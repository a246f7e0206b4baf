// SPDX-License-Identifier: Apache-2.0
// IpPrefix: an address and a prefix length in the 128-bit space the datapath uses (an IPv4
// /24 is a /120). Always canonical: host bits are zero, so equal prefixes compare equal and
// the LPM trie keys the agent writes match the ones it reads back.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "vc/agent/datapath/ip_address.h"
#include "vc/status.h"

namespace vc::agent {

struct IpPrefix {
  IpAddress address;
  uint8_t length = 128;  // 0..128, in the mapped 128-bit space

  // "10.0.0.0/24", "10.0.0.7" (a host: /32), "fd00::/64". Host bits must be zero.
  static StatusOr<IpPrefix> Parse(std::string_view text);
  static IpPrefix Host(const IpAddress& address) { return IpPrefix{address, 128}; }

  // The length as the user wrote it: /24 for IPv4, /64 for IPv6.
  int FamilyLength() const;
  std::string ToString() const;

  // clang-tidy takes the `0` that a defaulted <=> compares against for a null pointer.
  auto operator<=>(const IpPrefix&) const = default;  // NOLINT(modernize-use-nullptr)
};

}  // namespace vc::agent
