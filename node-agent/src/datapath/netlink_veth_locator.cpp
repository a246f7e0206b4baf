// SPDX-License-Identifier: Apache-2.0
#include "vc/agent/datapath/netlink_veth_locator.h"

#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <optional>
#include <string_view>

#include "rtnetlink_socket.h"

namespace vc::agent {
namespace {

struct LinkFacts {
  std::string name;
  std::string kind;  // "veth", "bridge", "" for a device without rtnl_link_ops
};

StatusOr<LinkFacts> GetLink(RtnetlinkSocket& nl, uint32_t ifindex) {
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  ifi.ifi_index = static_cast<int>(ifindex);
  RtnetlinkRequest req(RTM_GETLINK, 0, &ifi, sizeof(ifi));
  auto replies = nl.Exchange(req);
  if (!replies.ok()) return replies.status().Annotate("look up ifindex " + std::to_string(ifindex));
  if (replies->empty()) return NotFound("look up ifindex " + std::to_string(ifindex) + ": gone");
  LinkFacts facts;
  for (const RtAttr& a : ParseAttrs(replies->front(), sizeof(ifinfomsg))) {
    if (a.type == IFLA_IFNAME)
      facts.name = std::string(a.data.data(), strnlen(a.data.data(), a.data.size()));
    if (a.type != IFLA_LINKINFO) continue;
    for (const RtAttr& info : ParseNested(a.data)) {
      if (info.type == IFLA_INFO_KIND) {
        facts.kind = std::string(info.data.data(), strnlen(info.data.data(), info.data.size()));
      }
    }
  }
  return facts;
}

// Family-native bytes of the address (4 for IPv4) and its family.
std::pair<int, std::string_view> Native(const IpAddress& ip) {
  auto* bytes = reinterpret_cast<const char*>(ip.bytes.data());
  if (ip.IsV4()) return {AF_INET, std::string_view(bytes + 12, 4)};
  return {AF_INET6, std::string_view(bytes, 16)};
}

// The route the node takes to a pod: its output interface and preferred source address.
struct RouteFacts {
  uint32_t oif = 0;
  std::optional<IpAddress> source;
};

StatusOr<RouteFacts> RouteTo(RtnetlinkSocket& nl, const IpAddress& ip) {
  auto [family, addr] = Native(ip);
  rtmsg rtm{};
  rtm.rtm_family = static_cast<unsigned char>(family);
  rtm.rtm_dst_len = static_cast<unsigned char>(addr.size() * 8);
  RtnetlinkRequest req(RTM_GETROUTE, 0, &rtm, sizeof(rtm));
  req.AddAttr(RTA_DST, addr.data(), addr.size());
  ASSIGN_OR_RETURN(auto replies, nl.Exchange(req));
  for (const std::string& r : replies) {
    RouteFacts facts;
    for (const RtAttr& a : ParseAttrs(r, sizeof(rtmsg))) {
      if (a.type == RTA_OIF && a.data.size() == 4) std::memcpy(&facts.oif, a.data.data(), 4);
      if (a.type == RTA_PREFSRC && a.data.size() == addr.size()) {
        if (family == AF_INET) {
          uint32_t v4 = 0;
          std::memcpy(&v4, a.data.data(), 4);
          facts.source = IpAddress::FromV4(v4);
        } else {
          IpAddress v6;
          std::memcpy(v6.bytes.data(), a.data.data(), 16);
          facts.source = v6;
        }
      }
    }
    if (facts.oif != 0) return facts;
  }
  return NotFound("no route with an output interface to " + ip.ToString());
}

// Dumps neighbour entries of `family` and returns the ifindex/lladdr of the first accepted.
template <typename Accept>
StatusOr<std::pair<uint32_t, std::string>> FindNeighbour(RtnetlinkSocket& nl, int family,
                                                         Accept accept) {
  ndmsg ndm{};
  ndm.ndm_family = static_cast<uint8_t>(family);
  RtnetlinkRequest req(RTM_GETNEIGH, NLM_F_DUMP, &ndm, sizeof(ndm));
  ASSIGN_OR_RETURN(auto replies, nl.Exchange(req));
  for (const std::string& r : replies) {
    if (r.size() < sizeof(ndmsg)) continue;
    ndmsg head{};
    std::memcpy(&head, r.data(), sizeof(head));
    std::string_view dst, lladdr;
    uint32_t master = 0;
    for (const RtAttr& a : ParseAttrs(r, sizeof(ndmsg))) {
      if (a.type == NDA_DST) dst = a.data;
      if (a.type == NDA_LLADDR) lladdr = a.data;
      if (a.type == NDA_MASTER && a.data.size() == 4) std::memcpy(&master, a.data.data(), 4);
    }
    if (accept(head, dst, lladdr, master)) {
      return std::make_pair(static_cast<uint32_t>(head.ndm_ifindex), std::string(lladdr));
    }
  }
  return NotFound("no matching neighbour entry");
}

// Makes the kernel resolve `ip`'s link-layer address (ARP or NDP) from this network namespace:
// one empty UDP datagram to the discard port. A pod that has only talked to peers on its own
// bridge (switched, never routed) leaves the bridge no neighbour entry, so without this it
// would stay unenforced until it talked to something off the bridge.
void SolicitNeighbour(const IpAddress& ip) {
  auto [family, addr] = Native(ip);
  const int fd = ::socket(family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return;
  sockaddr_storage to{};
  socklen_t len = 0;
  if (family == AF_INET) {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&to);
    v4->sin_family = AF_INET;
    v4->sin_port = htons(9);
    std::memcpy(&v4->sin_addr, addr.data(), 4);
    len = sizeof(sockaddr_in);
  } else {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&to);
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(9);
    std::memcpy(&v6->sin6_addr, addr.data(), 16);
    len = sizeof(sockaddr_in6);
  }
  (void)::sendto(fd, "", 0, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&to), len);
  ::close(fd);
}

StatusOr<VethInfo> ViaBridge(RtnetlinkSocket& nl, const IpAddress& ip, uint32_t bridge) {
  auto [family, addr] = Native(ip);
  auto neigh = FindNeighbour(
      nl, family, [&](const ndmsg& n, std::string_view dst, std::string_view lladdr, uint32_t) {
        return static_cast<uint32_t>(n.ndm_ifindex) == bridge && dst == addr && !lladdr.empty() &&
               !(n.ndm_state & (NUD_FAILED | NUD_INCOMPLETE));
      });
  if (!neigh.ok()) {
    SolicitNeighbour(ip);  // the next try (the agent retries pods without a veth) finds it
    return NotFound("locate veth of " + ip.ToString() +
                    ": the bridge has no neighbour entry for it yet; solicited, retry");
  }
  const std::string mac = neigh->second;
  auto fdb = FindNeighbour(
      nl, AF_BRIDGE,
      [&](const ndmsg& n, std::string_view, std::string_view lladdr, uint32_t master) {
        return lladdr == mac && master == bridge && static_cast<uint32_t>(n.ndm_ifindex) != bridge;
      });
  if (!fdb.ok()) {
    return NotFound("locate veth of " + ip.ToString() + ": its MAC is in no FDB entry of bridge " +
                    std::to_string(bridge) + "; retry");
  }
  // Not ASSIGN_OR_RETURN: g++ 12 then warns (wrongly) that the moved-out string may be
  // uninitialized.
  auto port = GetLink(nl, fdb->first);
  if (!port.ok()) return port.status();
  if (port->kind != "veth") {
    return NotFound("locate veth of " + ip.ToString() + ": bridge port " + port->name + " is a " +
                    (port->kind.empty() ? std::string("device") : port->kind) + ", not a veth");
  }
  return VethInfo{fdb->first, port->name};
}

}  // namespace

StatusOr<VethInfo> NetlinkVethLocator::Locate(const IpAddress& pod_ip) {
  ASSIGN_OR_RETURN(auto nl, RtnetlinkSocket::Open());
  auto route = RouteTo(*nl, pod_ip);
  if (!route.ok()) return route.status().Annotate("locate veth of " + pod_ip.ToString());
  ASSIGN_OR_RETURN(LinkFacts link, GetLink(*nl, route->oif));
  if (link.kind == "veth") return VethInfo{route->oif, link.name, route->source};
  if (link.kind == "bridge") {
    auto veth = ViaBridge(*nl, pod_ip, route->oif);
    if (veth.ok()) veth->node_source = route->source;
    return veth;
  }
  return NotFound("locate veth of " + pod_ip.ToString() + ": its route leaves through " +
                  link.name + " (" + (link.kind.empty() ? "device" : link.kind) +
                  "), neither a veth nor a bridge; the pod is not on this node or the CNI is "
                  "not supported");
}

StatusOr<std::string> NetlinkVethLocator::InterfaceName(uint32_t ifindex) {
  ASSIGN_OR_RETURN(auto nl, RtnetlinkSocket::Open());
  ASSIGN_OR_RETURN(LinkFacts link, GetLink(*nl, ifindex));
  return link.name;
}

}  // namespace vc::agent
