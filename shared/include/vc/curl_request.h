// SPDX-License-Identifier: Apache-2.0
// The one libcurl request builder: a `CurlRequest` describes an HTTP exchange as values
// (method, URL, headers, body, TLS material, timeouts, proxy, callbacks) and
// `PerformCurlRequest` sets an easy handle up from it and runs it. The Kubernetes client's
// `CurlTransport` (pooled handles, HTTP/2, cancellable watches) and the plugin's snapshot
// stores (streamed uploads, S3 signing) both go through here, so a TLS or timeout option means
// the same thing in both. Each leaves unset what it does not use: a field's zero value sets
// no option, so libcurl's default stands.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vc/cancel_token.h"
#include "vc/status.h"

namespace vc {

struct CurlTlsMaterial {
  bool insecure = false;  // no verification of the server at all
  std::string ca_file;    // PEM bundle to verify the server with
  std::string ca_pem;     // or PEM text
  // With `ca_pem`: trust only it, not the system's CA directory on top (kubectl's rule).
  bool only_given_ca = false;
  std::string client_cert_pem;  // mutual TLS
  std::string client_key_pem;
};

// Reads up to `size` bytes of a streamed request body; 0 at its end.
using CurlBodySource = std::function<StatusOr<size_t>(char* data, size_t size)>;
// Takes a 2xx response body as it arrives; an error ends the transfer.
using CurlBodySink = std::function<Status(std::string_view data)>;

struct CurlRequest {
  std::string method = "GET";  // upper case
  std::string url;
  std::vector<std::string> headers;  // "Name: value"; "Name:" drops one libcurl would add

  // The body, at most one of: `fields`, sent from memory (POST fields, whatever the method),
  // or `upload`, streamed: `upload_size` bytes, or chunked when -1. HEAD sends none; GET
  // sends `upload` only.
  std::optional<std::string_view> fields;
  CurlBodySource upload;
  int64_t upload_size = -1;
  long expect_100_timeout_ms = 0;  // with `upload`: how long to wait for 100 Continue

  CurlTlsMaterial tls;
  std::string proxy_url;                // empty: libcurl's own (http(s)_proxy, no_proxy)
  std::vector<std::string> connect_to;  // CURLOPT_CONNECT_TO entries
  CURLSH* share = nullptr;              // DNS and TLS session cache shared between handles
  std::string user_agent;               // empty: no User-Agent header
  std::string userpwd;                  // basic auth, or the key pair for aws_sigv4
  std::string aws_sigv4;                // CURLOPT_AWS_SIGV4, e.g. "aws:amz:us-east-1:s3"

  bool http2 = false;                            // HTTP/2 over TLS, HTTP/1.1 in the clear
  bool accept_encoding = false;                  // ask for any encoding libcurl can decode
  bool tcp_keepalive = false;                    // probes after 30 s idle, every 15 s
  bool http_only = false;                        // refuse other schemes, in redirects too
  bool follow_redirects = false;                 // Location answers are followed
  std::chrono::milliseconds connect_timeout{0};  // zero: libcurl's (300 s)
  std::chrono::milliseconds timeout{0};          // the whole exchange; zero: no limit
  // Ends a transfer slower than `low_speed_limit` bytes/s for `low_speed_seconds`; 0: never.
  long low_speed_limit = 0;
  long low_speed_seconds = 0;
  long buffer_size = 0;  // receive buffer; 0: libcurl's
  long upload_buffer_size = 0;

  CurlBodySink on_success_body;  // empty: 2xx bodies are collected as the others are
  // Other bodies (or 2xx without a sink) are collected while shorter than this.
  size_t max_collected_body = std::numeric_limits<size_t>::max();
  const CancelToken* cancel = nullptr;  // checked at least once a second
};

struct CurlOutcome {
  CURLcode code = CURLE_OK;
  std::string error;      // libcurl's words for `code`: its error buffer, or the code's text
  Status callback_error;  // what `upload` or `on_success_body` failed with, which ended it
  long status = 0;
  std::map<std::string, std::string> headers;  // of the last response; names lower-cased
  std::string body;
};

// curl_global_init, once per process, thread-safe (curl_global_init itself is not): before
// the first easy handle.
void CurlGlobalInit();

// Sets `handle` (fresh, or reset) up from `request` and performs it. The handle is left as the
// transfer left it, for curl_easy_getinfo; its options point into `request` until reset.
CurlOutcome PerformCurlRequest(CURL* handle, const CurlRequest& request);

}  // namespace vc
