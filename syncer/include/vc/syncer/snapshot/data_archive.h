// SPDX-License-Identifier: Apache-2.0
// snapshot/: what vc-syncer does for `kubectl vc snapshot` and `restore` (syncer/README.md).
//
// Taking: a consistent copy of DATA/state.db through SQLite's online backup API (kine keeps
// writing; the copy is one transaction's view, WAL included), into DATA/.snapshot/, then the
// archive (vc/snapshot/archive.h) streams out of it: meta.json, state.db, every file of
// DATA/pki. Restoring: an archive streams in, every checksum verified, into
// DATA/restore.staging/; only a complete, verified archive becomes DATA/restore.ready/, which
// the next `vc-syncer init` swaps in before anything opens the database (restore_swap.h).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "vc/snapshot/archive.h"
#include "vc/status.h"

namespace vc::syncer::snapshot {

// Objects per resource and namespace in a kine database: the newest revision of every key
// under /registry/ that is not deleted. [{"resource","namespace","count"}], sorted.
StatusOr<nlohmann::json> CountObjects(const std::string& db_path);

// SQLite online backup of `db_path` into `copy_path` (replaced), a few pages at a time so
// kine's writers are never blocked for long.
Status BackupDatabase(const std::string& db_path, const std::string& copy_path);

struct ArchiveRequest {
  std::string data_dir = "/data";
  // What the caller knows and the pod does not (source cluster, values, versions): merged into
  // meta.json under the keys it has.
  nlohmann::json meta = nlohmann::json::object();
  std::optional<vc::snapshot::EncryptionKey> key;
};

// Backup, count, and the whole archive into `sink`. Returns meta.json as written.
StatusOr<nlohmann::json> WriteDataArchive(const ArchiveRequest& request,
                                          const vc::snapshot::ByteSink& sink);

// Reads an archive from `source`, verifies it, and stages it as DATA/restore.ready/
// (state.db, pki/..., meta.json). Nothing outside DATA/restore.* is touched; on any error the
// staging directory is removed. Returns meta.json.
StatusOr<nlohmann::json> StageRestore(const std::string& data_dir,
                                      const vc::snapshot::ByteSource& source,
                                      const std::optional<vc::snapshot::EncryptionKey>& key);

// A path inside an archive must stay inside the data dir: relative, no "..", no empty parts.
bool SafeEntryPath(const std::string& name);

}  // namespace vc::syncer::snapshot
