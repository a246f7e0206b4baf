/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * parse.h: reads the addresses, protocol and ports of a packet on a pod's veth.
 *
 * Headers are read in place when they are in the skb's linear area (the common case: a
 * helper call costs more than the whole parse), else copied with bpf_skb_load_bytes: the
 * host side of a veth can hand us GRO'd, non-linear skbs whose L4 header is not in the
 * linear area, and a parse failure would otherwise mean a drop of an allowed packet.
 */
#ifndef VC_EBPF_PARSE_H
#define VC_EBPF_PARSE_H

#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define VC_ETH_HLEN 14
#define VC_ETH_P_IP 0x0800
#define VC_ETH_P_IPV6 0x86DD
#define VC_IPPROTO_ICMP 1
#define VC_IPPROTO_TCP 6
#define VC_IPPROTO_UDP 17
#define VC_IPPROTO_ICMPV6 58
#define VC_IP_OFFSET_MASK 0x1FFF

enum vc_parse_result {
  VC_PARSE_IP = 0,      /* addresses (and ports where the protocol has them) are valid */
  VC_PARSE_PASS = 1,    /* not subject to segmentation: ARP, IPv6 neighbour discovery */
  VC_PARSE_INVALID = 2, /* claims to be IP but is truncated: fails closed for tenants */
};

struct vc_packet {
  __u8 saddr[16]; /* IPv4 mapped into ::ffff:0:0/96 */
  __u8 daddr[16];
  __be16 sport; /* 0 when the protocol has no ports or this is a non-first fragment */
  __be16 dport;
  __u8 proto;
  __u8 pad[3];
};

static __always_inline void vc_map_v4(__u8* out, __be32 addr) {
  __builtin_memset(out, 0, 10);
  out[10] = 0xff;
  out[11] = 0xff;
  __builtin_memcpy(out + 12, &addr, 4);
}

static __always_inline int vc_load(struct __sk_buff* skb, __u32 off, void* out, __u32 len) {
  void* data = (void*)(long)skb->data;
  void* data_end = (void*)(long)skb->data_end;

  if (off <= 128 && data + off + len <= data_end) {
    __builtin_memcpy(out, data + off, len);
    return 0;
  }
  return bpf_skb_load_bytes(skb, off, out, len);
}

/* ICMP echo has no ports; its identifier plays both roles so that a reply's reversed tuple
 * matches the request's. Other ICMP types keep 0/0. */
static __always_inline void vc_icmp_echo_ports(struct __sk_buff* skb, __u32 off,
                                               struct vc_packet* pkt, __u8 req, __u8 rep) {
  __u8 type = 0;
  __be16 id = 0;

  if (vc_load(skb, off, &type, 1) < 0) return;
  if (type != req && type != rep) return;
  if (vc_load(skb, off + 4, &id, 2) < 0) return;
  pkt->sport = id;
  pkt->dport = id;
}

/* Copies len bytes at off into out: in place from the linear area, else by the helper. */
static __always_inline void vc_parse_ports(struct __sk_buff* skb, __u32 off,
                                           struct vc_packet* pkt) {
  __be16 ports[2];

  if (pkt->proto == VC_IPPROTO_TCP || pkt->proto == VC_IPPROTO_UDP) {
    if (vc_load(skb, off, ports, sizeof(ports)) == 0) {
      pkt->sport = ports[0];
      pkt->dport = ports[1];
    }
  } else if (pkt->proto == VC_IPPROTO_ICMP) {
    vc_icmp_echo_ports(skb, off, pkt, 8, 0);
  } else if (pkt->proto == VC_IPPROTO_ICMPV6) {
    vc_icmp_echo_ports(skb, off, pkt, 128, 129);
  }
}

static __always_inline int vc_parse_v4(struct __sk_buff* skb, struct vc_packet* pkt) {
  struct iphdr ip;

  if (vc_load(skb, VC_ETH_HLEN, &ip, sizeof(ip)) < 0) return VC_PARSE_INVALID;
  if (ip.ihl < 5) return VC_PARSE_INVALID;
  vc_map_v4(pkt->saddr, ip.saddr);
  vc_map_v4(pkt->daddr, ip.daddr);
  pkt->proto = ip.protocol;
  /* Non-first fragments carry no L4 header: they keep ports 0 and only match rules for
   * any port (documented in node-agent/README.md). */
  if (ip.frag_off & bpf_htons(VC_IP_OFFSET_MASK)) return VC_PARSE_IP;
  vc_parse_ports(skb, VC_ETH_HLEN + ip.ihl * 4, pkt);
  return VC_PARSE_IP;
}

static __always_inline int vc_parse_v6(struct __sk_buff* skb, struct vc_packet* pkt) {
  struct ipv6hdr ip6;
  __u8 type = 0;
  __u32 l4 = VC_ETH_HLEN + sizeof(ip6);

  if (vc_load(skb, VC_ETH_HLEN, &ip6, sizeof(ip6)) < 0) return VC_PARSE_INVALID;
  __builtin_memcpy(pkt->saddr, &ip6.saddr, 16);
  __builtin_memcpy(pkt->daddr, &ip6.daddr, 16);
  /* Extension headers are not walked: such packets keep the extension header number as
   * proto and ports 0, which only a rule for that protocol would allow (fails closed). */
  pkt->proto = ip6.nexthdr;
  if (pkt->proto == VC_IPPROTO_ICMPV6) {
    /* Neighbour discovery (133..137) is IPv6's ARP: the pod cannot reach its gateway
     * without it, and it never leaves the link. */
    if (vc_load(skb, l4, &type, 1) == 0 && type >= 133 && type <= 137) return VC_PARSE_PASS;
  }
  vc_parse_ports(skb, l4, pkt);
  return VC_PARSE_IP;
}

static __always_inline int vc_parse(struct __sk_buff* skb, struct vc_packet* pkt) {
  if (skb->protocol == bpf_htons(VC_ETH_P_IP)) return vc_parse_v4(skb, pkt);
  if (skb->protocol == bpf_htons(VC_ETH_P_IPV6)) return vc_parse_v6(skb, pkt);
  return VC_PARSE_PASS;
}

#endif /* VC_EBPF_PARSE_H */
