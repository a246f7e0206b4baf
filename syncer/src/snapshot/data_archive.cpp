// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/snapshot/data_archive.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <vector>

#include "vc/json_text.h"
#include "vc/log.h"
#include "vc/utf8.h"

namespace vc::syncer::snapshot {
namespace {

namespace fsys = std::filesystem;
using nlohmann::json;
using vc::snapshot::ArchiveReader;
using vc::snapshot::ArchiveWriter;
using vc::snapshot::EntryHeader;
using vc::snapshot::EntryKind;

constexpr size_t kChunk = 1 << 20;

Status Errno(const std::string& what) {
  const int e = errno;
  if (e == ENOSPC || e == EDQUOT) {
    return FailedPrecondition(what +
                              ": no space left on the pod's data volume (free space or "
                              "grow the volume: controlPlane.statefulSet.persistence)");
  }
  return Internal(what + ": " + std::strerror(e));
}

std::string Now() {
  char buf[32];
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Removes a directory tree when it goes out of scope, unless released.
class ScopedTree {
 public:
  explicit ScopedTree(std::string path) : path_(std::move(path)) {}
  ~ScopedTree() {
    if (!path_.empty()) {
      std::error_code ec;
      fsys::remove_all(path_, ec);
    }
  }
  void Release() { path_.clear(); }

 private:
  std::string path_;
};

Status StreamFile(const std::string& path, ArchiveWriter& writer, const EntryHeader& header) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("read " + path);
  RETURN_IF_ERROR(writer.BeginEntry(header));
  std::vector<char> buf(kChunk);
  uint64_t left = header.size;
  Status status;
  while (left > 0 && status.ok()) {
    const ssize_t n = ::read(fd, buf.data(), std::min<uint64_t>(buf.size(), left));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      status =
          n == 0 ? Internal("read " + path + ": it shrank while archived") : Errno("read " + path);
      break;
    }
    status = writer.Write(buf.data(), static_cast<size_t>(n));
    left -= static_cast<uint64_t>(n);
  }
  ::close(fd);
  RETURN_IF_ERROR(status);
  return writer.EndEntry();
}

}  // namespace

bool SafeEntryPath(const std::string& name) {
  if (name.empty() || name.front() == '/' || name.size() > 1024) return false;
  // open() stops at a NUL; control characters have no place in our file names either.
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  size_t start = 0;
  while (start <= name.size()) {
    size_t slash = name.find('/', start);
    if (slash == std::string::npos) slash = name.size();
    const std::string part = name.substr(start, slash - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = slash + 1;
  }
  return true;
}

StatusOr<json> WriteDataArchive(const ArchiveRequest& request, const vc::snapshot::ByteSink& sink) {
  const std::string work = request.data_dir + "/.snapshot";
  std::error_code ec;
  fsys::remove_all(work, ec);
  if (!fsys::create_directories(work, ec) && ec) {
    return Internal("create " + work + ": " + ec.message());
  }
  ScopedTree cleanup(work);
  const std::string copy = work + "/state.db";
  RETURN_IF_ERROR(BackupDatabase(request.data_dir + "/state.db", copy));
  ASSIGN_OR_RETURN(json objects, CountObjects(copy));

  // Files in archive order: the database, then the PKI (sorted, regular files, no temporaries).
  std::vector<std::pair<std::string, std::string>> files = {{"state.db", copy}};
  std::vector<std::string> pki;
  for (const auto& e : fsys::directory_iterator(request.data_dir + "/pki", ec)) {
    const std::string name = e.path().filename().string();
    if (e.is_regular_file() && name.front() != '.') pki.push_back(name);
  }
  if (ec) return Internal("list " + request.data_dir + "/pki: " + ec.message());
  std::sort(pki.begin(), pki.end());
  for (const auto& name : pki) files.emplace_back("pki/" + name, request.data_dir + "/pki/" + name);

  json meta = request.meta.is_object() ? request.meta : json::object();
  meta["formatVersion"] = vc::snapshot::kFormatVersion;
  meta["createdAt"] = Now();
  meta["objects"] = objects;
  meta["files"] = json::array();
  std::vector<EntryHeader> headers;
  for (const auto& [name, path] : files) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return Errno("stat " + path);
    headers.push_back({EntryKind::kFile, name, static_cast<uint32_t>(st.st_mode & 0777),
                       static_cast<uint64_t>(st.st_size)});
    meta["files"].push_back({{"name", name}, {"size", st.st_size}});
  }
  meta["encrypted"] = request.key.has_value();

  ArchiveWriter writer(sink, request.key);
  const std::string meta_text = meta.dump(2);
  RETURN_IF_ERROR(writer.BeginEntry({EntryKind::kMeta, "meta.json", 0644, meta_text.size()}));
  RETURN_IF_ERROR(writer.Write(meta_text.data(), meta_text.size()));
  RETURN_IF_ERROR(writer.EndEntry());
  for (size_t i = 0; i < files.size(); ++i) {
    RETURN_IF_ERROR(StreamFile(files[i].second, writer, headers[i]));
  }
  RETURN_IF_ERROR(writer.Finish());
  VC_LOG(Info) << "snapshot: " << writer.bytes_out() << " bytes, " << files.size() << " files";
  return meta;
}

namespace {

// meta.json, the archive's first entry, as text and as JSON.
struct ArchiveMeta {
  std::string text;
  json value;
};

StatusOr<ArchiveMeta> ReadMetaEntry(ArchiveReader& reader) {
  ASSIGN_OR_RETURN(auto first, reader.Next());
  if (!first || first->kind != EntryKind::kMeta) {
    return InvalidArgument("snapshot is corrupted: it does not start with meta.json");
  }
  ArchiveMeta meta;
  ASSIGN_OR_RETURN(meta.text, vc::snapshot::ReadEntryToString(reader));
  ASSIGN_OR_RETURN(meta.value, ParseJsonText(meta.text, "snapshot is corrupted: meta.json"));
  if (!meta.value.is_object()) {
    return InvalidArgument("snapshot is corrupted: meta.json is not JSON");
  }
  return meta;
}

Status CheckFileEntry(const EntryHeader& entry) {
  if (entry.kind != EntryKind::kFile) {
    return InvalidArgument("snapshot is corrupted: a second meta entry");
  }
  if (!SafeEntryPath(entry.name) || entry.name.rfind("restore.", 0) == 0) {
    return InvalidArgument("snapshot is corrupted: entry path \"" +
                           utf8::Escape(utf8::Truncate(entry.name, 200)) +
                           "\" is not a plain path inside the data directory");
  }
  return Status::Ok();
}

// What a restorable snapshot must hold: the database and the CA with its key.
struct RequiredFiles {
  bool has_db = false;
  bool has_ca = false;
  bool has_ca_key = false;

  void See(const std::string& name) {
    has_db |= name == "state.db";
    has_ca |= name == "pki/ca.crt";
    has_ca_key |= name == "pki/ca.key";
  }
  Status Check() const {
    if (has_db && has_ca && has_ca_key) return Status::Ok();
    return InvalidArgument("snapshot is incomplete: it lacks " + std::string(!has_db ? "state.db"
                                                                             : !has_ca
                                                                                 ? "pki/ca.crt"
                                                                                 : "pki/ca.key"));
  }
};

// Copies the current entry's bytes to `fd`, through `buf`.
Status CopyEntryTo(ArchiveReader& reader, int fd, const std::string& path, std::vector<char>& buf) {
  while (true) {
    ASSIGN_OR_RETURN(size_t n, reader.Read(buf.data(), buf.size()));
    if (n == 0) return Status::Ok();
    for (size_t done = 0; done < n;) {
      const ssize_t w = ::write(fd, buf.data() + done, n - done);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return Errno("write " + path);
      done += static_cast<size_t>(w);
    }
  }
}

// The current entry written to `path`, synced, with the entry's mode.
Status WriteEntryFile(ArchiveReader& reader, const EntryHeader& entry, const std::string& path,
                      std::vector<char>& buf) {
  const int fd =
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, (entry.mode & 0777) | 0600);
  if (fd < 0) return Errno("write " + path);
  Status status = CopyEntryTo(reader, fd, path, buf);
  if (status.ok() && ::fsync(fd) != 0) status = Errno("fsync " + path);
  ::fchmod(fd, entry.mode & 0777);
  ::close(fd);
  return status;
}

// Every file entry after meta.json written under `staging`, checked for what a restore needs.
Status StageFileEntries(ArchiveReader& reader, const std::string& staging) {
  std::vector<char> buf(kChunk);
  RequiredFiles required;
  std::error_code ec;
  while (true) {
    ASSIGN_OR_RETURN(auto entry, reader.Next());
    if (!entry) break;
    RETURN_IF_ERROR(CheckFileEntry(*entry));
    required.See(entry->name);
    const std::string path = staging + "/" + entry->name;
    fsys::create_directories(fsys::path(path).parent_path(), ec);
    RETURN_IF_ERROR(WriteEntryFile(reader, *entry, path, buf));
  }
  return required.Check();
}

Status WriteMetaFile(const std::string& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("write " + path);
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  if (!ok) return Errno("write " + path);
  return Status::Ok();
}

}  // namespace

StatusOr<json> StageRestore(const std::string& data_dir, const vc::snapshot::ByteSource& source,
                            const std::optional<vc::snapshot::EncryptionKey>& key) {
  const std::string staging = data_dir + "/restore.staging";
  const std::string ready = data_dir + "/restore.ready";
  std::error_code ec;
  fsys::remove(data_dir + "/restore.result", ec);  // an older restore's outcome
  fsys::remove_all(staging, ec);
  if (!fsys::create_directories(staging, ec) && ec) {
    return Internal("create " + staging + ": " + ec.message());
  }
  ScopedTree cleanup(staging);
  ::chmod(staging.c_str(), 0700);

  ArchiveReader reader(source, key);
  RETURN_IF_ERROR(reader.Open());
  ASSIGN_OR_RETURN(ArchiveMeta meta, ReadMetaEntry(reader));
  RETURN_IF_ERROR(StageFileEntries(reader, staging));
  RETURN_IF_ERROR(WriteMetaFile(staging + "/meta.json", meta.text));
  fsys::remove_all(ready, ec);
  if (::rename(staging.c_str(), ready.c_str()) != 0) return Errno("rename " + staging);
  cleanup.Release();
  if (const int dir = ::open(data_dir.c_str(), O_RDONLY | O_DIRECTORY); dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  VC_LOG(Info) << "restore: staged " << reader.bytes_in() << " verified bytes in " << ready;
  return meta.value;
}

}  // namespace vc::syncer::snapshot
