// SPDX-License-Identifier: Apache-2.0
#include "vc/agent/agent/tenant_ids.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace vc::agent {

TenantIdAllocator::TenantIdAllocator(std::map<std::string, TenantId> assigned)
    : assigned_(std::move(assigned)) {
  for (const auto& [key, id] : assigned_) used_.insert(id);
}

StatusOr<TenantId> TenantIdAllocator::IdFor(const std::string& tenant_key) {
  if (auto it = assigned_.find(tenant_key); it != assigned_.end()) return it->second;
  TenantId next = 1;
  for (TenantId used : used_) {  // ordered: the first gap
    if (used != next) break;
    ++next;
  }
  if (next > kMaxTenantId) {
    return FailedPrecondition("assign tenant id to " + tenant_key + ": all " +
                              std::to_string(kMaxTenantId) + " ids of this node are in use");
  }
  assigned_[tenant_key] = next;
  used_.insert(next);
  return next;
}

bool TenantIdAllocator::Retain(const std::set<std::string>& live) {
  bool changed = false;
  for (auto it = assigned_.begin(); it != assigned_.end();) {
    if (live.count(it->first) == 0) {
      used_.erase(it->second);
      it = assigned_.erase(it);
      changed = true;
    } else {
      ++it;
    }
  }
  return changed;
}

std::string TenantIdAllocator::ToJson() const {
  nlohmann::json j = {{"version", 1}, {"tenants", nlohmann::json::object()}};
  for (const auto& [key, id] : assigned_) j["tenants"][key] = id;
  return j.dump(2) + "\n";
}

StatusOr<TenantIdAllocator> TenantIdAllocator::FromJson(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("tenants") || !j["tenants"].is_object()) {
    return InvalidArgument("read tenant ids: not a tenant id file");
  }
  std::map<std::string, TenantId> assigned;
  std::set<TenantId> seen;
  for (const auto& [key, id] : j["tenants"].items()) {
    if (!id.is_number_unsigned() || id.get<uint64_t>() == 0 || id.get<uint64_t>() > kMaxTenantId ||
        !seen.insert(id.get<TenantId>()).second) {
      return InvalidArgument("read tenant ids: bad id for " + key);
    }
    assigned[key] = id.get<TenantId>();
  }
  return TenantIdAllocator(std::move(assigned));
}

StatusOr<TenantIdAllocator> TenantIdAllocator::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return TenantIdAllocator();
  std::stringstream text;
  text << in.rdbuf();
  auto ids = FromJson(text.str());
  if (!ids.ok()) return ids.status().Annotate(path);
  return ids;
}

Status TenantIdAllocator::Save(const std::string& path) const {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << ToJson();
    out.flush();
    if (!out) return Internal("write " + tmp + ": " + std::strerror(errno));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return Internal("rename " + tmp + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace vc::agent
