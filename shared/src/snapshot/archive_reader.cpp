// SPDX-License-Identifier: Apache-2.0
#include <cstring>

#include "archive_internal.h"
#include "vc/utf8.h"

namespace vc::snapshot {

using namespace internal;

namespace {

// Reads exactly `size` bytes unless the stream ends first; returns how many it got.
StatusOr<size_t> ReadFull(const ByteSource& source, char* data, size_t size) {
  size_t got = 0;
  while (got < size) {
    ASSIGN_OR_RETURN(size_t n, source(data + got, size - got));
    if (n == 0) break;
    got += n;
  }
  return got;
}

Status Corrupted(const std::string& what) {
  return Status(Code::kInvalidArgument, "snapshot is corrupted: " + what);
}
Status Truncated(const std::string& what) {
  return Status(Code::kInvalidArgument,
                "snapshot is truncated: " + what +
                    " (an interrupted upload or download? take or fetch it again)");
}

StatusOr<ArchiveInfo> ParseHeader(const ByteSource& source, std::string* header,
                                  std::string* key_id, std::string* nonce_prefix) {
  char fixed[sizeof kMagic + 8];
  ASSIGN_OR_RETURN(size_t got, ReadFull(source, fixed, sizeof fixed));
  if (got < sizeof kMagic || std::memcmp(fixed, kMagic, sizeof kMagic) != 0) {
    return InvalidArgument(
        "not a kubectl-vc snapshot (its first bytes are not the VCSNAP "
        "magic)");
  }
  if (got < sizeof fixed) return Truncated("it ends inside its header");
  const auto* u = reinterpret_cast<const unsigned char*>(fixed) + sizeof kMagic;
  ArchiveInfo info;
  info.format_version = GetU16(u);
  if (info.format_version > kFormatVersion) {
    return FailedPrecondition("snapshot format version " + std::to_string(info.format_version) +
                              " is newer than this version understands (" +
                              std::to_string(kFormatVersion) +
                              "); upgrade kubectl-vc (and vc-syncer) to read it");
  }
  if (info.format_version == 0) return Corrupted("format version 0 in its header");
  const uint16_t flags = GetU16(u + 2);
  if (flags & ~kFlagEncrypted) return Corrupted("unknown header flags");
  if (GetU32(u + 4) != kRecordBytes) return Corrupted("unexpected record size in its header");
  header->assign(fixed, sizeof fixed);
  info.encrypted = flags & kFlagEncrypted;
  if (info.encrypted) {
    char extra[kKeyIdBytes + kNoncePrefixBytes];
    ASSIGN_OR_RETURN(size_t n, ReadFull(source, extra, sizeof extra));
    if (n < sizeof extra) return Truncated("it ends inside its header");
    key_id->assign(extra, kKeyIdBytes);
    nonce_prefix->assign(extra + kKeyIdBytes, kNoncePrefixBytes);
    header->append(extra, sizeof extra);
    info.key_id = Hex(reinterpret_cast<const unsigned char*>(extra), kKeyIdBytes);
  }
  return info;
}

}  // namespace

StatusOr<ArchiveInfo> ReadArchiveHeader(const ByteSource& source) {
  std::string header, key_id, nonce;
  return ParseHeader(source, &header, &key_id, &nonce);
}

struct ArchiveReader::State {
  ByteSource source;
  std::optional<EncryptionKey> key;
  ArchiveInfo info;
  std::string header, key_id, nonce_prefix;
  std::string record;
  size_t pos = 0;
  uint64_t record_index = 0;
  bool final_seen = false;
  uint64_t bytes_in = 0;
  DigestCtx stream = NewSha256();
  DigestCtx entry;
  EntryHeader current;
  uint64_t entry_left = 0;
  bool in_entry = false;
  bool done = false;
  uint64_t entries = 0;

  Status NextRecord() {
    if (final_seen) return Truncated("it ends after its final record but inside an entry");
    unsigned char word_bytes[4];
    ASSIGN_OR_RETURN(size_t got, ReadFull(source, reinterpret_cast<char*>(word_bytes), 4));
    bytes_in += got;
    if (got < 4) return Truncated("it ends after " + std::to_string(bytes_in) + " bytes");
    const uint32_t word = GetU32(word_bytes);
    const size_t len = word & ~kFinalRecord;
    if (len > kRecordBytes)
      return Corrupted("record " + std::to_string(record_index) + " is too long");
    record.resize(len);
    ASSIGN_OR_RETURN(size_t n, ReadFull(source, record.data(), len));
    bytes_in += n;
    if (n < len) return Truncated("it ends after " + std::to_string(bytes_in) + " bytes");
    if (key) {
      std::string tag(kTagBytes, '\0');
      ASSIGN_OR_RETURN(size_t t, ReadFull(source, tag.data(), kTagBytes));
      bytes_in += t;
      if (t < kTagBytes) return Truncated("it ends after " + std::to_string(bytes_in) + " bytes");
      if (!internal::Open(*key, RecordNonce(nonce_prefix, record_index),
                          RecordAad(header, record_index, word), &record, tag)) {
        return Corrupted("record " + std::to_string(record_index) +
                         " fails authentication (AES-256-GCM): the data was altered or damaged");
      }
    }
    ++record_index;
    pos = 0;
    final_seen = word & kFinalRecord;
    return Status::Ok();
  }

  // Up to `size` plain bytes (at least 1), reading records as needed.
  StatusOr<size_t> Plain(char* data, size_t size) {
    while (pos == record.size()) RETURN_IF_ERROR(NextRecord());
    const size_t n = std::min(size, record.size() - pos);
    std::memcpy(data, record.data() + pos, n);
    pos += n;
    return n;
  }

  Status PlainFull(char* data, size_t size, bool hash) {
    size_t got = 0;
    while (got < size) {
      ASSIGN_OR_RETURN(size_t n, Plain(data + got, size - got));
      got += n;
    }
    if (hash) EVP_DigestUpdate(stream.get(), data, size);
    return Status::Ok();
  }

  Status FinishEntry() {
    char digest[kDigestBytes];
    RETURN_IF_ERROR(PlainFull(digest, sizeof digest, true));
    const std::string want(digest, sizeof digest);
    const std::string got = PeekDigest(entry.get());
    in_entry = false;
    if (want != got) {
      const auto* w = reinterpret_cast<const unsigned char*>(want.data());
      const auto* g = reinterpret_cast<const unsigned char*>(got.data());
      // The name is the archive's bytes: quoted so that the message stays UTF-8 text.
      return Corrupted("the checksum of " + utf8::Escape(utf8::Truncate(current.name, 200)) +
                       " does not match (sha256 recorded " + Hex(w, 8) + "..., computed " +
                       Hex(g, 8) + "...)");
    }
    return Status::Ok();
  }
};

ArchiveReader::ArchiveReader(ByteSource source, std::optional<EncryptionKey> key)
    : s_(std::make_unique<State>()) {
  s_->source = std::move(source);
  s_->key = std::move(key);
}

ArchiveReader::~ArchiveReader() = default;

uint64_t ArchiveReader::bytes_in() const { return s_->bytes_in; }

StatusOr<ArchiveInfo> ArchiveReader::Open() {
  ASSIGN_OR_RETURN(s_->info, ParseHeader(s_->source, &s_->header, &s_->key_id, &s_->nonce_prefix));
  s_->bytes_in = s_->header.size();
  EVP_DigestUpdate(s_->stream.get(), s_->header.data(), s_->header.size());
  if (s_->info.encrypted && !s_->key) {
    return FailedPrecondition("the snapshot is encrypted (key id " + s_->info.key_id +
                              "): pass the key it was taken with, --encryption-key-file FILE");
  }
  if (s_->info.encrypted && KeyIdBytes(*s_->key) != s_->key_id) {
    return Status(Code::kInvalidArgument,
                  "wrong encryption key: the snapshot was encrypted with key id " +
                      s_->info.key_id + ", the key given has id " + s_->key->Id());
  }
  if (!s_->info.encrypted) s_->key.reset();  // a key for a plain snapshot is not needed
  return s_->info;
}

StatusOr<std::optional<EntryHeader>> ArchiveReader::Next() {
  if (s_->done) return std::optional<EntryHeader>();
  if (s_->in_entry) {
    char skip[64 * 1024];
    while (true) {
      ASSIGN_OR_RETURN(size_t n, Read(skip, sizeof skip));
      if (n == 0) break;
    }
  }
  const std::string before = PeekDigest(s_->stream.get());
  unsigned char fixed[kEntryFixedBytes];
  RETURN_IF_ERROR(s_->PlainFull(reinterpret_cast<char*>(fixed), sizeof fixed, true));
  EntryHeader h;
  h.kind = static_cast<EntryKind>(fixed[0]);
  const uint16_t name_len = GetU16(fixed + 1);
  h.mode = GetU32(fixed + 3);
  h.size = GetU64(fixed + 7);
  h.name.resize(name_len);
  RETURN_IF_ERROR(s_->PlainFull(h.name.data(), name_len, true));
  if (h.kind == EntryKind::kEnd) {
    if (h.size != 8 + kDigestBytes) return Corrupted("its end entry has the wrong size");
    unsigned char body[8 + kDigestBytes];
    RETURN_IF_ERROR(s_->PlainFull(reinterpret_cast<char*>(body), sizeof body, false));
    if (GetU64(body) != s_->entries) {
      return Corrupted("its end entry counts " + std::to_string(GetU64(body)) + " entries, " +
                       std::to_string(s_->entries) + " were read");
    }
    if (std::string(reinterpret_cast<char*>(body) + 8, kDigestBytes) != before) {
      return Corrupted("the checksum over the whole archive does not match");
    }
    if (s_->pos != s_->record.size() || !s_->final_seen) {
      return Corrupted("data follows its end entry");
    }
    char extra;
    ASSIGN_OR_RETURN(size_t n, s_->source(&extra, 1));
    if (n != 0) return Corrupted("bytes follow its final record");
    s_->done = true;
    return std::optional<EntryHeader>();
  }
  if (h.kind != EntryKind::kMeta && h.kind != EntryKind::kFile) {
    return Corrupted("entry of unknown kind " + std::to_string(fixed[0]));
  }
  s_->current = h;
  s_->entry = NewSha256();
  s_->entry_left = h.size;
  s_->in_entry = true;
  ++s_->entries;
  if (h.size == 0) {
    // Nothing to read: verify its (empty) checksum now, as Read would.
    RETURN_IF_ERROR(s_->FinishEntry());
    s_->in_entry = true;  // Read returns 0 once, then Next moves on
    s_->entry_left = 0;
    s_->entry = nullptr;
  }
  return std::optional<EntryHeader>(h);
}

StatusOr<size_t> ArchiveReader::Read(char* data, size_t size) {
  if (!s_->in_entry) return size_t{0};
  if (s_->entry_left == 0) {
    if (s_->entry) RETURN_IF_ERROR(s_->FinishEntry());
    s_->in_entry = false;
    return size_t{0};
  }
  const size_t want = static_cast<size_t>(std::min<uint64_t>(size, s_->entry_left));
  ASSIGN_OR_RETURN(size_t n, s_->Plain(data, want));
  EVP_DigestUpdate(s_->stream.get(), data, n);
  EVP_DigestUpdate(s_->entry.get(), data, n);
  s_->entry_left -= n;
  return n;
}

StatusOr<std::string> ReadEntryToString(ArchiveReader& reader, size_t limit) {
  std::string out;
  char buf[64 * 1024];
  while (true) {
    ASSIGN_OR_RETURN(size_t n, reader.Read(buf, sizeof buf));
    if (n == 0) break;
    out.append(buf, n);
    if (out.size() > limit) return InvalidArgument("snapshot entry is larger than expected");
  }
  return out;
}

}  // namespace vc::snapshot
