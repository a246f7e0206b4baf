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

#include <string>

#include "vc/status.h"

namespace vc::syncer::snapshot {

// Returns whether a staged restore was applied.
StatusOr<bool> ApplyStagedRestore(const std::string& data_dir);

}  // namespace vc::syncer::snapshot
