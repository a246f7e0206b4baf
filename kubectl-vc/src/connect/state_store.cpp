// SPDX-License-Identifier: Apache-2.0
#include "vc/cli/connect/state_store.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace vc::cli::connect {
namespace {

// A prepared statement finalized on every path out.
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
  void Bind(int i, const std::string& v) {
    sqlite3_bind_text(stmt_, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void Bind(int i, long long v) { sqlite3_bind_int64(stmt_, i, v); }
  std::string Text(int i) {
    const auto* t = sqlite3_column_text(stmt_, i);
    return t == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(t));
  }
  long long Int(int i) { return sqlite3_column_int64(stmt_, i); }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_ = SQLITE_ERROR;
};

constexpr const char* kColumns =
    "context, name, namespace, host_context, kubeconfig_file, previous_context, server, "
    "forwarder_pid, forwarder_start_ticks, local_port, connected_at";

Connection ReadRow(Statement& s) {
  Connection c;
  c.context = s.Text(0);
  c.name = s.Text(1);
  c.namespace_ = s.Text(2);
  c.host_context = s.Text(3);
  c.kubeconfig_file = s.Text(4);
  c.previous_context = s.Text(5);
  c.server = s.Text(6);
  c.forwarder_pid = static_cast<int>(s.Int(7));
  c.forwarder_start_ticks = s.Int(8);
  c.local_port = static_cast<int>(s.Int(9));
  c.connected_at = s.Int(10);
  return c;
}

}  // namespace

StatusOr<std::unique_ptr<StateStore>> StateStore::Open(const std::string& state_dir) {
  std::error_code ec;
  std::filesystem::create_directories(state_dir, ec);
  if (ec) {
    return Internal("create state directory " + state_dir + ": " + ec.message() +
                    " (set VC_STATE_DIR to a writable directory)");
  }
  // Forwarder logs and temporary kubeconfigs with client keys live here: owner only.
  if (::chmod(state_dir.c_str(), 0700) != 0) {
    return Internal("chmod 0700 " + state_dir + ": " + std::strerror(errno));
  }
  const std::string path = state_dir + "/state.db";
  sqlite3* db = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return Internal("open " + path + ": " + msg);
  }
  std::unique_ptr<StateStore> store(new StateStore(db, path));
  // Another kubectl-vc may hold the write lock for a moment (connect in two terminals).
  sqlite3_busy_timeout(db, 5000);
  RETURN_IF_ERROR(store->Exec("PRAGMA journal_mode=WAL"));
  RETURN_IF_ERROR(store->Exec("PRAGMA synchronous=NORMAL"));
  RETURN_IF_ERROR(store->Migrate());
  return store;
}

StateStore::~StateStore() { sqlite3_close(db_); }

Status StateStore::Exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err != nullptr ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    return Internal("state database " + path_ + ": " + msg);
  }
  return Status::Ok();
}

Status StateStore::Migrate() {
  RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  auto migrate = [&]() -> Status {
    RETURN_IF_ERROR(Exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"));
    int version = 0;
    {
      Statement s(db_, "SELECT MAX(version) FROM schema_version");
      if (!s.ok()) {
        return Internal("state database " + path_ + ": " + sqlite3_errmsg(db_));
      }
      if (sqlite3_step(s.get()) == SQLITE_ROW) {
        version = static_cast<int>(s.Int(0));
      }
    }
    if (version > kSchemaVersion) {
      return FailedPrecondition("state database " + path_ + " has schema version " +
                                std::to_string(version) + ", this kubectl-vc knows up to " +
                                std::to_string(kSchemaVersion) + ": upgrade kubectl-vc");
    }
    if (version < 1) {
      RETURN_IF_ERROR(
          Exec("CREATE TABLE connections ("
               " context TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, namespace TEXT NOT NULL,"
               " host_context TEXT NOT NULL, kubeconfig_file TEXT NOT NULL,"
               " previous_context TEXT NOT NULL, server TEXT NOT NULL,"
               " forwarder_pid INTEGER NOT NULL, forwarder_start_ticks INTEGER NOT NULL,"
               " local_port INTEGER NOT NULL, connected_at INTEGER NOT NULL)"));
      RETURN_IF_ERROR(Exec("DELETE FROM schema_version"));
      RETURN_IF_ERROR(Exec("INSERT INTO schema_version (version) VALUES (1)"));
    }
    return Status::Ok();
  }();
  if (!migrate.ok()) {
    (void)Exec("ROLLBACK");
    return migrate;
  }
  return Exec("COMMIT");
}

Status StateStore::Put(const Connection& c) {
  Statement s(db_, ("INSERT OR REPLACE INTO connections (" + std::string(kColumns) +
                    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)")
                       .c_str());
  if (!s.ok()) {
    return Internal("state database " + path_ + ": " + sqlite3_errmsg(db_));
  }
  s.Bind(1, c.context);
  s.Bind(2, c.name);
  s.Bind(3, c.namespace_);
  s.Bind(4, c.host_context);
  s.Bind(5, c.kubeconfig_file);
  s.Bind(6, c.previous_context);
  s.Bind(7, c.server);
  s.Bind(8, static_cast<long long>(c.forwarder_pid));
  s.Bind(9, c.forwarder_start_ticks);
  s.Bind(10, static_cast<long long>(c.local_port));
  s.Bind(11, c.connected_at);
  if (sqlite3_step(s.get()) != SQLITE_DONE) {
    return Internal("record connection " + c.context + " in " + path_ + ": " + sqlite3_errmsg(db_));
  }
  return Status::Ok();
}

StatusOr<std::optional<Connection>> StateStore::Get(const std::string& context) {
  Statement s(db_,
              ("SELECT " + std::string(kColumns) + " FROM connections WHERE context = ?1").c_str());
  if (!s.ok()) {
    return Internal("state database " + path_ + ": " + sqlite3_errmsg(db_));
  }
  s.Bind(1, context);
  const int rc = sqlite3_step(s.get());
  if (rc == SQLITE_ROW) {
    return std::optional<Connection>(ReadRow(s));
  }
  if (rc == SQLITE_DONE) {
    return std::optional<Connection>();
  }
  return Internal("read connection " + context + " from " + path_ + ": " + sqlite3_errmsg(db_));
}

StatusOr<std::vector<Connection>> StateStore::List() {
  Statement s(db_,
              ("SELECT " + std::string(kColumns) + " FROM connections ORDER BY context").c_str());
  if (!s.ok()) {
    return Internal("state database " + path_ + ": " + sqlite3_errmsg(db_));
  }
  std::vector<Connection> out;
  int rc;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    out.push_back(ReadRow(s));
  }
  if (rc != SQLITE_DONE) {
    return Internal("list connections in " + path_ + ": " + sqlite3_errmsg(db_));
  }
  return out;
}

Status StateStore::Remove(const std::string& context) {
  Statement s(db_, "DELETE FROM connections WHERE context = ?1");
  if (!s.ok()) {
    return Internal("state database " + path_ + ": " + sqlite3_errmsg(db_));
  }
  s.Bind(1, context);
  if (sqlite3_step(s.get()) != SQLITE_DONE) {
    return Internal("remove connection " + context + " from " + path_ + ": " + sqlite3_errmsg(db_));
  }
  return Status::Ok();
}

}  // namespace vc::cli::connect
