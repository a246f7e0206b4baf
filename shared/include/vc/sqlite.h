// SPDX-License-Identifier: Apache-2.0
// The SQLite pieces kubectl-vc's connection state and the agent's enforcement state share:
// a database opened the one way both want it (parent directory made, WAL, synchronous=NORMAL,
// a busy timeout for a second process), statements finalized on every path out, and
// transactions rolled back when the body fails.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "vc/status.h"

namespace vc::sqlite {

// A prepared statement, finalized when it goes out of scope.
class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return rc_ == SQLITE_OK; }
  Statement& Bind(int i, int64_t v);
  Statement& Bind(int i, const std::string& v);
  // One step: SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return sqlite3_step(stmt_); }
  bool Next() { return Step() == SQLITE_ROW; }
  // Runs a statement without rows and resets it for the next binding.
  int Run();
  int64_t Int(int col) { return sqlite3_column_int64(stmt_, col); }
  std::string Text(int col);

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_ = SQLITE_ERROR;
};

class Database {
 public:
  // Opens (creating it and its parent directories) `path` in WAL mode with
  // synchronous=NORMAL: a committed transaction survives a crash of the process; a power cut
  // may lose the last one. Waits up to 5 s for another process's write lock.
  static StatusOr<std::unique_ptr<Database>> Open(const std::string& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  sqlite3* get() { return db_; }
  const std::string& path() const { return path_; }
  // "PATH: <sqlite's message>", for errors naming the database.
  std::string Error() const;
  Status Exec(const std::string& sql);
  // BEGIN IMMEDIATE, `body`, COMMIT; ROLLBACK when the body or the commit fails.
  Status Transaction(const std::function<Status()>& body);

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
};

}  // namespace vc::sqlite
