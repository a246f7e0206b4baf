// SPDX-License-Identifier: Apache-2.0
// What kubectl-vc reads from an S3 (or S3-compatible) server's XML answers: an <Error>'s Code
// and Message, a multipart upload's UploadId. Pure functions over the bytes, so every answer
// is checked before it becomes a query parameter or a message; the S3 store calls them and
// tests/fuzz/s3_response_fuzzer.cpp feeds them anything.
#pragma once

#include <string>
#include <string_view>

#include "vc/status.h"

namespace vc::cli::snapshot {

// The text of the first <TAG>...</TAG> of `xml` with XML's entities decoded (&amp; &#38;
// ...), "" when there is none. Always valid UTF-8: bytes that are not are written \xNN.
std::string S3XmlValue(std::string_view xml, std::string_view tag);

struct S3Error {
  std::string code;     // NoSuchBucket, SignatureDoesNotMatch, ...
  std::string message;  // at most about 300 bytes
};
S3Error ParseS3Error(std::string_view body);
// S3 can answer 200 to CompleteMultipartUpload and still fail: the body is an <Error>.
bool IsS3Error(std::string_view body);

// InitiateMultipartUploadResult's UploadId, which later requests carry in their query.
StatusOr<std::string> ParseUploadId(std::string_view body);

// Why a request failed, from its status and body, as the user should read it: credentials
// refused (naming the access key id), no such bucket or object, access denied, server error.
Status ExplainS3Answer(long http_status, std::string_view body, const std::string& object_url,
                       const std::string& access_key, const std::string& what);

// `text` for an XML element's content (& < > escaped).
std::string XmlEscape(std::string_view text);

}  // namespace vc::cli::snapshot
