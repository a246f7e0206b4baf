// SPDX-License-Identifier: Apache-2.0
// One HTTP request through libcurl, with streamed bodies both ways: what the snapshot stores
// (OCI registry, S3) and the pod's snapshot endpoint have in common. A 2xx body goes to
// `response_sink` as it arrives; any other status's body is collected (bounded) for the error
// message. Transport failures come back as Unavailable naming the host and curl's reason.
// The libcurl side is shared/'s request builder (vc/curl_request.h).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "vc/snapshot/archive.h"
#include "vc/status.h"

namespace vc::cli::snapshot {

struct TlsSettings {
  bool insecure = false;        // no verification (--insecure)
  std::string ca_file;          // PEM bundle to verify the server with (--ca-file)
  std::string ca_pem;           // or PEM text
  std::string client_cert_pem;  // mutual TLS
  std::string client_key_pem;
};

struct HttpCall {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  // Request body: `body` when set, else `body_source` (with `body_size`, or chunked when -1).
  const std::string* body = nullptr;
  vc::snapshot::ByteSource body_source;
  int64_t body_size = -1;
  vc::snapshot::ByteSink response_sink;  // 2xx bodies; empty: collected into response.body
  TlsSettings tls;
  std::string userpwd;    // basic auth, or the key pair for aws_sigv4
  std::string aws_sigv4;  // CURLOPT_AWS_SIGV4, e.g. "aws:amz:us-east-1:s3"
  bool follow_redirects = false;
  long connect_timeout_seconds = 15;
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // lower-cased names, last value wins
  std::string body;                            // non-2xx, or 2xx without a sink
  std::string Header(const std::string& name) const;
};

StatusOr<HttpResponse> Perform(const HttpCall& call);

// "scheme://host:port" of a URL, for messages.
std::string Origin(const std::string& url);

}  // namespace vc::cli::snapshot
