// SPDX-License-Identifier: Apache-2.0
#include "vc/agent/datapath/bpf_segmentation_maps.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "vc_segmentation.h"

namespace vc::agent {
namespace {

// The layouts are ABI with the BPF side; a silent size change would corrupt pinned maps.
static_assert(sizeof(vc_ip_key) == 20);
static_assert(sizeof(vc_addr_key) == 16);
static_assert(sizeof(vc_pod_info) == 8);
static_assert(sizeof(vc_tenant_policy) == 8);
static_assert(sizeof(vc_allow_key) == 28);
static_assert(sizeof(vc_allow_value) == 8);
static_assert(sizeof(vc_iface_info) == 8);
static_assert(sizeof(vc_flow_key) == 40);
static_assert(sizeof(vc_counters) == 32);
static_assert(VC_MAX_TENANTS == kMaxTenantId + 1);
static_assert(VC_ALLOW_FIXED_BITS == 64);

Status Errno(const char* verb, const std::string& what, int err) {
  return Unavailable(std::string(verb) + " " + what + ": " + std::strerror(err));
}

vc_ip_key IpKey(const IpPrefix& p) {
  vc_ip_key k{};
  k.prefixlen = p.length;
  std::memcpy(k.addr, p.address.bytes.data(), 16);
  return k;
}

vc_addr_key AddrKey(const IpPrefix& p) {
  vc_addr_key k{};
  std::memcpy(k.addr, p.address.bytes.data(), 16);
  return k;
}

bool IsHost(const IpPrefix& p) { return p.length == 128; }

vc_allow_key AllowKey(const AllowRule& r) {
  vc_allow_key k{};
  k.prefixlen = VC_ALLOW_FIXED_BITS + r.peer.length;
  k.tenant_id = r.tenant;
  k.direction = static_cast<uint8_t>(r.direction);
  k.proto = static_cast<uint8_t>(r.proto);
  k.port = htons(r.port);
  std::memcpy(k.addr, r.peer.address.bytes.data(), 16);
  return k;
}

IpPrefix PrefixOf(const uint8_t* addr, uint32_t length) {
  IpPrefix p;
  std::memcpy(p.address.bytes.data(), addr, 16);
  p.length = static_cast<uint8_t>(length);
  return p;
}

template <typename K, typename V>
Status Put(int fd, const K& key, const V& value, const std::string& what) {
  if (bpf_map_update_elem(fd, &key, &value, BPF_ANY) != 0) return Errno("write", what, errno);
  return Status::Ok();
}

template <typename K>
Status Delete(int fd, const K& key, const std::string& what) {
  if (bpf_map_delete_elem(fd, &key) != 0 && errno != ENOENT) return Errno("delete", what, errno);
  return Status::Ok();
}

// Calls fn(key, value) for every entry. Keys are collected first: deleting while walking
// with get_next_key restarts hash walks, and the agent's writer could run concurrently.
template <typename K, typename V, typename Fn>
Status ForEach(int fd, const char* map, Fn fn) {
  std::vector<K> keys;
  K key{};
  K next{};
  int rc = bpf_map_get_next_key(fd, nullptr, &next);
  while (rc == 0) {
    keys.push_back(next);
    key = next;
    rc = bpf_map_get_next_key(fd, &key, &next);
  }
  if (errno != ENOENT) return Errno("walk", map, errno);
  for (const K& k : keys) {
    V value{};
    if (bpf_map_lookup_elem(fd, &k, &value) != 0) continue;  // deleted meanwhile
    fn(k, value);
  }
  return Status::Ok();
}

}  // namespace

// A pod address goes into the exact hash the datapath consults first, a shorter prefix into
// the trie. A pod address may also sit in the trie, written by a build before the hash
// existed: the datapath still reads it there when the hash misses, so a delete clears both,
// and DropSupersededEntries() removes it once the hash holds the address.
Status BpfSegmentationMaps::PutPodTenant(const IpPrefix& prefix, TenantId tenant) {
  vc_pod_info info{};
  info.tenant_id = tenant;
  if (IsHost(prefix)) return Put(fds_.pod_addr, AddrKey(prefix), info, "pod " + prefix.ToString());
  return Put(fds_.pod_tenant, IpKey(prefix), info, "pod prefix " + prefix.ToString());
}

Status BpfSegmentationMaps::DeletePodTenant(const IpPrefix& prefix) {
  if (IsHost(prefix)) {
    RETURN_IF_ERROR(Delete(fds_.pod_addr, AddrKey(prefix), "pod " + prefix.ToString()));
  }
  return Delete(fds_.pod_tenant, IpKey(prefix), "pod prefix " + prefix.ToString());
}

Status BpfSegmentationMaps::PutTenantPolicy(TenantId tenant, TrustLevel trust) {
  vc_tenant_policy policy{};
  policy.trust = static_cast<uint8_t>(trust);
  return Put(fds_.tenant_policy, tenant, policy, "policy of tenant " + std::to_string(tenant));
}

Status BpfSegmentationMaps::DeleteTenantPolicy(TenantId tenant) {
  return Delete(fds_.tenant_policy, tenant, "policy of tenant " + std::to_string(tenant));
}

Status BpfSegmentationMaps::PutAllowRule(const AllowRule& rule) {
  vc_allow_value value{};
  return Put(fds_.allow, AllowKey(rule), value, "rule " + rule.ToString());
}

Status BpfSegmentationMaps::DeleteAllowRule(const AllowRule& rule) {
  return Delete(fds_.allow, AllowKey(rule), "rule " + rule.ToString());
}

Status BpfSegmentationMaps::PutIfaceTenant(uint32_t ifindex, TenantId tenant) {
  vc_iface_info info{};
  info.tenant_id = tenant;
  return Put(fds_.iface_tenant, ifindex, info, "veth " + std::to_string(ifindex));
}

Status BpfSegmentationMaps::DeleteIfaceTenant(uint32_t ifindex) {
  return Delete(fds_.iface_tenant, ifindex, "veth " + std::to_string(ifindex));
}

StatusOr<DatapathState> BpfSegmentationMaps::ReadState() {
  DatapathState s;
  // What the datapath reads: the trie, then the hash, whose pod addresses shadow the same
  // address in the trie. A pod address only in the trie (an older build's entry) reads as
  // held by no tenant, so the diff rewrites it into the hash or deletes it.
  RETURN_IF_ERROR((ForEach<vc_ip_key, vc_pod_info>(
      fds_.pod_tenant, "vc_pod_tenant_v1", [&](const vc_ip_key& k, const vc_pod_info& v) {
        s.pod_tenants[PrefixOf(k.addr, k.prefixlen)] = k.prefixlen == 128 ? kNoTenant : v.tenant_id;
      })));
  RETURN_IF_ERROR((ForEach<vc_addr_key, vc_pod_info>(
      fds_.pod_addr, "vc_pod_addr_v1", [&](const vc_addr_key& k, const vc_pod_info& v) {
        s.pod_tenants[PrefixOf(k.addr, 128)] = v.tenant_id;
      })));
  RETURN_IF_ERROR((ForEach<uint32_t, vc_tenant_policy>(
      fds_.tenant_policy, "vc_tenant_policy_v1", [&](uint32_t k, const vc_tenant_policy& v) {
        s.tenant_policies[k] = static_cast<TrustLevel>(v.trust);
      })));
  RETURN_IF_ERROR((ForEach<vc_allow_key, vc_allow_value>(
      fds_.allow, "vc_allow_v1", [&](const vc_allow_key& k, const vc_allow_value&) {
        AllowRule r;
        r.tenant = k.tenant_id;
        r.direction = static_cast<Direction>(k.direction);
        r.proto = static_cast<IpProto>(k.proto);
        r.port = ntohs(k.port);
        r.peer = PrefixOf(k.addr, k.prefixlen - VC_ALLOW_FIXED_BITS);
        s.allow_rules.insert(r);
      })));
  RETURN_IF_ERROR((ForEach<uint32_t, vc_iface_info>(
      fds_.iface_tenant, "vc_iface_tenant_v1",
      [&](uint32_t k, const vc_iface_info& v) { s.iface_tenants[k] = v.tenant_id; })));
  return s;
}

Status BpfSegmentationMaps::DropSupersededEntries() {
  std::vector<vc_ip_key> superseded;
  RETURN_IF_ERROR((ForEach<vc_ip_key, vc_pod_info>(
      fds_.pod_tenant, "vc_pod_tenant_v1", [&](const vc_ip_key& k, const vc_pod_info&) {
        vc_addr_key a{};
        vc_pod_info v{};
        std::memcpy(a.addr, k.addr, 16);
        if (k.prefixlen == 128 && bpf_map_lookup_elem(fds_.pod_addr, &a, &v) == 0) {
          superseded.push_back(k);
        }
      })));
  for (const vc_ip_key& k : superseded) {
    RETURN_IF_ERROR(Delete(fds_.pod_tenant, k, "pod address in the prefix trie"));
  }
  return Status::Ok();
}

StatusOr<TenantCounters> BpfSegmentationMaps::ReadCounters(TenantId tenant) {
  int cpus = libbpf_num_possible_cpus();
  if (cpus <= 0) return Internal("read counters: cannot count possible cpus");
  std::vector<vc_counters> per_cpu(static_cast<size_t>(cpus));
  uint32_t key = tenant;
  if (bpf_map_lookup_elem(fds_.tenant_stats, &key, per_cpu.data()) != 0) {
    return Errno("read", "counters of tenant " + std::to_string(tenant), errno);
  }
  TenantCounters sum;
  for (const vc_counters& c : per_cpu) {
    sum.allowed_packets += c.allowed_packets;
    sum.allowed_bytes += c.allowed_bytes;
    sum.dropped_packets += c.dropped_packets;
    sum.dropped_bytes += c.dropped_bytes;
  }
  return sum;
}

}  // namespace vc::agent
