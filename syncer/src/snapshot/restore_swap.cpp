// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/snapshot/restore_swap.h"

#include <filesystem>

#include "vc/log.h"

namespace vc::syncer::snapshot {
namespace {

namespace fsys = std::filesystem;

Status Move(const fsys::path& from, const fsys::path& to) {
  std::error_code ec;
  if (fsys::is_directory(to, ec)) fsys::remove_all(to, ec);
  fsys::rename(from, to, ec);
  if (ec) return Internal("restore: move " + from.string() + " to " + to.string() + ": " + ec.message());
  return Status::Ok();
}

}  // namespace

StatusOr<bool> ApplyStagedRestore(const std::string& data_dir) {
  const fsys::path data(data_dir);
  const fsys::path ready = data / "restore.ready";
  const fsys::path applying = data / "restore.applying";
  const fsys::path previous = data / "restore.previous";
  const fsys::path previous_new = data / "restore.previous.new";
  std::error_code ec;
  if (fsys::exists(ready, ec)) {
    if (!fsys::exists(previous_new, ec)) {
      fsys::remove_all(previous, ec);
      fsys::create_directories(previous_new, ec);
      if (ec) return Internal("restore: create " + previous_new.string() + ": " + ec.message());
    }
    for (const char* name : {"state.db", "state.db-wal", "state.db-shm", "pki"}) {
      if (fsys::exists(data / name, ec)) RETURN_IF_ERROR(Move(data / name, previous_new / name));
    }
    RETURN_IF_ERROR(Move(previous_new, previous));
    RETURN_IF_ERROR(Move(ready, applying));
  }
  if (!fsys::exists(applying, ec)) return false;
  for (const auto& entry : fsys::directory_iterator(applying, ec)) {
    const std::string name = entry.path().filename().string();
    if (name == "meta.json") continue;
    RETURN_IF_ERROR(Move(entry.path(), data / name));
  }
  fsys::remove_all(applying, ec);
  VC_LOG(Info) << "restore: applied the staged snapshot; the previous state is in "
               << previous.string();
  return true;
}

}  // namespace vc::syncer::snapshot
