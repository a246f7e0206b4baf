// SPDX-License-Identifier: Apache-2.0
// The writer of format 2: a zstd-compressed POSIX tar stream, written by libarchive through a
// callback straight into the record layer (sealed when there is a key). Every entry's SHA-256
// is computed as it streams and listed in a last SHA256SUMS entry.
#include <archive.h>
#include <archive_entry.h>

#include <cerrno>

#include "record_writer.h"

namespace vc::snapshot {

using namespace internal;

namespace {

struct WriteArchiveDeleter {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct EntryDeleter {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};

// tar carries a name as a C string, SHA256SUMS one per line: printable ASCII without the
// backslash that sha256sum would escape.
bool PlainName(const std::string& name) {
  if (name.empty() || name.size() > 4096) return false;
  for (unsigned char c : name) {
    if (c < 0x20 || c > 0x7e || c == '\\') return false;
  }
  return true;
}

}  // namespace

struct ArchiveWriter::State {
  State(ByteSink sink, std::optional<EncryptionKey> key)
      : records(std::move(sink), std::move(key), kFormatVersion) {}

  RecordWriter records;
  std::unique_ptr<archive, WriteArchiveDeleter> tar;
  Status sink_error;
  bool discard = false;  // set when the writer is abandoned: archive_write_free closes
  DigestCtx entry;
  uint64_t entry_left = 0;
  std::string entry_name;
  std::string sums;  // SHA256SUMS so far
  uint64_t entries = 0;
  bool in_entry = false;
  bool finished = false;

  ~State() {
    discard = true;
    tar.reset();
  }

  static la_ssize_t Callback(archive* a, void* self, const void* data, size_t size) {
    auto* s = static_cast<State*>(self);
    if (s->discard) return static_cast<la_ssize_t>(size);
    Status status = s->records.Plain(static_cast<const char*>(data), size);
    if (!status.ok()) {
      s->sink_error = status;
      archive_set_error(a, EIO, "snapshot sink failed");
      return -1;
    }
    return static_cast<la_ssize_t>(size);
  }

  Status Error(const char* what) {
    if (!sink_error.ok()) return sink_error;
    const char* text = tar ? archive_error_string(tar.get()) : nullptr;
    return Internal(std::string("write snapshot: ") + what + ": " +
                    (text != nullptr ? text : "libarchive failed"));
  }

  // The header, then a tar stream into the records: pax (ustar unless a name or size needs
  // more), zstd at a fast level, no blocking (the compressed stream ends where it ends).
  Status Start() {
    if (tar) return Status::Ok();
    RETURN_IF_ERROR(records.Start());
    tar.reset(archive_write_new());
    const std::string level = std::to_string(kZstdLevel);
    if (archive_write_add_filter_zstd(tar.get()) != ARCHIVE_OK) {
      return Internal(
          "write snapshot: this libarchive has no built-in zstd; install a libarchive "
          "built with libzstd (kubectl-vc links Debian's libarchive.a and libzstd1)");
    }
    if (archive_write_set_filter_option(tar.get(), "zstd", "compression-level", level.c_str()) !=
            ARCHIVE_OK ||
        archive_write_set_format_pax_restricted(tar.get()) != ARCHIVE_OK ||
        archive_write_set_bytes_per_block(tar.get(), 0) != ARCHIVE_OK ||
        archive_write_open2(tar.get(), this, nullptr, &State::Callback, nullptr, nullptr) !=
            ARCHIVE_OK) {
      return Error("open the tar stream");
    }
    return Status::Ok();
  }

  Status TarHeader(const std::string& name, uint32_t mode, uint64_t size) {
    std::unique_ptr<archive_entry, EntryDeleter> e(archive_entry_new());
    archive_entry_set_pathname(e.get(), name.c_str());
    archive_entry_set_filetype(e.get(), AE_IFREG);
    archive_entry_set_perm(e.get(), mode & 0777);
    archive_entry_set_size(e.get(), static_cast<la_int64_t>(size));
    archive_entry_set_mtime(e.get(), 0, 0);  // reproducible: meta.json has createdAt
    if (archive_write_header(tar.get(), e.get()) != ARCHIVE_OK) return Error("write a tar header");
    return Status::Ok();
  }

  Status TarData(const char* data, size_t size) {
    if (size == 0) return Status::Ok();
    const la_ssize_t n = archive_write_data(tar.get(), data, size);
    if (n < 0 || static_cast<size_t>(n) != size) return Error("write tar data");
    return Status::Ok();
  }
};

ArchiveWriter::ArchiveWriter(ByteSink sink, std::optional<EncryptionKey> key)
    : s_(std::make_unique<State>(std::move(sink), std::move(key))) {}

ArchiveWriter::~ArchiveWriter() = default;

uint64_t ArchiveWriter::bytes_out() const { return s_->records.bytes_out(); }

Status ArchiveWriter::BeginEntry(const EntryHeader& header) {
  if (s_->finished || s_->in_entry) return Internal("snapshot archive: entry out of order");
  if (header.kind == EntryKind::kEnd) return Internal("snapshot archive: Finish writes the end");
  if (!PlainName(header.name)) {
    return Internal("snapshot archive: entry name \"" + Quote(header.name) +
                    "\" is not printable ASCII (without a backslash); rename the file");
  }
  const bool meta = header.kind == EntryKind::kMeta;
  const bool reserved = header.name == kMetaEntry || header.name == kSumsEntry;
  if (meta != (s_->entries == 0) || (meta && header.name != kMetaEntry) || (!meta && reserved)) {
    return Internal("snapshot archive: meta.json must be the first entry, and only it");
  }
  RETURN_IF_ERROR(s_->Start());
  RETURN_IF_ERROR(s_->TarHeader(header.name, header.mode, header.size));
  s_->entry = NewSha256();
  s_->entry_left = header.size;
  s_->entry_name = header.name;
  s_->in_entry = true;
  ++s_->entries;
  return Status::Ok();
}

Status ArchiveWriter::Write(const char* data, size_t size) {
  if (!s_->in_entry) return Internal("snapshot archive: write outside an entry");
  if (size > s_->entry_left) {
    return Internal("snapshot archive: " + s_->entry_name + " grew while it was archived");
  }
  s_->entry_left -= size;
  EVP_DigestUpdate(s_->entry.get(), data, size);
  return s_->TarData(data, size);
}

Status ArchiveWriter::EndEntry() {
  if (!s_->in_entry) return Internal("snapshot archive: no entry to end");
  if (s_->entry_left != 0) {
    return Internal("snapshot archive: " + s_->entry_name + " is " +
                    std::to_string(s_->entry_left) + " bytes shorter than announced");
  }
  const std::string digest = PeekDigest(s_->entry.get());
  s_->in_entry = false;
  if (archive_write_finish_entry(s_->tar.get()) != ARCHIVE_OK) {
    return s_->Error("finish a tar entry");
  }
  s_->sums += Hex(reinterpret_cast<const unsigned char*>(digest.data()), digest.size());
  s_->sums += "  " + s_->entry_name + "\n";
  return Status::Ok();
}

Status ArchiveWriter::Finish() {
  if (s_->in_entry || s_->finished) return Internal("snapshot archive: Finish out of order");
  RETURN_IF_ERROR(s_->Start());
  RETURN_IF_ERROR(s_->TarHeader(kSumsEntry, 0644, s_->sums.size()));
  RETURN_IF_ERROR(s_->TarData(s_->sums.data(), s_->sums.size()));
  s_->finished = true;
  if (archive_write_close(s_->tar.get()) != ARCHIVE_OK) return s_->Error("end the tar stream");
  return s_->records.Finish();
}

}  // namespace vc::snapshot

// libarchive is linked statically (CMakeLists.txt), so only the objects we call come along. Its
// pax writer calls one helper, __archive_write_entry_filetype_unsupported, that lives in the
// object holding libarchive's table of every writer format (7zip, iso9660, xar, zip, ...); the
// xar writer needs libxml2 and with it ICU's 31 MB of data. Defined here, in the object every
// binary that writes snapshots links, the helper keeps that table and those formats out. The
// writer above writes regular files only, so it is never called; if it were, it refuses as
// libarchive's own does.
extern "C" int __archive_write_entry_filetype_unsupported(struct archive* a,
                                                          struct archive_entry* entry,
                                                          const char* format) {
  archive_set_error(a, EINVAL, "%s: file type %o is not supported",
                    format != nullptr ? format : "tar",
                    static_cast<unsigned>(archive_entry_filetype(entry)));
  return ARCHIVE_FAILED;
}
