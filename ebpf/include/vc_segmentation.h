/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * vc_segmentation.h: every struct that crosses the user/kernel boundary of the segmentation
 * datapath. Included by the BPF programs (after vmlinux.h) and by vc-node-agent (C++).
 *
 * Rules for this file (a layout change here is a map layout change in bpffs):
 *  - fixed-width types only, explicit padding, no implicit holes (static_asserts in the
 *    agent check the sizes);
 *  - a changed layout means a new map name (`_v2`): the pinned `_v1` maps of a running node
 *    are never reinterpreted with the new layout, the agent migrates them;
 *  - padding bytes are always zero: the LPM tries compare raw key bytes.
 */
#ifndef VC_SEGMENTATION_H
#define VC_SEGMENTATION_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Tenant ids are small dense integers assigned by the agent; 0 means "not a tenant pod"
 * (the host, another node, a shared service, the internet). Dense so that the per-CPU
 * counters can be an array (one O(1) slot per tenant, no hash). */
#define VC_MAX_TENANTS 4096
#define VC_TENANT_NONE 0

/* Trust levels as stored in vc_tenant_policy.trust. A tenant with no policy entry is treated
 * as VC_TRUST_ZERO: a half-written policy must fail closed, not open. */
#define VC_TRUST_ZERO 0
#define VC_TRUST_PARTIAL 1
#define VC_TRUST_HIGH 2

/* Direction of an allow rule, seen from the tenant's pod. */
#define VC_DIR_EGRESS 0  /* the pod opens a flow to the rule's address (DNS, an API) */
#define VC_DIR_INGRESS 1 /* the rule's address opens a flow to the pod (ingress) */
/* The node itself opens a flow to the pod from the rule's address (kubelet's probes). Matched
 * only for a packet the node's own stack sent (skb->ingress_ifindex 0): a packet forwarded or
 * bridged from elsewhere with that source (a pod spoofing the bridge's gateway address, a
 * NodePort connection SNATed to it) never is. */
#define VC_DIR_FROM_NODE 2

/* Addresses are stored as 16 bytes; IPv4 as an IPv4-mapped IPv6 address (::ffff:a.b.c.d)
 * so one LPM trie serves both families and an IPv4 /24 is a /120. */
#define VC_V4_MAPPED_PREFIX 96

/* Key of vc_pod_tenant_v1 (LPM trie): a prefix shorter than one address (a node's pod CIDR
 * given to one tenant). Single pod addresses live in vc_pod_addr_v1 (exact hash); a /128
 * here is only honoured as a fallback (written by builds before vc_pod_addr_v1). */
struct vc_ip_key {
  __u32 prefixlen; /* significant bits of addr, 0..128 (IPv4: 96 + v4 prefix length) */
  __u8 addr[16];   /* network byte order; IPv4 mapped as ::ffff:a.b.c.d */
};

/* Key of vc_pod_addr_v1 (hash): one pod address, consulted before the LPM trie. */
struct vc_addr_key {
  __u8 addr[16]; /* network byte order; IPv4 mapped as ::ffff:a.b.c.d */
};

/* Value of vc_pod_tenant_v1 and vc_pod_addr_v1. */
struct vc_pod_info {
  __u32 tenant_id; /* owning tenant, 1..VC_MAX_TENANTS-1 */
  __u32 flags;     /* reserved, 0 */
};

/* Value of vc_tenant_policy_v1 (key: __u32 tenant id). */
struct vc_tenant_policy {
  __u8 trust;  /* VC_TRUST_* */
  __u8 pad[3]; /* zero */
  __u32 flags; /* reserved, 0 */
};

/* Key of vc_allow_v1 (LPM trie). The fixed fields come first so that one trie lookup
 * answers "may tenant T reach addr:port/proto" as a longest-prefix match on the address:
 * O(key bits), no loop over rules. port 0 means "any port" and is a second lookup. */
struct vc_allow_key {
  __u32 prefixlen; /* VC_ALLOW_FIXED_BITS + address prefix length (0..128) */
  __u32 tenant_id; /* the tenant whose pods the rule is for */
  __u8 direction;  /* VC_DIR_* */
  __u8 proto;      /* IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, IPPROTO_ICMPV6 */
  __be16 port;     /* peer port (egress) or the pod's own port (ingress); 0 = any */
  __u8 addr[16];   /* peer address, network byte order, IPv4 mapped */
};
/* Bits of vc_allow_key before addr: tenant_id + direction + proto + port. */
#define VC_ALLOW_FIXED_BITS 64

/* Value of vc_allow_v1. */
struct vc_allow_value {
  __u32 rule_id; /* reserved for an agent-assigned rule id (dumps); 0 today */
  __u32 flags;   /* reserved, 0 */
};

/* Value of vc_iface_tenant_v1 (key: __u32 ifindex of the pod's host-side veth). Lets the
 * datapath fail closed for a zero-trust pod whose IP is not yet known (or is spoofed). */
struct vc_iface_info {
  __u32 tenant_id; /* the tenant of the pod behind this veth */
  __u32 flags;     /* reserved, 0 */
};

/* Key of vc_flow_v1 (LRU hash): the 5-tuple of a flow in the direction it was first
 * allowed. A packet the policy would deny passes if its reversed tuple is here: it is a
 * reply to an allowed flow. */
struct vc_flow_key {
  __u8 saddr[16]; /* the allowed packet's source, IPv4 mapped */
  __u8 daddr[16]; /* the allowed packet's destination, IPv4 mapped */
  __be16 sport;   /* TCP/UDP source port; ICMP echo id */
  __be16 dport;   /* TCP/UDP destination port; ICMP echo id */
  __u8 proto;     /* IP protocol */
  __u8 pad[3];    /* zero */
};

/* Value of vc_flow_v1. */
struct vc_flow_value {
  __u64 created_ns; /* bpf_ktime_get_ns() when the flow was first allowed */
  __u32 tenant_id;  /* the tenant whose policy allowed it */
  __u32 pad;        /* zero */
};

/* Value of vc_tenant_stats_v1 (per-CPU array indexed by tenant id; slot 0 = traffic of
 * no tenant). Userspace sums the CPUs. */
struct vc_counters {
  __u64 allowed_packets; /* packets passed by this tenant's policy */
  __u64 allowed_bytes;   /* their bytes (skb->len) */
  __u64 dropped_packets; /* packets dropped by this tenant's policy */
  __u64 dropped_bytes;   /* their bytes */
};

#endif /* VC_SEGMENTATION_H */
