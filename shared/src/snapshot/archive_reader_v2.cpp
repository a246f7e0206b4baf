// SPDX-License-Identifier: Apache-2.0
// Format 2's entries (shared/docs/snapshot-format.md): a zstd-compressed tar stream inside the
// records, read with libarchive straight out of the record buffer. Each entry's SHA-256 is
// computed as it streams; the SHA256SUMS entry at the end must list exactly the entries read,
// in order, with the same digests.
#include <archive.h>
#include <archive_entry.h>

#include "entry_decoder.h"

namespace vc::snapshot::internal {
namespace {

struct ReadArchiveDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};

constexpr size_t kSumsLimit = 1 << 20;

class Format2Decoder : public EntryDecoder {
 public:
  explicit Format2Decoder(RecordReader& records) : records_(records), a_(archive_read_new()) {}

  Status Start() {
    // Built-in zstd only (ARCHIVE_WARN would mean an external zstd program), tar only.
    if (archive_read_support_filter_zstd(a_.get()) != ARCHIVE_OK ||
        archive_read_support_format_tar(a_.get()) != ARCHIVE_OK) {
      return Internal(
          "read snapshot: this libarchive has no built-in zstd; install a libarchive "
          "built with libzstd (kubectl-vc links Debian's libarchive.a and libzstd1)");
    }
    if (archive_read_open(a_.get(), this, nullptr, &Format2Decoder::Callback, nullptr) !=
        ARCHIVE_OK) {
      return Error();
    }
    return Status::Ok();
  }

  StatusOr<std::optional<EntryHeader>> Next() override {
    if (done_) return std::optional<EntryHeader>();
    while (in_entry_) {
      char skip[64 * 1024];
      ASSIGN_OR_RETURN(size_t n, Read(skip, sizeof skip));
      if (n == 0) break;
    }
    ASSIGN_OR_RETURN(archive_entry * e, NextHeader());
    if (e == nullptr) return Corrupted("it ends without its " + std::string(kSumsEntry) + " entry");
    ASSIGN_OR_RETURN(EntryHeader h, Describe(e));
    if (h.name == kSumsEntry) {
      RETURN_IF_ERROR(VerifySums(h));
      ASSIGN_OR_RETURN(archive_entry * after, NextHeader());
      if (after != nullptr) return Corrupted("an entry follows its " + std::string(kSumsEntry));
      RETURN_IF_ERROR(Drain());
      done_ = true;
      return std::optional<EntryHeader>();
    }
    current_ = h;
    entry_ = NewSha256();
    entry_left_ = h.size;
    in_entry_ = true;
    return std::optional<EntryHeader>(h);
  }

  StatusOr<size_t> Read(char* data, size_t size) override {
    if (!in_entry_) return size_t{0};
    if (entry_left_ == 0) {
      seen_.emplace_back(current_.name, PeekDigest(entry_.get()));
      in_entry_ = false;
      return size_t{0};
    }
    const size_t want = static_cast<size_t>(std::min<uint64_t>(size, entry_left_));
    const la_ssize_t n = archive_read_data(a_.get(), data, want);
    if (n < 0) return Error();
    // The records were complete (their layer tells truncation): a short entry is damage.
    if (n == 0) return Corrupted(Quote(current_.name) + " ends before its size");
    EVP_DigestUpdate(entry_.get(), data, static_cast<size_t>(n));
    entry_left_ -= static_cast<uint64_t>(n);
    return static_cast<size_t>(n);
  }

 private:
  // libarchive's read callback: the rest of the current record, without a copy.
  static la_ssize_t Callback(archive* a, void* self, const void** buffer) {
    auto* d = static_cast<Format2Decoder*>(self);
    auto chunk = d->records_.Chunk();
    if (!chunk.ok()) {
      d->source_error_ = chunk.status();
      archive_set_error(a, EIO, "snapshot record layer failed");
      return -1;
    }
    *buffer = chunk->data();
    return static_cast<la_ssize_t>(chunk->size());
  }

  // The record layer's own error when it failed (truncated, authentication), else libarchive's.
  Status Error() {
    if (!source_error_.ok()) return source_error_;
    const char* text = archive_error_string(a_.get());
    return Corrupted("its compressed tar stream is damaged (" +
                     Quote(text != nullptr ? text : "libarchive gave no reason") + ")");
  }

  // The next tar header, or nullptr at the end of the tar stream.
  StatusOr<archive_entry*> NextHeader() {
    archive_entry* e = nullptr;
    const int r = archive_read_next_header(a_.get(), &e);
    if (r == ARCHIVE_EOF) return static_cast<archive_entry*>(nullptr);
    if (r < ARCHIVE_WARN) return Error();
    if (!checked_filter_) {
      checked_filter_ = true;
      if (archive_filter_code(a_.get(), 0) != ARCHIVE_FILTER_ZSTD) {
        return Corrupted("its payload is not a zstd-compressed tar stream");
      }
    }
    return e;
  }

  StatusOr<EntryHeader> Describe(archive_entry* e) {
    EntryHeader h;
    const char* name = archive_entry_pathname(e);
    if (name == nullptr || *name == '\0') return Corrupted("an entry without a name");
    h.name = name;
    if (archive_entry_filetype(e) != AE_IFREG) {
      return Corrupted("entry " + Quote(h.name) + " is not a regular file");
    }
    if (!archive_entry_size_is_set(e) || archive_entry_size(e) < 0) {
      return Corrupted("entry " + Quote(h.name) + " has no size");
    }
    h.size = static_cast<uint64_t>(archive_entry_size(e));
    h.mode = static_cast<uint32_t>(archive_entry_perm(e)) & 0777;
    const bool first = !started_entries_;
    started_entries_ = true;
    if (h.name == kMetaEntry && !first) return Corrupted("a second meta.json");
    h.kind = first && h.name == kMetaEntry ? EntryKind::kMeta : EntryKind::kFile;
    return h;
  }

  Status VerifySums(const EntryHeader& h) {
    if (h.size > kSumsLimit) return Corrupted(std::string(kSumsEntry) + " is too large");
    std::string text(h.size, '\0');
    size_t got = 0;
    while (got < text.size()) {
      const la_ssize_t n = archive_read_data(a_.get(), text.data() + got, text.size() - got);
      if (n < 0) return Error();
      if (n == 0) return Corrupted(std::string(kSumsEntry) + " ends before its size");
      got += static_cast<size_t>(n);
    }
    size_t line_start = 0, index = 0;
    while (line_start < text.size()) {
      size_t end = text.find('\n', line_start);
      if (end == std::string::npos) end = text.size();
      const std::string line = text.substr(line_start, end - line_start);
      line_start = end + 1;
      RETURN_IF_ERROR(VerifySumsLine(line, index++));
    }
    if (index != seen_.size()) {
      return Corrupted(std::string(kSumsEntry) + " lists " + std::to_string(index) + " entries, " +
                       std::to_string(seen_.size()) + " were read");
    }
    return Status::Ok();
  }

  // "HEX64  NAME", as sha256sum writes it; entry `index` of the archive must match it.
  Status VerifySumsLine(const std::string& line, size_t index) {
    const auto bad = [&] { return Corrupted(std::string(kSumsEntry) + " has a malformed line"); };
    if (line.size() < 2 * kDigestBytes + 3 || line.compare(2 * kDigestBytes, 2, "  ") != 0) {
      return bad();
    }
    std::string recorded;
    for (size_t i = 0; i < 2 * kDigestBytes; i += 2) {
      const std::string pair = line.substr(i, 2);
      if (pair.find_first_not_of("0123456789abcdef") != std::string::npos) return bad();
      recorded.push_back(static_cast<char>(std::stoi(pair, nullptr, 16)));
    }
    const std::string name = line.substr(2 * kDigestBytes + 2);
    if (index >= seen_.size()) {
      return Corrupted(std::string(kSumsEntry) + " lists " + Quote(name) +
                       ", which the archive does not have (an entry was removed)");
    }
    const auto& [seen_name, computed] = seen_[index];
    if (name != seen_name) {
      return Corrupted(std::string(kSumsEntry) + " lists " + Quote(name) + " as entry " +
                       std::to_string(index + 1) + ", the archive has " + Quote(seen_name) +
                       " there (entries were reordered, added or removed)");
    }
    if (recorded != computed) return Corrupted(DigestMismatch(name, recorded, computed));
    return Status::Ok();
  }

  // After the tar stream: what is left of the compressed stream (its end, padding), then
  // nothing after the final record.
  Status Drain() {
    while (true) {
      ASSIGN_OR_RETURN(std::string_view chunk, records_.Chunk());
      if (chunk.empty()) break;
    }
    return records_.ExpectNoTrailingBytes();
  }

  RecordReader& records_;
  std::unique_ptr<archive, ReadArchiveDeleter> a_;
  Status source_error_;
  std::vector<std::pair<std::string, std::string>> seen_;  // name, raw SHA-256
  DigestCtx entry_;
  EntryHeader current_;
  uint64_t entry_left_ = 0;
  bool in_entry_ = false;
  bool started_entries_ = false;
  bool checked_filter_ = false;
  bool done_ = false;
};

}  // namespace

StatusOr<std::unique_ptr<EntryDecoder>> NewFormat2Decoder(RecordReader& records) {
  auto decoder = std::make_unique<Format2Decoder>(records);
  RETURN_IF_ERROR(decoder->Start());
  return std::unique_ptr<EntryDecoder>(std::move(decoder));
}

}  // namespace vc::snapshot::internal
