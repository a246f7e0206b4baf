// SPDX-License-Identifier: Apache-2.0
// StateStore: connect's local state, one SQLite database at STATE_DIR/state.db. The directory
// is created 0700 (it holds forwarder logs and temporary kubeconfigs with credentials). WAL and
// a busy timeout let several kubectl-vc processes use it at once; a schema_version table lets a
// newer kubectl-vc migrate what an older one wrote, and makes an older one refuse a newer file
// instead of misreading it.
//
//   ASSIGN_OR_RETURN(auto store, StateStore::Open(state_dir));
//   RETURN_IF_ERROR(store->Put(connection));
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vc/cli/connect/connect.h"
#include "vc/status.h"

struct sqlite3;

namespace vc::cli::connect {

class StateStore {
 public:
  static constexpr int kSchemaVersion = 1;

  // Creates the directory and the database as needed.
  static StatusOr<std::unique_ptr<StateStore>> Open(const std::string& state_dir);
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  const std::string& path() const { return path_; }

  // Inserts or replaces the row of connection.context.
  Status Put(const Connection& connection);
  StatusOr<std::optional<Connection>> Get(const std::string& context);
  // Every row, ordered by context.
  StatusOr<std::vector<Connection>> List();
  // Ok also when there was no such row.
  Status Remove(const std::string& context);

 private:
  StateStore(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Status Exec(const std::string& sql);
  Status Migrate();

  sqlite3* db_;
  std::string path_;
};

}  // namespace vc::cli::connect
