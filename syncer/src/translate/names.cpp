// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/translate/names.h"

#include <openssl/evp.h>

#include "vc/labels.h"

namespace vc::syncer::translate {

using nlohmann::json;

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xf]);
  }
  return out;
}

std::string ShortenName(const std::string& full) {
  if (full.size() <= kMaxNameLength) return full;
  std::string head = full.substr(0, 52);
  // "a-b-" + "-hash" would give "--"; a '.' before '-' is invalid in a DNS subdomain.
  while (!head.empty() && (head.back() == '-' || head.back() == '.')) head.pop_back();
  return head + "-" + Sha256Hex(full).substr(0, 10);
}

std::string HostName(std::string_view name, std::string_view ns, std::string_view vcluster) {
  std::string full;
  full.append(name).append("-x-").append(ns).append("-x-").append(vcluster);
  return ShortenName(full);
}

std::string HostClusterName(std::string_view name, const Tenant& tenant) {
  const std::string hash = Sha256Hex(tenant.host_namespace + "/" + tenant.name).substr(0, 8);
  std::string full(name);
  full.append("-x-").append(tenant.name).append("-").append(hash);
  return ShortenName(full);
}

std::string HostLabelKey(std::string_view key) {
  std::string name(key);
  if (auto slash = name.find('/'); slash != std::string::npos) name[slash] = '_';
  return kHostLabelPrefix + ShortenName(name);
}

const json& ObjectAt(const json& j, const char* key) {
  static const json kEmpty = json::object();
  if (!j.is_object()) return kEmpty;
  auto it = j.find(key);
  return it != j.end() && it->is_object() ? *it : kEmpty;
}

namespace {

void AddTenantLabels(json* out, std::string_view virtual_ns, const Tenant& tenant) {
  (*out)[labels::kManagedBy] = labels::kManagedByValue;
  (*out)[labels::kTenant] = tenant.name;
  (*out)[labels::kTenantNamespace] = tenant.host_namespace;
  (*out)[labels::kComponent] = labels::kComponentWorkload;
  (*out)[labels::kVirtualNamespaceLabel] = std::string(virtual_ns);
}

}  // namespace

json HostLabels(const json& virtual_labels, std::string_view virtual_ns, const Tenant& tenant) {
  json out = json::object();
  if (virtual_labels.is_object()) {
    for (const auto& [k, v] : virtual_labels.items()) out[HostLabelKey(k)] = v;
  }
  AddTenantLabels(&out, virtual_ns, tenant);
  out[labels::kTrustLevel] = tenant.trust_level;
  return out;
}

json HostSelector(const json& virtual_selector, std::string_view virtual_ns, const Tenant& tenant) {
  json out = json::object();
  if (virtual_selector.is_object()) {
    for (const auto& [k, v] : virtual_selector.items()) out[HostLabelKey(k)] = v;
  }
  out[labels::kTenant] = tenant.name;
  out[labels::kComponent] = labels::kComponentWorkload;
  out[labels::kVirtualNamespaceLabel] = std::string(virtual_ns);
  return out;
}

json HostMetadata(const json& virtual_object, const Tenant& tenant) {
  const json& meta = ObjectAt(virtual_object, "metadata");
  const std::string name = meta.value("name", "");
  const std::string ns = meta.value("namespace", "");
  json annotations = json::object();
  for (const auto& [k, v] : ObjectAt(meta, "annotations").items()) {
    // kubectl's last-applied copy is the virtual object, not the host one: leave it behind.
    if (k == "kubectl.kubernetes.io/last-applied-configuration") continue;
    // Ours are written by the syncer alone: the tenant's would claim another object, name or
    // tenant to whoever reads them on the host.
    if (k.rfind(labels::kPrefix, 0) == 0) continue;
    annotations[k] = v;
  }
  annotations[labels::kVirtualName] = name;
  annotations[labels::kVirtualNamespace] = ns;
  annotations[labels::kVirtualUid] = meta.value("uid", "");
  return {{"name", HostName(name, ns, tenant.name)},
          {"namespace", tenant.host_namespace},
          {"labels", HostLabels(ObjectAt(meta, "labels"), ns, tenant)},
          {"annotations", annotations}};
}

std::string VirtualKeyOf(const json& host_object) {
  const json& annotations = ObjectAt(ObjectAt(host_object, "metadata"), "annotations");
  const std::string name = annotations.value(labels::kVirtualName, "");
  if (name.empty()) return {};
  const std::string ns = annotations.value(labels::kVirtualNamespace, "");
  return ns.empty() ? name : ns + "/" + name;
}

std::string SyncedSelector(const Tenant& tenant) {
  return std::string(labels::kTenant) + "=" + tenant.name + "," + labels::kComponent + "=" +
         labels::kComponentWorkload;
}

}  // namespace vc::syncer::translate
