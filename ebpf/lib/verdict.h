/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * verdict.h: the segmentation decision, shared by the two hooks of a pod's host-side veth.
 *
 * Each hook judges a packet by the policy of the pod behind *its* veth (the "local" pod):
 * from_pod (tc ingress) by the sender's policy, to_pod (tc egress) by the receiver's. A flow
 * between two pods of this node passes both hooks, so both tenants' policies must allow it;
 * a flow from elsewhere is judged by the receiver alone.
 *
 * Replies: a flow allowed by an allow rule is recorded in vc_flow_v1 and a packet whose
 * reversed 5-tuple is recorded passes. We chose a flow table over "allow by tenant on both
 * ends" because shared services are usually not tenant pods (tenant 0: host DNS, an ingress
 * controller): a zero-trust pod must get the DNS answer from 10.96.0.10:53 without accepting
 * every packet from 10.96.0.10, and a stateless "source port 53" rule would let anyone
 * who can send from port 53 in. Own-tenant, high-trust and partial-to-non-tenant traffic is
 * allowed in both directions by the policy itself and never touches the flow table, so the
 * table only holds rule-allowed flows (small, and an LRU needs no collector). The cost of a
 * full table is a dropped reply of an old flow (availability), never a leak.
 */
#ifndef VC_EBPF_VERDICT_H
#define VC_EBPF_VERDICT_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "maps.h"
#include "parse.h"

/* Allowed packets return TC_ACT_UNSPEC, not TC_ACT_OK: with direct-action cls_bpf the first
 * filter that returns anything else ends classification, and a CNI that keeps its own tc
 * programs on the same hook (cilium, calico-ebpf) must still see the packets we allow. With no
 * further filter, UNSPEC lets the packet continue as OK would. */
#define VC_TC_ACT_OK (-1)
#define VC_TC_ACT_SHOT 2

/* Exact pod address first (hash), then the prefixes (LPM trie). A pod address shadows a
 * covering prefix, as a /128 in the trie would as the longer match. */
static __always_inline __u32 vc_tenant_of(const __u8* addr) {
  struct vc_ip_key key = {.prefixlen = 128};
  struct vc_pod_info* info;

  info = bpf_map_lookup_elem(&vc_pod_addr_v1, addr);
  if (info) return info->tenant_id;
  __builtin_memcpy(key.addr, addr, 16);
  info = bpf_map_lookup_elem(&vc_pod_tenant_v1, &key);
  return info ? info->tenant_id : VC_TENANT_NONE;
}

static __always_inline __u8 vc_trust_of(__u32 tenant) {
  struct vc_tenant_policy* policy = bpf_map_lookup_elem(&vc_tenant_policy_v1, &tenant);

  return policy ? policy->trust : VC_TRUST_ZERO; /* no policy yet: fail closed */
}

/* A rule for the exact port, else a rule for any port: two LPM lookups at most. */
static __always_inline bool vc_rule_allows(__u32 tenant, __u8 direction,
                                           const struct vc_packet* pkt, const __u8* peer) {
  struct vc_allow_key key = {
      .prefixlen = VC_ALLOW_FIXED_BITS + 128,
      .tenant_id = tenant,
      .direction = direction,
      .proto = pkt->proto,
      .port = pkt->dport,
  };

  __builtin_memcpy(key.addr, peer, 16);
  if (bpf_map_lookup_elem(&vc_allow_v1, &key)) return true;
  if (key.port == 0) return false;
  key.port = 0;
  return bpf_map_lookup_elem(&vc_allow_v1, &key) != NULL;
}

static __always_inline void vc_flow_key_of(struct vc_flow_key* key, const struct vc_packet* pkt,
                                           bool reversed) {
  __builtin_memcpy(key->saddr, reversed ? pkt->daddr : pkt->saddr, 16);
  __builtin_memcpy(key->daddr, reversed ? pkt->saddr : pkt->daddr, 16);
  key->sport = reversed ? pkt->dport : pkt->sport;
  key->dport = reversed ? pkt->sport : pkt->dport;
  key->proto = pkt->proto;
}

static __always_inline bool vc_is_reply(const struct vc_packet* pkt) {
  struct vc_flow_key key = {};

  vc_flow_key_of(&key, pkt, true);
  return bpf_map_lookup_elem(&vc_flow_v1, &key) != NULL;
}

static __always_inline void vc_remember_flow(const struct vc_packet* pkt, __u32 tenant) {
  struct vc_flow_key key = {};
  struct vc_flow_value value = {};

  vc_flow_key_of(&key, pkt, false);
  /* Look up before writing: every packet of a long flow would otherwise dirty the entry. */
  if (bpf_map_lookup_elem(&vc_flow_v1, &key)) return;
  value.created_ns = bpf_ktime_get_ns();
  value.tenant_id = tenant;
  bpf_map_update_elem(&vc_flow_v1, &key, &value, BPF_NOEXIST);
}

static __always_inline int vc_count(struct __sk_buff* skb, __u32 tenant, bool allow) {
  __u32 slot = tenant < VC_MAX_TENANTS ? tenant : VC_TENANT_NONE;
  struct vc_counters* c = bpf_map_lookup_elem(&vc_tenant_stats_v1, &slot);

  if (c) {
    /* Per-CPU slot: plain adds, no atomics. */
    if (allow) {
      c->allowed_packets++;
      c->allowed_bytes += skb->len;
    } else {
      c->dropped_packets++;
      c->dropped_bytes += skb->len;
    }
  }
  return allow ? VC_TC_ACT_OK : VC_TC_ACT_SHOT;
}

/* from_pod: the packet leaves the pod (tc ingress of the host-side veth). */
static __always_inline int vc_verdict(struct __sk_buff* skb, bool from_pod) {
  struct vc_packet pkt = {};
  struct vc_iface_info* iface;
  __u32 iface_tenant, local, peer;
  const __u8 *local_addr, *peer_addr;
  __u8 trust, direction = from_pod ? VC_DIR_EGRESS : VC_DIR_INGRESS;
  int parsed = vc_parse(skb, &pkt);
  __u32 ifindex = skb->ifindex;

  if (parsed == VC_PARSE_PASS) return VC_TC_ACT_OK;
  iface = bpf_map_lookup_elem(&vc_iface_tenant_v1, &ifindex);
  iface_tenant = iface ? iface->tenant_id : VC_TENANT_NONE;
  if (parsed == VC_PARSE_INVALID)
    return vc_count(skb, iface_tenant, iface_tenant == VC_TENANT_NONE);

  local_addr = from_pod ? pkt.saddr : pkt.daddr;
  peer_addr = from_pod ? pkt.daddr : pkt.saddr;
  local = vc_tenant_of(local_addr);
  if (iface_tenant != VC_TENANT_NONE) {
    if (local == VC_TENANT_NONE) {
      /* The pod behind this veth has an address we were not told about yet (or it
       * made one up). Zero trust: drop until the agent knows it. */
      if (vc_trust_of(iface_tenant) == VC_TRUST_ZERO) return vc_count(skb, iface_tenant, false);
      local = iface_tenant;
    } else if (local != iface_tenant) {
      /* Another tenant's address on this veth: spoofed, or a stale entry of a pod
       * whose IP was reused. Either way it must not borrow that tenant's rights. */
      return vc_count(skb, iface_tenant, false);
    }
  }
  if (local == VC_TENANT_NONE) return vc_count(skb, VC_TENANT_NONE, true);

  /* Cheapest decisive test first: own tenant needs no policy lookup. */
  peer = vc_tenant_of(peer_addr);
  if (peer == local) return vc_count(skb, local, true);
  trust = vc_trust_of(local);
  if (trust == VC_TRUST_HIGH) return vc_count(skb, local, true);
  if (trust == VC_TRUST_PARTIAL && peer == VC_TENANT_NONE) return vc_count(skb, local, true);
  /* A reply passes whatever the rules say, so one flow-table lookup spares a reply the
   * rule lookups. Rule-allowed packets still go through the rules on every packet (a
   * removed rule stops its flows' new packets; only replies outlive it, as before). */
  if (vc_is_reply(&pkt)) return vc_count(skb, local, true);
  if (vc_rule_allows(local, direction, &pkt, peer_addr)) {
    vc_remember_flow(&pkt, local);
    return vc_count(skb, local, true);
  }
  /* kubelet's probes: only a packet the node's own stack sent (no input interface). */
  if (!from_pod && skb->ingress_ifindex == 0 &&
      vc_rule_allows(local, VC_DIR_FROM_NODE, &pkt, peer_addr)) {
    vc_remember_flow(&pkt, local);
    return vc_count(skb, local, true);
  }
  return vc_count(skb, local, false);
}

#endif /* VC_EBPF_VERDICT_H */
