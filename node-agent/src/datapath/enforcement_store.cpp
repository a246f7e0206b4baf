// SPDX-License-Identifier: Apache-2.0
#include "vc/agent/datapath/enforcement_store.h"

#include <sqlite3.h>

#include <filesystem>
#include <system_error>

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

class Statement {
 public:
  Statement(sqlite3* db, const char* sql) {
    rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return rc_ == SQLITE_OK; }
  sqlite3_stmt* get() { return stmt_; }
  Statement& Bind(int i, int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  Statement& Bind(int i, const std::string& v) {
    sqlite3_bind_text(stmt_, i, v.c_str(), -1, SQLITE_TRANSIENT);
    return *this;
  }
  // Runs a statement without rows; resets it for the next binding.
  int Run() {
    int rc = sqlite3_step(stmt_);
    sqlite3_reset(stmt_);
    return rc;
  }
  bool Next() { return sqlite3_step(stmt_) == SQLITE_ROW; }
  int64_t Int(int col) { return sqlite3_column_int64(stmt_, col); }
  std::string Text(int col) {
    auto* t = sqlite3_column_text(stmt_, col);
    return t ? reinterpret_cast<const char*>(t) : "";
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
};

Status DbError(sqlite3* db, const std::string& verb) {
  return Unavailable(verb + " enforcement state: " + sqlite3_errmsg(db));
}

Status Exec(sqlite3* db, const char* sql, const std::string& verb) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return DbError(db, verb);
  return Status::Ok();
}

StatusOr<IpPrefix> Prefix(const std::string& text) {
  auto p = IpPrefix::Parse(text);
  if (!p.ok()) return p.status().Annotate("load enforcement state: corrupt prefix");
  return p;
}

}  // namespace

StatusOr<std::unique_ptr<EnforcementStore>> EnforcementStore::Open(const std::string& path) {
  std::error_code ec;
  auto dir = std::filesystem::path(path).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  if (ec) return Unavailable("create state directory " + dir.string() + ": " + ec.message());
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    Status s = Unavailable("open enforcement state " + path + ": " +
                           (db ? sqlite3_errmsg(db) : "out of memory"));
    sqlite3_close(db);
    return s;
  }
  std::unique_ptr<EnforcementStore> store(new EnforcementStore(db));
  // WAL + synchronous=NORMAL: a committed Save survives an agent crash; a power cut may
  // lose the last one, which the next reconcile against the API server rewrites.
  RETURN_IF_ERROR(Exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", "open"));
  RETURN_IF_ERROR(Exec(db, kSchema, "create schema of"));
  return store;
}

EnforcementStore::~EnforcementStore() { sqlite3_close(db_); }

StatusOr<EnforcedState> EnforcementStore::Load() {
  EnforcedState s;
  Statement pods(db_, "SELECT prefix, tenant FROM pod_tenant");
  Statement policies(db_, "SELECT tenant, trust FROM tenant_policy");
  Statement rules(db_, "SELECT tenant, direction, proto, port, peer FROM allow_rule");
  Statement veths(db_, "SELECT ifindex, name, tenant FROM veth");
  if (!pods.ok() || !policies.ok() || !rules.ok() || !veths.ok()) return DbError(db_, "load");
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
  RETURN_IF_ERROR(Exec(db_, "BEGIN IMMEDIATE", "save"));
  auto fail = [&](const std::string& verb) {
    Status s = DbError(db_, verb);
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return s;
  };
  if (sqlite3_exec(db_,
                   "DELETE FROM pod_tenant; DELETE FROM tenant_policy; "
                   "DELETE FROM allow_rule; DELETE FROM veth;",
                   nullptr, nullptr, nullptr) != SQLITE_OK) {
    return fail("clear");
  }
  Statement pod(db_, "INSERT INTO pod_tenant VALUES (?, ?)");
  Statement policy(db_, "INSERT INTO tenant_policy VALUES (?, ?)");
  Statement rule(db_, "INSERT INTO allow_rule VALUES (?, ?, ?, ?, ?)");
  Statement veth(db_, "INSERT INTO veth VALUES (?, ?, ?)");
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
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) return fail("commit");
  return Status::Ok();
}

}  // namespace vc::agent
