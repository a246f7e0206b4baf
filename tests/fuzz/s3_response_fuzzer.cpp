// SPDX-License-Identifier: Apache-2.0
// What kubectl-vc reads from an S3 server's answers (s3_answers.h): an <Error>'s Code and
// Message, the UploadId of a multipart upload, and the message a failed request becomes.
// The first two bytes are the HTTP status (big-endian). Invariants: everything that reaches a
// message is UTF-8 text; an UploadId is non-empty and bounded.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.h"
#include "vc/cli/snapshot/s3_answers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vc::cli::snapshot;
  vc::fuzz::QuietLogs();
  long status = 500;
  if (size >= 2) {
    const long v = data[0] << 8 | data[1];
    status = v >= 100 && v < 600 ? v : 100 + v % 500;
    data += 2;
    size -= 2;
  }
  const std::string_view body(reinterpret_cast<const char*>(data), size);

  const S3Error e = ParseS3Error(body);
  vc::fuzz::CheckUtf8(e.code, "S3 error code");
  vc::fuzz::CheckUtf8(e.message, "S3 error message");
  vc::fuzz::CheckUtf8(S3XmlValue(body, "ETag"), "S3XmlValue");
  (void)IsS3Error(body);

  auto id = ParseUploadId(body);
  vc::fuzz::CheckStatus(id.status(), "ParseUploadId error");
  if (id.ok()) vc::fuzz::Check(!id->empty() && id->size() <= 1024, "UploadId size");

  const vc::Status explained =
      ExplainS3Answer(status, body, "https://s3.example.com/bucket/key", "AKIAEXAMPLE", "get it");
  vc::fuzz::Check(!explained.ok(), "ExplainS3Answer returned ok");
  vc::fuzz::CheckStatus(explained, "ExplainS3Answer");
  vc::fuzz::CheckUtf8(XmlEscape(e.message), "XmlEscape");
  return 0;
}
