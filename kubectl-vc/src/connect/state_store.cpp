// SPDX-License-Identifier: Apache-2.0
#include "vc/cli/connect/state_store.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace vc::cli::connect {
namespace {

using sqlite::Statement;

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
  auto db = sqlite::Database::Open(state_dir + "/state.db");
  if (!db.ok()) return db.status().Annotate("state database");
  std::unique_ptr<StateStore> store(new StateStore(std::move(*db)));
  RETURN_IF_ERROR(store->Migrate());
  return store;
}

Status StateStore::Migrate() {
  return db_->Transaction([&]() -> Status {
    RETURN_IF_ERROR(
        db_->Exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"));
    int version = 0;
    {
      Statement s(db_->get(), "SELECT MAX(version) FROM schema_version");
      if (!s.ok()) return Failed("state database");
      if (s.Next()) version = static_cast<int>(s.Int(0));
    }
    if (version > kSchemaVersion) {
      return FailedPrecondition("state database " + path() + " has schema version " +
                                std::to_string(version) + ", this kubectl-vc knows up to " +
                                std::to_string(kSchemaVersion) + ": upgrade kubectl-vc");
    }
    if (version < 1) {
      RETURN_IF_ERROR(db_->Exec(
          "CREATE TABLE connections ("
          " context TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, namespace TEXT NOT NULL,"
          " host_context TEXT NOT NULL, kubeconfig_file TEXT NOT NULL,"
          " previous_context TEXT NOT NULL, server TEXT NOT NULL,"
          " forwarder_pid INTEGER NOT NULL, forwarder_start_ticks INTEGER NOT NULL,"
          " local_port INTEGER NOT NULL, connected_at INTEGER NOT NULL);"
          "DELETE FROM schema_version;"
          "INSERT INTO schema_version (version) VALUES (1);"));
    }
    return Status::Ok();
  });
}

Status StateStore::Put(const Connection& c) {
  Statement s(db_->get(), "INSERT OR REPLACE INTO connections (" + std::string(kColumns) +
                              ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  if (!s.ok()) return Failed("state database");
  s.Bind(1, c.context).Bind(2, c.name).Bind(3, c.namespace_).Bind(4, c.host_context);
  s.Bind(5, c.kubeconfig_file).Bind(6, c.previous_context).Bind(7, c.server);
  s.Bind(8, c.forwarder_pid).Bind(9, c.forwarder_start_ticks).Bind(10, c.local_port);
  s.Bind(11, c.connected_at);
  if (s.Step() != SQLITE_DONE) return Failed("record connection " + c.context + " in");
  return Status::Ok();
}

StatusOr<std::optional<Connection>> StateStore::Get(const std::string& context) {
  Statement s(db_->get(),
              "SELECT " + std::string(kColumns) + " FROM connections WHERE context = ?1");
  if (!s.ok()) return Failed("state database");
  s.Bind(1, context);
  const int rc = s.Step();
  if (rc == SQLITE_ROW) return std::optional<Connection>(ReadRow(s));
  if (rc == SQLITE_DONE) return std::optional<Connection>();
  return Failed("read connection " + context + " from");
}

StatusOr<std::vector<Connection>> StateStore::List() {
  Statement s(db_->get(), "SELECT " + std::string(kColumns) + " FROM connections ORDER BY context");
  if (!s.ok()) return Failed("state database");
  std::vector<Connection> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back(ReadRow(s));
  if (rc != SQLITE_DONE) return Failed("list connections in");
  return out;
}

Status StateStore::Remove(const std::string& context) {
  Statement s(db_->get(), "DELETE FROM connections WHERE context = ?1");
  if (!s.ok()) return Failed("state database");
  s.Bind(1, context);
  if (s.Step() != SQLITE_DONE) return Failed("remove connection " + context + " from");
  return Status::Ok();
}

}  // namespace vc::cli::connect
