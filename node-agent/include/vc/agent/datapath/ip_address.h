// SPDX-License-Identifier: Apache-2.0
// IpAddress: an IPv4 or IPv6 address as the datapath stores it, 16 bytes in network order,
// IPv4 mapped into ::ffff:0:0/96 so one LPM trie serves both families.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "vc/status.h"

namespace vc::agent {

struct IpAddress {
  std::array<uint8_t, 16> bytes{};

  // "10.1.2.3" or "fd00::1".
  static StatusOr<IpAddress> Parse(std::string_view text);
  // From a 32-bit IPv4 address in network byte order (as in sockaddr_in).
  static IpAddress FromV4(uint32_t network_order);

  bool IsV4() const;
  // Network byte order; only meaningful when IsV4().
  uint32_t V4() const;
  std::string ToString() const;

  // clang-tidy takes the `0` that a defaulted <=> compares against for a null pointer.
  auto operator<=>(const IpAddress&) const = default;  // NOLINT(modernize-use-nullptr)
};

}  // namespace vc::agent
