// SPDX-License-Identifier: Apache-2.0
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cctype>
#include <fstream>
#include <sstream>

#include "archive_internal.h"
#include "vc/base64.h"
#include "vc/utf8.h"

namespace vc::snapshot {
namespace internal {

void PutU16(std::string* out, uint16_t v) {
  out->push_back(static_cast<char>(v >> 8));
  out->push_back(static_cast<char>(v));
}
void PutU32(std::string* out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out->push_back(static_cast<char>(v >> s));
}
void PutU64(std::string* out, uint64_t v) {
  for (int s = 56; s >= 0; s -= 8) out->push_back(static_cast<char>(v >> s));
}
uint16_t GetU16(const unsigned char* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t GetU32(const unsigned char* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}
uint64_t GetU64(const unsigned char* p) { return uint64_t{GetU32(p)} << 32 | GetU32(p + 4); }

std::string Hex(const unsigned char* data, size_t size) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < size; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 15]);
  }
  return out;
}

std::string KeyIdBytes(const EncryptionKey& key) {
  static const std::string kLabel = "kubectl-vc snapshot key";
  std::string input = kLabel;
  input.append(reinterpret_cast<const char*>(key.bytes.data()), key.bytes.size());
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  return std::string(reinterpret_cast<char*>(digest), kKeyIdBytes);
}

DigestCtx NewSha256() {
  DigestCtx ctx(EVP_MD_CTX_new());
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  return ctx;
}

std::string PeekDigest(EVP_MD_CTX* ctx) {
  DigestCtx copy(EVP_MD_CTX_new());
  EVP_MD_CTX_copy_ex(copy.get(), ctx);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(copy.get(), digest, &len);
  return std::string(reinterpret_cast<char*>(digest), len);
}

std::string RecordNonce(const std::string& nonce_prefix, uint64_t index) {
  std::string nonce = nonce_prefix;
  PutU64(&nonce, index);
  return nonce;
}

std::string RecordAad(const std::string& header, uint64_t index, uint32_t word) {
  std::string aad = header;
  PutU64(&aad, index);
  PutU32(&aad, word);
  return aad;
}

namespace {
const unsigned char* U(const std::string& s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
}  // namespace

Status Seal(const EncryptionKey& key, const std::string& nonce, const std::string& aad,
            std::string* data, std::string* tag) {
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  tag->assign(kTagBytes, '\0');
  auto* out = reinterpret_cast<unsigned char*>(data->data());
  if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(nonce.size()),
                          nullptr) != 1 ||
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, key.bytes.data(), U(nonce)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, U(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), out, &len, out, static_cast<int>(data->size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), out + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, tag->data()) != 1) {
    return Internal("encrypt snapshot record: OpenSSL AES-256-GCM failed");
  }
  return Status::Ok();
}

bool Open(const EncryptionKey& key, const std::string& nonce, const std::string& aad,
          std::string* data, const std::string& tag) {
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  auto* out = reinterpret_cast<unsigned char*>(data->data());
  std::string tag_copy = tag;
  return EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
         EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(nonce.size()),
                             nullptr) == 1 &&
         EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, key.bytes.data(), U(nonce)) == 1 &&
         EVP_DecryptUpdate(ctx.get(), nullptr, &len, U(aad), static_cast<int>(aad.size())) == 1 &&
         EVP_DecryptUpdate(ctx.get(), out, &len, out, static_cast<int>(data->size())) == 1 &&
         EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag_copy.data()) == 1 &&
         EVP_DecryptFinal_ex(ctx.get(), out + len, &len) == 1;
}

std::string EncodeEntryHeader(const EntryHeader& h) {
  std::string out;
  out.push_back(static_cast<char>(h.kind));
  PutU16(&out, static_cast<uint16_t>(h.name.size()));
  PutU32(&out, h.mode);
  PutU64(&out, h.size);
  out += h.name;
  return out;
}

Status Corrupted(const std::string& what) {
  return Status(Code::kInvalidArgument, "snapshot is corrupted: " + what);
}

Status Truncated(const std::string& what) {
  return Status(Code::kInvalidArgument,
                "snapshot is truncated: " + what +
                    " (an interrupted upload or download? take or fetch it again)");
}

std::string Quote(const std::string& name) { return utf8::Escape(utf8::Truncate(name, 200)); }

std::string DigestMismatch(const std::string& name, const std::string& recorded,
                           const std::string& computed) {
  const auto* r = reinterpret_cast<const unsigned char*>(recorded.data());
  const auto* c = reinterpret_cast<const unsigned char*>(computed.data());
  return "the checksum of " + Quote(name) + " does not match (sha256 recorded " +
         Hex(r, std::min<size_t>(8, recorded.size())) + "..., computed " +
         Hex(c, std::min<size_t>(8, computed.size())) + "...)";
}

}  // namespace internal

std::string EncryptionKey::Id() const {
  const std::string id = internal::KeyIdBytes(*this);
  return internal::Hex(reinterpret_cast<const unsigned char*>(id.data()), id.size());
}

StatusOr<EncryptionKey> ParseEncryptionKey(const std::string& text) {
  EncryptionKey key;
  auto fill = [&](const std::string& raw) {
    std::copy(raw.begin(), raw.end(), key.bytes.begin());
    return key;
  };
  if (text.size() == 32) return fill(text);
  std::string trimmed = text;
  while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.back()))) {
    trimmed.pop_back();
  }
  size_t start = 0;
  while (start < trimmed.size() && std::isspace(static_cast<unsigned char>(trimmed[start]))) {
    ++start;
  }
  trimmed = trimmed.substr(start);
  if (trimmed.size() == 64 &&
      trimmed.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos) {
    std::string raw;
    for (size_t i = 0; i < 64; i += 2) {
      raw.push_back(static_cast<char>(std::stoi(trimmed.substr(i, 2), nullptr, 16)));
    }
    return fill(raw);
  }
  if (auto decoded = Base64Decode(trimmed); decoded && decoded->size() == 32) {
    return fill(*decoded);
  }
  return InvalidArgument(
      "encryption key: want 32 bytes (raw, 64 hex digits or base64); make one with "
      "`openssl rand -hex 32 > snapshot.key`");
}

StatusOr<EncryptionKey> LoadEncryptionKeyFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("read encryption key file " + path + ": cannot open it");
  std::ostringstream s;
  s << in.rdbuf();
  auto key = ParseEncryptionKey(s.str());
  if (!key.ok()) return key.status().Annotate(path);
  return key;
}

}  // namespace vc::snapshot
