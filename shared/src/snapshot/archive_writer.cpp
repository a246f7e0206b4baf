// SPDX-License-Identifier: Apache-2.0
#include <openssl/rand.h>

#include "archive_internal.h"

namespace vc::snapshot {

using namespace internal;

struct ArchiveWriter::State {
  ByteSink sink;
  std::optional<EncryptionKey> key;
  std::string header;  // the plain header as written (AAD of every record)
  std::string nonce_prefix;
  std::string record;  // plaintext not yet sealed
  uint64_t record_index = 0;
  uint64_t bytes_out = 0;
  uint64_t entries = 0;
  DigestCtx stream = NewSha256();  // header + every entry before the end entry
  DigestCtx entry;
  uint64_t entry_left = 0;
  std::string entry_name;
  bool started = false;
  bool in_entry = false;
  bool finished = false;

  Status Emit(const std::string& bytes) {
    bytes_out += bytes.size();
    return sink(bytes.data(), bytes.size());
  }

  Status Start() {
    if (started) return Status::Ok();
    started = true;
    header.assign(kMagic, sizeof kMagic);
    PutU16(&header, kFormatVersion);
    PutU16(&header, key ? kFlagEncrypted : 0);
    PutU32(&header, static_cast<uint32_t>(kRecordBytes));
    if (key) {
      header += KeyIdBytes(*key);
      nonce_prefix.assign(kNoncePrefixBytes, '\0');
      RAND_bytes(reinterpret_cast<unsigned char*>(nonce_prefix.data()), kNoncePrefixBytes);
      header += nonce_prefix;
    }
    EVP_DigestUpdate(stream.get(), header.data(), header.size());
    return Emit(header);
  }

  Status FlushRecord(bool final) {
    uint32_t word = static_cast<uint32_t>(record.size()) | (final ? kFinalRecord : 0);
    std::string out;
    PutU32(&out, word);
    if (key) {
      std::string tag;
      RETURN_IF_ERROR(Seal(*key, RecordNonce(nonce_prefix, record_index),
                           RecordAad(header, record_index, word), &record, &tag));
      out += record;
      out += tag;
    } else {
      out += record;
    }
    ++record_index;
    record.clear();
    return Emit(out);
  }

  // Plain-stream bytes: into records of kRecordBytes; a full record goes out only once more
  // bytes follow, so the last record is always the one Finish flags final.
  Status Plain(const char* data, size_t size, bool hash_stream) {
    if (hash_stream) EVP_DigestUpdate(stream.get(), data, size);
    while (size > 0) {
      if (record.size() == kRecordBytes) RETURN_IF_ERROR(FlushRecord(false));
      const size_t n = std::min(size, kRecordBytes - record.size());
      record.append(data, n);
      data += n;
      size -= n;
    }
    return Status::Ok();
  }
};

ArchiveWriter::ArchiveWriter(ByteSink sink, std::optional<EncryptionKey> key)
    : s_(std::make_unique<State>()) {
  s_->sink = std::move(sink);
  s_->key = std::move(key);
  s_->record.reserve(kRecordBytes);
}

ArchiveWriter::~ArchiveWriter() = default;

uint64_t ArchiveWriter::bytes_out() const { return s_->bytes_out; }

Status ArchiveWriter::BeginEntry(const EntryHeader& header) {
  if (s_->finished || s_->in_entry) return Internal("snapshot archive: entry out of order");
  if (header.kind == EntryKind::kEnd) return Internal("snapshot archive: Finish writes the end");
  if (header.name.empty() || header.name.size() > 4096) {
    return Internal("snapshot archive: bad entry name");
  }
  RETURN_IF_ERROR(s_->Start());
  const std::string h = EncodeEntryHeader(header);
  RETURN_IF_ERROR(s_->Plain(h.data(), h.size(), true));
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
  return s_->Plain(data, size, true);
}

Status ArchiveWriter::EndEntry() {
  if (!s_->in_entry) return Internal("snapshot archive: no entry to end");
  if (s_->entry_left != 0) {
    return Internal("snapshot archive: " + s_->entry_name + " is " +
                    std::to_string(s_->entry_left) + " bytes shorter than announced");
  }
  const std::string digest = PeekDigest(s_->entry.get());
  s_->in_entry = false;
  return s_->Plain(digest.data(), digest.size(), true);
}

Status ArchiveWriter::Finish() {
  if (s_->in_entry || s_->finished) return Internal("snapshot archive: Finish out of order");
  RETURN_IF_ERROR(s_->Start());
  const std::string stream_digest = PeekDigest(s_->stream.get());
  std::string body;
  PutU64(&body, s_->entries);
  body += stream_digest;
  const std::string h = EncodeEntryHeader({EntryKind::kEnd, "end", 0, body.size()});
  RETURN_IF_ERROR(s_->Plain(h.data(), h.size(), false));
  RETURN_IF_ERROR(s_->Plain(body.data(), body.size(), false));
  s_->finished = true;
  return s_->FlushRecord(true);
}

}  // namespace vc::snapshot
