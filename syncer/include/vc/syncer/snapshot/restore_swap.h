// SPDX-License-Identifier: Apache-2.0
// The moment a staged restore becomes the virtual cluster's state: `vc-syncer init`, before
// anything opens the database, finds DATA/restore.ready/ (a verified archive, data_archive.h)
// and swaps it in:
//   1. state.db, state.db-wal, state.db-shm and pki/ move to DATA/restore.previous/ (kept
//      until the next restore, so a human can put them back);
//   2. restore.ready/ is renamed restore.applying/, and its files move into DATA/.
// Each step is renames only and picks up where a killed run stopped. The kubeconfigs and the
// leaf certificates are then rebuilt by the normal init steps from the restored CA.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "vc/status.h"

namespace vc::syncer::snapshot {

// Returns whether a staged restore was applied.
StatusOr<bool> ApplyStagedRestore(const std::string& data_dir);

// Puts DATA/restore.previous back in place (the restored files move to DATA/restore.failed/).
Status RollBackRestore(const std::string& data_dir);

// DATA/restore.result: what became of the last restore, for `kubectl vc restore` to ask
// (GET /restore/status on the snapshot endpoint) once the pod is ready again:
//   {"result": "applied"|"rolledBack", "message": "...", "snapshot": {meta.json's createdAt,
//    cluster}, "at": RFC 3339}
Status WriteRestoreResult(const std::string& data_dir, const nlohmann::json& result);
StatusOr<nlohmann::json> ReadRestoreResult(const std::string& data_dir);  // NotFound: none

// `vc-syncer init` around a staged restore: apply it, run `init`; when init fails on the
// restored state, roll back to the previous state so the next start comes up as it was, and
// record why. Without a staged restore it just runs `init`.
Status InitWithStagedRestore(const std::string& data_dir, const std::function<Status()>& init);

}  // namespace vc::syncer::snapshot
