// SPDX-License-Identifier: Apache-2.0
#include "vc/agent/datapath/enforcement_store.h"

namespace vc::agent {
namespace {

// Version 1. A new layout adds a migration here; the agent never drops the record, because
// it is what keeps enforcement right before the API server answers.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO meta VALUES ('schema_version', '1');
CREATE TABLE IF NOT EXISTS pod_tenant (prefix TEXT PRIMARY KEY, tenant INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS tenant_policy (tenant INTEGER PRIMARY KEY, trust TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS allow_rule (tenant INTEGER NOT NULL, direction INTEGER NOT NULL,
  proto INTEGER NOT NULL, port INTEGER NOT NULL, peer TEXT NOT NULL,
  PRIMARY KEY (tenant, direction, proto, port, peer));
CREATE TABLE IF NOT EXISTS veth (ifindex INTEGER PRIMARY KEY, name TEXT NOT NULL,
  tenant INTEGER NOT NULL);
)sql";

using sqlite::Statement;

Status DbError(const sqlite::Database& db, const std::string& verb) {
  return Unavailable(verb + " enforcement state " + db.Error());
}

StatusOr<IpPrefix> Prefix(const std::string& text) {
  auto p = IpPrefix::Parse(text);
  if (!p.ok()) return p.status().Annotate("load enforcement state: corrupt prefix");
  return p;
}

}  // namespace

StatusOr<std::unique_ptr<EnforcementStore>> EnforcementStore::Open(const std::string& path) {
  // WAL + synchronous=NORMAL: a committed Save survives an agent crash; a power cut may
  // lose the last one, which the next reconcile against the API server rewrites.
  auto db = sqlite::Database::Open(path);
  if (!db.ok()) return db.status().Annotate("enforcement state");
  if (Status s = (*db)->Exec(kSchema); !s.ok())
    return s.Annotate("create schema of enforcement state");
  return std::unique_ptr<EnforcementStore>(new EnforcementStore(std::move(*db)));
}

StatusOr<EnforcedState> EnforcementStore::Load() {
  EnforcedState s;
  Statement pods(db_->get(), "SELECT prefix, tenant FROM pod_tenant");
  Statement policies(db_->get(), "SELECT tenant, trust FROM tenant_policy");
  Statement rules(db_->get(), "SELECT tenant, direction, proto, port, peer FROM allow_rule");
  Statement veths(db_->get(), "SELECT ifindex, name, tenant FROM veth");
  if (!pods.ok() || !policies.ok() || !rules.ok() || !veths.ok()) return DbError(*db_, "load");
  while (pods.Next()) {
    ASSIGN_OR_RETURN(IpPrefix p, Prefix(pods.Text(0)));
    s.maps.pod_tenants[p] = static_cast<TenantId>(pods.Int(1));
  }
  while (policies.Next()) {
    auto trust = ParseTrustLevel(policies.Text(1));
    if (!trust) return Internal("load enforcement state: unknown trust " + policies.Text(1));
    s.maps.tenant_policies[static_cast<TenantId>(policies.Int(0))] = *trust;
  }
  while (rules.Next()) {
    AllowRule r;
    r.tenant = static_cast<TenantId>(rules.Int(0));
    r.direction = static_cast<Direction>(rules.Int(1));
    r.proto = static_cast<IpProto>(rules.Int(2));
    r.port = static_cast<uint16_t>(rules.Int(3));
    ASSIGN_OR_RETURN(r.peer, Prefix(rules.Text(4)));
    s.maps.allow_rules.insert(r);
  }
  while (veths.Next()) {
    auto ifindex = static_cast<uint32_t>(veths.Int(0));
    auto tenant = static_cast<TenantId>(veths.Int(2));
    s.veths[ifindex] = AttachedVeth{veths.Text(1), tenant};
    s.maps.iface_tenants[ifindex] = tenant;
  }
  return s;
}

Status EnforcementStore::Save(const EnforcedState& state) {
  return db_->Transaction([&]() -> Status {
    auto fail = [&](const std::string& verb) { return DbError(*db_, verb); };
    if (!db_->Exec("DELETE FROM pod_tenant; DELETE FROM tenant_policy; "
                   "DELETE FROM allow_rule; DELETE FROM veth;")
             .ok()) {
      return fail("clear");
    }
    Statement pod(db_->get(), "INSERT INTO pod_tenant VALUES (?, ?)");
    Statement policy(db_->get(), "INSERT INTO tenant_policy VALUES (?, ?)");
    Statement rule(db_->get(), "INSERT INTO allow_rule VALUES (?, ?, ?, ?, ?)");
    Statement veth(db_->get(), "INSERT INTO veth VALUES (?, ?, ?)");
    if (!pod.ok() || !policy.ok() || !rule.ok() || !veth.ok()) return fail("prepare save of");
    for (const auto& [p, t] : state.maps.pod_tenants) {
      if (pod.Bind(1, p.ToString()).Bind(2, t).Run() != SQLITE_DONE) return fail("save");
    }
    for (const auto& [t, trust] : state.maps.tenant_policies) {
      if (policy.Bind(1, t).Bind(2, std::string(TrustLevelName(trust))).Run() != SQLITE_DONE) {
        return fail("save");
      }
    }
    for (const AllowRule& r : state.maps.allow_rules) {
      rule.Bind(1, r.tenant).Bind(2, static_cast<int64_t>(r.direction));
      rule.Bind(3, static_cast<int64_t>(r.proto)).Bind(4, r.port).Bind(5, r.peer.ToString());
      if (rule.Run() != SQLITE_DONE) return fail("save");
    }
    // Veths carry both the filter record and the iface->tenant entry; an iface entry without
    // a recorded veth name cannot be told apart from a reused ifindex, so it is not stored.
    for (const auto& [ifindex, v] : state.veths) {
      if (veth.Bind(1, ifindex).Bind(2, v.name).Bind(3, v.tenant).Run() != SQLITE_DONE) {
        return fail("save");
      }
    }
    return Status::Ok();
  });
}

}  // namespace vc::agent
