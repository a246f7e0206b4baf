// SPDX-License-Identifier: Apache-2.0
#include "vc/cli/snapshot/s3_answers.h"

#include <cstdint>

#include "vc/utf8.h"

namespace vc::cli::snapshot {
namespace {

constexpr size_t kMaxMessage = 300;
constexpr size_t kMaxUploadId = 1024;

void AppendCodePoint(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// &#N; or &#xN; -> the character; nullopt-like false for anything XML does not allow.
bool NumericReference(std::string_view digits, bool hex, uint32_t* cp) {
  if (digits.empty() || digits.size() > 8) return false;
  uint32_t v = 0;
  for (char c : digits) {
    int d = -1;
    if (c >= '0' && c <= '9') d = c - '0';
    if (hex && c >= 'a' && c <= 'f') d = c - 'a' + 10;
    if (hex && c >= 'A' && c <= 'F') d = c - 'A' + 10;
    if (d < 0) return false;
    v = v * (hex ? 16 : 10) + static_cast<uint32_t>(d);
  }
  if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return false;
  *cp = v;
  return true;
}

std::string DecodeEntities(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out.push_back(text[i]);
      continue;
    }
    const size_t semi = text.find(';', i);
    if (semi == std::string_view::npos || semi - i > 12) {
      out.push_back('&');  // not a reference: kept as written
      continue;
    }
    const std::string_view name = text.substr(i + 1, semi - i - 1);
    uint32_t cp = 0;
    if (name == "amp") {
      out.push_back('&');
    } else if (name == "lt") {
      out.push_back('<');
    } else if (name == "gt") {
      out.push_back('>');
    } else if (name == "quot") {
      out.push_back('"');
    } else if (name == "apos") {
      out.push_back('\'');
    } else if (name.size() > 1 && name[0] == '#' && (name[1] == 'x' || name[1] == 'X') &&
               NumericReference(name.substr(2), true, &cp)) {
      AppendCodePoint(cp, &out);
    } else if (name.size() > 1 && name[0] == '#' && NumericReference(name.substr(1), false, &cp)) {
      AppendCodePoint(cp, &out);
    } else {
      out.push_back('&');
      continue;
    }
    i = semi;
  }
  return out;
}

}  // namespace

std::string S3XmlValue(std::string_view xml, std::string_view tag) {
  const std::string open = "<" + std::string(tag) + ">";
  const std::string close = "</" + std::string(tag) + ">";
  const size_t start = xml.find(open);
  if (start == std::string_view::npos) return "";
  const size_t from = start + open.size();
  const size_t end = xml.find(close, from);
  if (end == std::string_view::npos) return "";
  return utf8::Escape(DecodeEntities(xml.substr(from, end - from)));
}

S3Error ParseS3Error(std::string_view body) {
  S3Error e;
  e.code = S3XmlValue(body, "Code");
  if (e.code.size() > kMaxMessage) e.code = std::string(utf8::Truncate(e.code, kMaxMessage));
  e.message = S3XmlValue(body, "Message");
  if (e.message.size() > kMaxMessage) {
    e.message = std::string(utf8::Truncate(e.message, kMaxMessage)) + "...";
  }
  return e;
}

bool IsS3Error(std::string_view body) { return body.find("<Error>") != std::string_view::npos; }

StatusOr<std::string> ParseUploadId(std::string_view body) {
  const std::string id = S3XmlValue(body, "UploadId");
  if (id.empty()) return Internal("s3: multipart upload started without an UploadId");
  if (id.size() > kMaxUploadId) {
    return Internal("s3: the server's UploadId is longer than " + std::to_string(kMaxUploadId) +
                    " bytes; is this an S3-compatible server?");
  }
  return id;
}

Status ExplainS3Answer(long http_status, std::string_view body, const std::string& object_url,
                       const std::string& access_key, const std::string& what) {
  const S3Error e = ParseS3Error(body);
  const std::string& code = e.code;
  const std::string& message = e.message;
  const std::string where = "s3 " + object_url + ": " + what + ": ";
  if (code == "InvalidAccessKeyId" || code == "SignatureDoesNotMatch" || code == "ExpiredToken" ||
      code == "InvalidToken") {
    return Status(Code::kUnauthorized, where + "the credentials were refused (" + code + ": " +
                                           message + "); check AWS_ACCESS_KEY_ID (" + access_key +
                                           "), AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN");
  }
  if (code == "NoSuchBucket") return NotFound(where + "no such bucket (" + message + ")");
  if (code == "NoSuchKey" || (http_status == 404 && code.empty())) {
    return NotFound(where + "no such object");
  }
  if (http_status == 403) {
    return Status(Code::kForbidden, where + "access denied (" + code + ": " + message + ")");
  }
  return Status(http_status >= 500 ? Code::kUnavailable : Code::kInternal,
                where + "HTTP " + std::to_string(http_status) + " " + code + ": " + message);
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '&') {
      out += "&amp;";
    } else if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace vc::cli::snapshot
