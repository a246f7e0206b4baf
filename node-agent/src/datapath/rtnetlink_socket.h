// SPDX-License-Identifier: Apache-2.0
// RtnetlinkSocket: one NETLINK_ROUTE request/response exchange at a time, in the network
// namespace of the thread that created the socket. Private to the datapath module; only
// NetlinkVethLocator uses it.
#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vc/status.h"

namespace vc::agent {

// A request under construction: header + fixed message + attributes.
class RtnetlinkRequest {
 public:
  RtnetlinkRequest(uint16_t type, uint16_t flags, const void* body, size_t body_len);
  void AddAttr(uint16_t type, const void* data, size_t len);
  nlmsghdr* header() { return reinterpret_cast<nlmsghdr*>(buf_.data()); }

 private:
  std::vector<char> buf_;
};

class RtnetlinkSocket {
 public:
  static StatusOr<std::unique_ptr<RtnetlinkSocket>> Open();
  ~RtnetlinkSocket();
  RtnetlinkSocket(const RtnetlinkSocket&) = delete;
  RtnetlinkSocket& operator=(const RtnetlinkSocket&) = delete;

  // Sends and collects every reply message (one for a get, many for a dump) as raw bytes.
  // A kernel error reply becomes a Status (ENODEV/ENOENT/ENETUNREACH/ESRCH: NotFound).
  StatusOr<std::vector<std::string>> Exchange(RtnetlinkRequest& request);

 private:
  explicit RtnetlinkSocket(int fd) : fd_(fd) {}
  int fd_;
  uint32_t seq_ = 1;
};

// Attributes of one message, after the fixed header of `fixed_len` bytes.
struct RtAttr {
  uint16_t type;
  std::string_view data;
};
std::vector<RtAttr> ParseAttrs(std::string_view message, size_t fixed_len);
std::vector<RtAttr> ParseNested(std::string_view data);

}  // namespace vc::agent
