/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * maps.h: every map of the segmentation datapath, one line of doc each. Included by every
 * program file; the definitions are __weak so that `bpftool gen object` links the program
 * objects into one object that shares one instance of each map.
 *
 * All maps are pinned by name under the agent's pin root (/sys/fs/bpf/vc/). The name carries
 * the layout version: a layout change is a new name, never a reinterpretation of a pinned map.
 * Names are at most 15 characters plus the version so they survive the kernel's
 * BPF_OBJ_NAME_LEN truncation recognisably in `bpftool map`.
 */
#ifndef VC_EBPF_MAPS_H
#define VC_EBPF_MAPS_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "vc_segmentation.h"

/* Pod address -> tenant, exact match: the per-packet lookup for both ends of a flow. A hash
 * of a 16-byte key costs one jhash and a bucket walk; the LPM trie below walks one node per
 * distinguishing bit with a 16-byte compare at each (measured: ebpf/README.md "Cost").
 * 16k entries covers 10k pods a node with room for churn. */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 16384);
  __type(key, struct vc_addr_key);
  __type(value, struct vc_pod_info);
  __uint(pinning, LIBBPF_PIN_BY_NAME);
} vc_pod_addr_v1 SEC(".maps") __weak;

/* Pod prefix -> tenant, consulted only when vc_pod_addr_v1 misses: a whole pod CIDR given to
 * one tenant. Usually empty, and an empty trie answers at its root. */
struct {
  __uint(type, BPF_MAP_TYPE_LPM_TRIE);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __uint(max_entries, 16384);
  __type(key, struct vc_ip_key);
  __type(value, struct vc_pod_info);
  __uint(pinning, LIBBPF_PIN_BY_NAME);
} vc_pod_tenant_v1 SEC(".maps") __weak;

/* Tenant id -> trust level. Hash rather than array: a missing entry must be visible (and is
 * treated as zero trust) instead of reading as a zeroed policy. */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, VC_MAX_TENANTS);
  __type(key, __u32);
  __type(value, struct vc_tenant_policy);
  __uint(pinning, LIBBPF_PIN_BY_NAME);
} vc_tenant_policy_v1 SEC(".maps") __weak;

/* (tenant, direction, proto, port, peer prefix) -> allowed. One LPM lookup per port form. */
struct {
  __uint(type, BPF_MAP_TYPE_LPM_TRIE);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __uint(max_entries, 16384);
  __type(key, struct vc_allow_key);
  __type(value, struct vc_allow_value);
  __uint(pinning, LIBBPF_PIN_BY_NAME);
} vc_allow_v1 SEC(".maps") __weak;

/* Host-side veth ifindex -> tenant of the pod behind it: fail closed for unknown pod IPs. */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 16384);
  __type(key, __u32);
  __type(value, struct vc_iface_info);
  __uint(pinning, LIBBPF_PIN_BY_NAME);
} vc_iface_tenant_v1 SEC(".maps") __weak;

/* Flows allowed by an allow rule, so that their replies pass (see verdict.h for why a flow
 * table rather than a stateless reverse rule). LRU: no agent-side garbage collection. */
struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, 65536);
  __type(key, struct vc_flow_key);
  __type(value, struct vc_flow_value);
  __uint(pinning, LIBBPF_PIN_BY_NAME);
} vc_flow_v1 SEC(".maps") __weak;

/* Per-CPU allow/drop counters indexed by tenant id (slot 0: traffic of no tenant). */
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, VC_MAX_TENANTS);
  __type(key, __u32);
  __type(value, struct vc_counters);
  __uint(pinning, LIBBPF_PIN_BY_NAME);
} vc_tenant_stats_v1 SEC(".maps") __weak;

#endif /* VC_EBPF_MAPS_H */
