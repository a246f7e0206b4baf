// SPDX-License-Identifier: Apache-2.0
// What the archive writer and reader share: the header layout, big-endian integers, the
// record sealing (AES-256-GCM), SHA-256 contexts, the record layer both format versions use
// (RecordWriter, RecordReader) and the entry decoders of each version. Not a public interface.
#pragma once

#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "vc/snapshot/archive.h"

namespace vc::snapshot::internal {

inline constexpr uint16_t kFormatVersion1 = 1;  // custom entries (still read, no longer written)
inline constexpr char kMagic[8] = {'V', 'C', 'S', 'N', 'A', 'P', '\r', '\n'};
inline constexpr uint16_t kFlagEncrypted = 1;
inline constexpr uint32_t kFinalRecord = 0x80000000u;
inline constexpr size_t kTagBytes = 16;
inline constexpr size_t kKeyIdBytes = 8;
inline constexpr size_t kNoncePrefixBytes = 4;
inline constexpr size_t kDigestBytes = 32;
// Format 2: the first entry, and the last one (sha256sum's format, digests of all before it).
inline constexpr const char* kMetaEntry = "meta.json";
inline constexpr const char* kSumsEntry = "SHA256SUMS";
inline constexpr int kZstdLevel = 1;  // faster than 3 and, on kine databases measured, no larger

void PutU16(std::string* out, uint16_t v);
void PutU32(std::string* out, uint32_t v);
void PutU64(std::string* out, uint64_t v);
uint16_t GetU16(const unsigned char* p);
uint32_t GetU32(const unsigned char* p);
uint64_t GetU64(const unsigned char* p);

std::string Hex(const unsigned char* data, size_t size);
std::string KeyIdBytes(const EncryptionKey& key);  // 8 raw bytes

struct CipherDeleter {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
struct DigestDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherDeleter>;
using DigestCtx = std::unique_ptr<EVP_MD_CTX, DigestDeleter>;

DigestCtx NewSha256();
// The digest of a copy: `ctx` keeps running.
std::string PeekDigest(EVP_MD_CTX* ctx);

// The 12-byte GCM nonce of record `index`, and the additional data that binds a record to its
// archive header, its position and its final flag (so records cannot be cut, swapped or
// moved between archives with the same key).
std::string RecordNonce(const std::string& nonce_prefix, uint64_t index);
std::string RecordAad(const std::string& header, uint64_t index, uint32_t word);

// In place; *tag gets 16 bytes.
Status Seal(const EncryptionKey& key, const std::string& nonce, const std::string& aad,
            std::string* data, std::string* tag);
// In place; false when the tag does not verify.
bool Open(const EncryptionKey& key, const std::string& nonce, const std::string& aad,
          std::string* data, const std::string& tag);

// Format 1's entry header (kind, name length, mode, size, name).
std::string EncodeEntryHeader(const EntryHeader& h);
inline constexpr size_t kEntryFixedBytes = 1 + 2 + 4 + 8;  // kind, name length, mode, size

Status Corrupted(const std::string& what);
Status Truncated(const std::string& what);

// The plain header and the records after it, as written: bytes go into records of at most
// kRecordBytes, sealed when there is a key; the last record carries the final flag.
class RecordWriter {
 public:
  RecordWriter(ByteSink sink, std::optional<EncryptionKey> key, uint16_t format_version);
  // Writes the header once (later calls do nothing).
  Status Start();
  // A full record goes out only once more bytes follow, so the last record is always the one
  // Finish flags final.
  Status Plain(const char* data, size_t size);
  Status Finish();  // the final record
  const std::string& header() const { return header_; }
  uint64_t bytes_out() const { return bytes_out_; }

 private:
  Status FlushRecord(bool final);

  ByteSink sink_;
  std::optional<EncryptionKey> key_;
  uint16_t format_version_;
  std::string header_;  // the plain header as written (AAD of every record)
  std::string nonce_prefix_;
  std::string record_;  // plaintext not yet sealed
  std::string out_;     // the sealed record being written
  uint64_t record_index_ = 0;
  uint64_t bytes_out_ = 0;
  bool started_ = false;
};

// Parses the header, then hands out the records' plaintext.
class RecordReader {
 public:
  RecordReader(ByteSource source, std::optional<EncryptionKey> key);
  // Reads the header: newer format versions, a missing or wrong key fail here.
  StatusOr<ArchiveInfo> Open();
  // The unread rest of the current record (reading, authenticating the next ones as needed),
  // marked read; empty once the final record is used up.
  StatusOr<std::string_view> Chunk(size_t max = kRecordBytes);
  // Up to `size` bytes, at least 1: inside an entry, the stream may not end.
  StatusOr<size_t> Plain(char* data, size_t size);
  Status PlainFull(char* data, size_t size);
  // True when the current record is used up and it was the final one.
  bool AtEnd() const { return final_seen_ && pos_ == record_.size(); }
  // Nothing may follow the final record.
  Status ExpectNoTrailingBytes();
  const std::string& header() const { return header_; }
  uint64_t bytes_in() const { return bytes_in_; }

 private:
  Status NextRecord();

  ByteSource source_;
  std::optional<EncryptionKey> key_;
  std::string header_, key_id_, nonce_prefix_;
  std::string record_;
  size_t pos_ = 0;
  uint64_t record_index_ = 0;
  bool final_seen_ = false;
  uint64_t bytes_in_ = 0;
};

StatusOr<ArchiveInfo> ParseHeader(const ByteSource& source, std::string* header,
                                  std::string* key_id, std::string* nonce_prefix);

// The entries of one format version, over the records.
class EntryDecoder {
 public:
  virtual ~EntryDecoder() = default;
  virtual StatusOr<std::optional<EntryHeader>> Next() = 0;
  virtual StatusOr<size_t> Read(char* data, size_t size) = 0;
};
std::unique_ptr<EntryDecoder> NewFormat1Decoder(RecordReader& records);
StatusOr<std::unique_ptr<EntryDecoder>> NewFormat2Decoder(RecordReader& records);

// The quoted form of a name from an archive: its bytes, escaped so a message stays UTF-8.
std::string Quote(const std::string& name);
std::string DigestMismatch(const std::string& name, const std::string& recorded,
                           const std::string& computed);

}  // namespace vc::snapshot::internal
