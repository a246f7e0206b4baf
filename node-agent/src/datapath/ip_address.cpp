// SPDX-License-Identifier: Apache-2.0
#include "vc/agent/datapath/ip_address.h"

#include <arpa/inet.h>

#include <cstring>

namespace vc::agent {
namespace {
constexpr uint8_t kV4MappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
}  // namespace

StatusOr<IpAddress> IpAddress::Parse(std::string_view text) {
  std::string s(text);
  in_addr v4{};
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) return FromV4(v4.s_addr);
  IpAddress out;
  if (inet_pton(AF_INET6, s.c_str(), out.bytes.data()) == 1) return out;
  return InvalidArgument("parse ip address: \"" + s + "\" is neither IPv4 nor IPv6");
}

IpAddress IpAddress::FromV4(uint32_t network_order) {
  IpAddress out;
  std::memcpy(out.bytes.data(), kV4MappedPrefix, sizeof(kV4MappedPrefix));
  std::memcpy(out.bytes.data() + 12, &network_order, 4);
  return out;
}

bool IpAddress::IsV4() const {
  return std::memcmp(bytes.data(), kV4MappedPrefix, sizeof(kV4MappedPrefix)) == 0;
}

uint32_t IpAddress::V4() const {
  uint32_t v = 0;
  std::memcpy(&v, bytes.data() + 12, 4);
  return v;
}

std::string IpAddress::ToString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (IsV4()) {
    in_addr v4{};
    v4.s_addr = V4();
    inet_ntop(AF_INET, &v4, buf, sizeof(buf));
  } else {
    inet_ntop(AF_INET6, bytes.data(), buf, sizeof(buf));
  }
  return buf;
}

}  // namespace vc::agent
