// SPDX-License-Identifier: Apache-2.0
#include "vc/agent/datapath/ip_prefix.h"

#include <charconv>

namespace vc::agent {
namespace {
constexpr int kV4MappedBits = 96;

bool HostBitsZero(const IpAddress& a, int length) {
  for (int bit = length; bit < 128; ++bit) {
    if (a.bytes[bit / 8] & (0x80 >> (bit % 8))) return false;
  }
  return true;
}
}  // namespace

StatusOr<IpPrefix> IpPrefix::Parse(std::string_view text) {
  auto slash = text.find('/');
  ASSIGN_OR_RETURN(IpAddress address, IpAddress::Parse(text.substr(0, slash)));
  int family_bits = address.IsV4() ? 32 : 128;
  int length = family_bits;
  if (slash != std::string_view::npos) {
    auto digits = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
    if (ec != std::errc() || end != digits.data() + digits.size() || length < 0 ||
        length > family_bits) {
      return InvalidArgument("parse ip prefix: bad length in \"" + std::string(text) + "\" (0.." +
                             std::to_string(family_bits) + ")");
    }
  }
  IpPrefix out{address, static_cast<uint8_t>(address.IsV4() ? length + kV4MappedBits : length)};
  if (!HostBitsZero(address, out.length)) {
    return InvalidArgument("parse ip prefix: \"" + std::string(text) +
                           "\" has host bits set; write the network address");
  }
  return out;
}

int IpPrefix::FamilyLength() const {
  return address.IsV4() && length >= kV4MappedBits ? length - kV4MappedBits : length;
}

std::string IpPrefix::ToString() const {
  return address.ToString() + "/" + std::to_string(FamilyLength());
}

}  // namespace vc::agent
