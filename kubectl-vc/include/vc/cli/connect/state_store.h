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
#include "vc/sqlite.h"
#include "vc/status.h"

namespace vc::cli::connect {

class StateStore {
 public:
  static constexpr int kSchemaVersion = 1;

  // Creates the directory and the database as needed.
  static StatusOr<std::unique_ptr<StateStore>> Open(const std::string& state_dir);
  const std::string& path() const { return db_->path(); }

  // Inserts or replaces the row of connection.context.
  Status Put(const Connection& connection);
  StatusOr<std::optional<Connection>> Get(const std::string& context);
  // Every row, ordered by context.
  StatusOr<std::vector<Connection>> List();
  // Ok also when there was no such row.
  Status Remove(const std::string& context);

 private:
  explicit StateStore(std::unique_ptr<sqlite::Database> db) : db_(std::move(db)) {}
  Status Migrate();
  // "WHAT PATH: sqlite's message".
  Status Failed(const std::string& what) const { return Internal(what + " " + db_->Error()); }

  std::unique_ptr<sqlite::Database> db_;
};

}  // namespace vc::cli::connect
