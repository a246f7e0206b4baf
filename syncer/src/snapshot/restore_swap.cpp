// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/snapshot/restore_swap.h"

#include <ctime>
#include <filesystem>
#include <fstream>

#include "vc/log.h"

namespace vc::syncer::snapshot {
namespace {

namespace fsys = std::filesystem;

std::string NowRfc3339() {
  char buf[32];
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Status Move(const fsys::path& from, const fsys::path& to) {
  std::error_code ec;
  if (fsys::is_directory(to, ec)) fsys::remove_all(to, ec);
  fsys::rename(from, to, ec);
  if (ec)
    return Internal("restore: move " + from.string() + " to " + to.string() + ": " + ec.message());
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
  // The snapshot's meta.json stays as DATA/restore.meta.json for the result record.
  fsys::rename(applying / "meta.json", data / "restore.meta.json", ec);
  fsys::remove_all(applying, ec);
  VC_LOG(Info) << "restore: applied the staged snapshot; the previous state is in "
               << previous.string();
  return true;
}

Status RollBackRestore(const std::string& data_dir) {
  const fsys::path data(data_dir);
  const fsys::path previous = data / "restore.previous";
  const fsys::path failed = data / "restore.failed";
  std::error_code ec;
  if (!fsys::exists(previous, ec)) {
    return FailedPrecondition("restore: nothing to roll back to (" + previous.string() +
                              " is missing)");
  }
  fsys::remove_all(failed, ec);
  fsys::create_directories(failed, ec);
  for (const char* name : {"state.db", "state.db-wal", "state.db-shm", "pki"}) {
    if (fsys::exists(data / name, ec)) RETURN_IF_ERROR(Move(data / name, failed / name));
  }
  for (const char* name : {"state.db", "state.db-wal", "state.db-shm", "pki"}) {
    if (fsys::exists(previous / name, ec)) RETURN_IF_ERROR(Move(previous / name, data / name));
  }
  fsys::remove_all(previous, ec);
  VC_LOG(Warning) << "restore: rolled back to the state before the restore; the restored files "
                     "are in "
                  << failed.string();
  return Status::Ok();
}

Status WriteRestoreResult(const std::string& data_dir, const nlohmann::json& result) {
  const std::string path = data_dir + "/restore.result";
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << result.dump() << "\n";
    if (!out) return Internal("write " + tmp);
  }
  std::error_code ec;
  fsys::rename(tmp, path, ec);
  if (ec) return Internal("rename " + tmp + ": " + ec.message());
  return Status::Ok();
}

StatusOr<nlohmann::json> ReadRestoreResult(const std::string& data_dir) {
  std::ifstream in(data_dir + "/restore.result");
  if (!in) return NotFound("no restore has been applied here");
  auto doc = nlohmann::json::parse(in, nullptr, false);
  if (doc.is_discarded()) return Internal("restore.result is not JSON");
  return doc;
}

Status InitWithStagedRestore(const std::string& data_dir, const std::function<Status()>& init) {
  ASSIGN_OR_RETURN(bool applied, ApplyStagedRestore(data_dir));
  if (!applied) return init();
  nlohmann::json result = {{"at", NowRfc3339()}};
  std::ifstream meta_in(data_dir + "/restore.meta.json");
  const auto meta = nlohmann::json::parse(meta_in, nullptr, false);
  if (meta.is_object()) {
    result["snapshot"] = {{"createdAt", meta.value("createdAt", "")},
                          {"cluster", meta.value("cluster", nlohmann::json::object())}};
  }
  Status s = init();
  if (s.ok()) {
    result["result"] = "applied";
    result["message"] = "the snapshot's state is in place";
    return WriteRestoreResult(data_dir, result);
  }
  result["result"] = "rolledBack";
  result["message"] =
      "init failed on the restored state (" + s.message() + "); the previous state was put back";
  if (Status back = RollBackRestore(data_dir); !back.ok()) {
    result["message"] = "init failed on the restored state (" + s.message() +
                        ") and rolling back failed too: " + back.message();
  }
  (void)WriteRestoreResult(data_dir, result);
  return s.Annotate("restore");
}

}  // namespace vc::syncer::snapshot
