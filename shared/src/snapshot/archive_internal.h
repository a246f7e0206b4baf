// SPDX-License-Identifier: Apache-2.0
// What the archive writer and reader share: the header layout, big-endian integers, the
// record sealing (AES-256-GCM), SHA-256 contexts, error texts. The record layer both format
// versions use is record_writer.h and record_reader.h; the entries, entry_decoder.h. Not a
// public interface.
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

StatusOr<ArchiveInfo> ParseHeader(const ByteSource& source, std::string* header,
                                  std::string* key_id, std::string* nonce_prefix);

// The quoted form of a name from an archive: its bytes, escaped so a message stays UTF-8.
std::string Quote(const std::string& name);
std::string DigestMismatch(const std::string& name, const std::string& recorded,
                           const std::string& computed);

}  // namespace vc::snapshot::internal
