// SPDX-License-Identifier: Apache-2.0
// Files that are either the old content or the new, never half of either: what /data needs
// when the init container can be killed at any point and the next run must finish the job.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "vc/status.h"

namespace vc::syncer::fs {

// Writes `content` to a temporary file next to `path`, fsyncs it, sets `mode` (whatever the
// umask), renames it over `path` and fsyncs the directory, so the rename itself survives a
// power cut. The temporary name is fixed (".NAME.tmp"): a leftover from a killed run is simply
// overwritten by the next one.
Status WriteFileAtomic(const std::string& path, std::string_view content, mode_t mode);

// Like WriteFileAtomic, but leaves the file (and its mtime) alone when it already holds
// exactly `content` with `mode`. Returns whether it wrote.
StatusOr<bool> WriteFileIfChanged(const std::string& path, std::string_view content, mode_t mode);

// The file's bytes; NotFound when it does not exist.
StatusOr<std::string> ReadFile(const std::string& path);

// mkdir -p with `mode` for the directories it creates.
Status MakeDirectories(const std::string& path, mode_t mode);

}  // namespace vc::syncer::fs
