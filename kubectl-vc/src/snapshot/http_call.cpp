// SPDX-License-Identifier: Apache-2.0
#include "vc/cli/snapshot/http_call.h"

#include <algorithm>

#include "vc/curl_request.h"

namespace vc::cli::snapshot {
namespace {

constexpr size_t kMaxErrorBody = size_t{64} * 1024;

// Hands `body` out in the pieces libcurl asks for.
CurlBodySource ReadFromMemory(const std::string* body) {
  return [body, offset = size_t{0}](char* data, size_t size) mutable -> StatusOr<size_t> {
    const size_t len = std::min(size, body->size() - offset);
    std::copy_n(body->data() + offset, len, data);
    offset += len;
    return len;
  };
}

void DescribeBody(const HttpCall& call, CurlRequest& curl) {
  const bool has_body = call.body || call.body_source;
  if (has_body) {
    curl.upload = call.body ? ReadFromMemory(call.body) : CurlBodySource(call.body_source);
    curl.upload_size = call.body ? static_cast<int64_t>(call.body->size()) : call.body_size;
    // No 100-continue round trip. With SigV4 curl would sign the removed header as present but
    // empty (and the server then computes another signature): there it only shortens the wait.
    if (call.aws_sigv4.empty()) {
      curl.headers.push_back("Expect:");
    } else {
      curl.expect_100_timeout_ms = 50;
    }
  } else if (call.method == "POST" || call.method == "PUT" || call.method == "PATCH") {
    curl.fields = std::string_view("");  // an empty body, said so (not null: that reads stdin)
  }
}

// The libcurl request for a snapshot store or the pod's endpoint: HTTP(S) only, bodies
// streamed both ways, stalled transfers ended.
CurlRequest DescribeForCurl(const HttpCall& call) {
  CurlRequest curl;
  curl.method = call.method;
  curl.url = call.url;
  // HTTP(S) only: URLs come from registries too (upload locations, token realms, redirects), and
  // libcurl's other schemes would let one read local files, or write them (file:// with a PUT).
  curl.http_only = true;
  curl.connect_timeout = std::chrono::seconds(call.connect_timeout_seconds);
  // A transfer that stalls for a minute is dead; a slow one is fine.
  curl.low_speed_limit = 1;
  curl.low_speed_seconds = 60;
  curl.follow_redirects = call.follow_redirects;
  curl.buffer_size = 512L * 1024;
  curl.upload_buffer_size = 2L * 1024 * 1024;
  curl.headers = call.headers;
  DescribeBody(call, curl);
  curl.tls.insecure = call.tls.insecure;
  curl.tls.ca_file = call.tls.ca_file;
  curl.tls.ca_pem = call.tls.ca_pem;
  curl.tls.client_cert_pem = call.tls.client_cert_pem;
  curl.tls.client_key_pem = call.tls.client_key_pem;
  curl.userpwd = call.userpwd;
  curl.aws_sigv4 = call.aws_sigv4;
  if (call.response_sink) {
    curl.on_success_body = [&sink = call.response_sink](std::string_view data) {
      return sink(data.data(), data.size());
    };
  }
  curl.max_collected_body = kMaxErrorBody;
  return curl;
}

}  // namespace

std::string HttpResponse::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

std::string Origin(const std::string& url) {
  const auto scheme = url.find("://");
  const auto start = scheme == std::string::npos ? 0 : scheme + 3;
  const auto slash = url.find('/', start);
  return url.substr(0, slash);
}

StatusOr<HttpResponse> Perform(const HttpCall& call) {
  CurlGlobalInit();
  CURL* handle = curl_easy_init();
  if (!handle) {
    return Internal("curl_easy_init failed");
  }
  CurlOutcome outcome = PerformCurlRequest(handle, DescribeForCurl(call));
  curl_easy_cleanup(handle);
  if (!outcome.callback_error.ok()) {
    return outcome.callback_error;
  }
  if (outcome.code != CURLE_OK) {
    return Unavailable("cannot reach " + Origin(call.url) + ": " + outcome.error);
  }
  HttpResponse response;
  response.status = outcome.status;
  response.headers = std::move(outcome.headers);
  response.body = std::move(outcome.body);
  return response;
}

}  // namespace vc::cli::snapshot
