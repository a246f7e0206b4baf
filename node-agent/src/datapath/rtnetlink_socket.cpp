// SPDX-License-Identifier: Apache-2.0
#include "rtnetlink_socket.h"

#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vc::agent {

RtnetlinkRequest::RtnetlinkRequest(uint16_t type, uint16_t flags, const void* body, size_t body_len)
    : buf_(NLMSG_SPACE(body_len), 0) {
  nlmsghdr* h = header();
  h->nlmsg_len = NLMSG_LENGTH(body_len);
  h->nlmsg_type = type;
  h->nlmsg_flags = static_cast<uint16_t>(NLM_F_REQUEST | flags);
  std::memcpy(NLMSG_DATA(h), body, body_len);
}

void RtnetlinkRequest::AddAttr(uint16_t type, const void* data, size_t len) {
  size_t offset = NLMSG_ALIGN(header()->nlmsg_len);
  buf_.resize(offset + RTA_SPACE(len), 0);
  auto* rta = reinterpret_cast<rtattr*>(buf_.data() + offset);
  rta->rta_type = type;
  rta->rta_len = static_cast<uint16_t>(RTA_LENGTH(len));
  std::memcpy(RTA_DATA(rta), data, len);
  header()->nlmsg_len = static_cast<uint32_t>(offset + RTA_SPACE(len));
}

StatusOr<std::unique_ptr<RtnetlinkSocket>> RtnetlinkSocket::Open() {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) return Unavailable(std::string("open rtnetlink socket: ") + std::strerror(errno));
  int one = 1;
  // Error replies without the request echoed: shorter, and we never need it.
  setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
  return std::unique_ptr<RtnetlinkSocket>(new RtnetlinkSocket(fd));
}

RtnetlinkSocket::~RtnetlinkSocket() { close(fd_); }

StatusOr<std::vector<std::string>> RtnetlinkSocket::Exchange(RtnetlinkRequest& request) {
  nlmsghdr* h = request.header();
  h->nlmsg_seq = seq_++;
  if (send(fd_, h, h->nlmsg_len, 0) < 0) {
    return Unavailable(std::string("send rtnetlink request: ") + std::strerror(errno));
  }
  const bool dump = (h->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
  std::vector<std::string> out;
  std::vector<char> buf(32768);
  for (;;) {
    ssize_t n = recv(fd_, buf.data(), buf.size(), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Unavailable(std::string("read rtnetlink reply: ") + std::strerror(errno));
    }
    int len = static_cast<int>(n);
    for (auto* m = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(m, len);
         m = NLMSG_NEXT(m, len)) {
      if (m->nlmsg_seq != h->nlmsg_seq) continue;
      if (m->nlmsg_type == NLMSG_DONE) return out;
      if (m->nlmsg_type == NLMSG_ERROR) {
        int err = -static_cast<nlmsgerr*>(NLMSG_DATA(m))->error;
        if (err == 0) return out;
        std::string msg = std::string("rtnetlink: ") + std::strerror(err);
        if (err == ENODEV || err == ENOENT || err == ENETUNREACH || err == ESRCH) {
          return NotFound(msg);
        }
        return Unavailable(msg);
      }
      out.emplace_back(static_cast<const char*>(NLMSG_DATA(m)), m->nlmsg_len - NLMSG_HDRLEN);
      if (!dump) return out;
    }
  }
}

std::vector<RtAttr> ParseNested(std::string_view data) {
  std::vector<RtAttr> attrs;
  auto* rta = reinterpret_cast<const rtattr*>(data.data());
  int len = static_cast<int>(data.size());
  for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
    attrs.push_back({static_cast<uint16_t>(rta->rta_type & NLA_TYPE_MASK),
                     std::string_view(static_cast<const char*>(RTA_DATA(rta)), RTA_PAYLOAD(rta))});
  }
  return attrs;
}

std::vector<RtAttr> ParseAttrs(std::string_view message, size_t fixed_len) {
  size_t offset = NLMSG_ALIGN(fixed_len);
  if (message.size() < offset) return {};
  return ParseNested(message.substr(offset));
}

}  // namespace vc::agent
