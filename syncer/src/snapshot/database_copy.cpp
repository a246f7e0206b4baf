// SPDX-License-Identifier: Apache-2.0
// The consistent copy of kine's database and what is in it.
#include <sqlite3.h>
#include <unistd.h>

#include <map>
#include <thread>

#include "vc/syncer/snapshot/data_archive.h"

namespace vc::syncer::snapshot {
namespace {

struct Db {
  sqlite3* db = nullptr;
  ~Db() { sqlite3_close(db); }
};

Status SqliteError(const std::string& what, sqlite3* db, int rc) {
  std::string message = what + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  if (rc == SQLITE_FULL) message += " (the pod's data volume is full)";
  return Status(rc == SQLITE_FULL ? Code::kFailedPrecondition : Code::kInternal, message);
}

}  // namespace

Status BackupDatabase(const std::string& db_path, const std::string& copy_path) {
  if (::access(db_path.c_str(), R_OK) != 0) {
    return NotFound("back up " + db_path + ": there is no database (has kine started?)");
  }
  ::unlink(copy_path.c_str());
  Db src, dst;
  // Read-write: a read-only connection to a WAL database cannot recover a missing -shm.
  int rc = sqlite3_open_v2(db_path.c_str(), &src.db, SQLITE_OPEN_READWRITE, nullptr);
  if (rc != SQLITE_OK) return SqliteError("open " + db_path, src.db, rc);
  sqlite3_busy_timeout(src.db, 30000);
  rc = sqlite3_open_v2(copy_path.c_str(), &dst.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                       nullptr);
  if (rc != SQLITE_OK) return SqliteError("create " + copy_path, dst.db, rc);
  sqlite3_backup* backup = sqlite3_backup_init(dst.db, "main", src.db, "main");
  if (!backup) return SqliteError("back up " + db_path, dst.db, SQLITE_ERROR);
  // All pages in one step: kine runs SQLite in WAL mode, where this read transaction blocks no
  // writer, and the copy is exactly one committed state. (Copying in slices would restart
  // from the first page whenever kine commits, which it does every few seconds.)
  while (true) {
    rc = sqlite3_backup_step(backup, -1);
    if (rc == SQLITE_DONE) break;
    if (rc == SQLITE_OK) continue;
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    sqlite3_backup_finish(backup);
    return SqliteError("back up " + db_path, dst.db, rc);
  }
  rc = sqlite3_backup_finish(backup);
  if (rc != SQLITE_OK) return SqliteError("back up " + db_path, dst.db, rc);
  // The copy is a self-contained rollback-journal database: no -wal file to carry along.
  char* error = nullptr;
  rc = sqlite3_exec(dst.db, "PRAGMA journal_mode=DELETE;", nullptr, nullptr, &error);
  sqlite3_free(error);
  if (rc != SQLITE_OK) return SqliteError("finish " + copy_path, dst.db, rc);
  return Status::Ok();
}

StatusOr<nlohmann::json> CountObjects(const std::string& db_path) {
  Db db;
  int rc = sqlite3_open_v2(db_path.c_str(), &db.db, SQLITE_OPEN_READONLY, nullptr);
  if (rc != SQLITE_OK) return SqliteError("open " + db_path, db.db, rc);
  sqlite3_stmt* stmt = nullptr;
  const char* sql =
      "SELECT name FROM kine WHERE id IN (SELECT MAX(id) FROM kine GROUP BY name) "
      "AND deleted = 0 AND name LIKE '/registry/%'";
  rc = sqlite3_prepare_v2(db.db, sql, -1, &stmt, nullptr);
  if (rc != SQLITE_OK) return SqliteError("count objects in " + db_path, db.db, rc);
  std::map<std::pair<std::string, std::string>, int> counts;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    const auto* text = sqlite3_column_text(stmt, 0);
    std::string key = text ? reinterpret_cast<const char*>(text) : "";
    std::vector<std::string> parts;
    for (size_t start = std::string("/registry/").size(); start <= key.size();) {
      size_t slash = key.find('/', start);
      if (slash == std::string::npos) slash = key.size();
      parts.push_back(key.substr(start, slash - start));
      start = slash + 1;
    }
    // /registry/RESOURCE/NAME, /registry/RESOURCE/NS/NAME, and with an API group in front
    // (a dot tells it from a core resource): /registry/GROUP/RESOURCE[/NS]/NAME.
    std::string resource, ns;
    size_t i = 0;
    if (parts.size() >= 3 && parts[0].find('.') != std::string::npos) {
      resource = parts[1] + "." + parts[0];
      i = 2;
    } else if (!parts.empty()) {
      resource = parts[0];
      i = 1;
    }
    if (resource.empty() || i >= parts.size()) continue;
    if (parts.size() - i == 2) ns = parts[i];
    ++counts[{resource, ns}];
  }
  sqlite3_finalize(stmt);
  if (rc != SQLITE_DONE) return SqliteError("count objects in " + db_path, db.db, rc);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [key, n] : counts) {
    out.push_back({{"resource", key.first}, {"namespace", key.second}, {"count", n}});
  }
  return out;
}

}  // namespace vc::syncer::snapshot
