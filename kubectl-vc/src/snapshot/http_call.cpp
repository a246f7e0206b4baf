// SPDX-License-Identifier: Apache-2.0
#include "vc/cli/snapshot/http_call.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>

namespace vc::cli::snapshot {
namespace {

constexpr size_t kMaxErrorBody = 64 * 1024;

struct Exchange {
  const HttpCall* call = nullptr;
  CURL* curl = nullptr;
  HttpResponse response;
  Status sink_error;  // why a callback stopped the transfer
  Status source_error;
  size_t body_offset = 0;
};

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* x = static_cast<Exchange*>(user);
  std::string line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) x->response.headers.clear();  // a new response (100, redirect)
  const auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    std::string value = line.substr(colon + 1);
    const auto b = value.find_first_not_of(" \t");
    const auto e = value.find_last_not_of(" \t\r\n");
    x->response.headers[name] = b == std::string::npos ? "" : value.substr(b, e - b + 1);
  }
  return size * n;
}

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* x = static_cast<Exchange*>(user);
  long status = 0;
  curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &status);
  const size_t len = size * n;
  if (status / 100 == 2 && x->call->response_sink) {
    if (Status s = x->call->response_sink(data, len); !s.ok()) {
      x->sink_error = s;
      return 0;  // aborts the transfer
    }
    return len;
  }
  if (x->response.body.size() < kMaxErrorBody || status / 100 == 2)
    x->response.body.append(data, len);
  return len;
}

size_t OnRead(char* data, size_t size, size_t n, void* user) {
  auto* x = static_cast<Exchange*>(user);
  if (x->call->body) {
    const std::string& body = *x->call->body;
    const size_t len = std::min(size * n, body.size() - x->body_offset);
    std::memcpy(data, body.data() + x->body_offset, len);
    x->body_offset += len;
    return len;
  }
  auto got = x->call->body_source(data, size * n);
  if (!got.ok()) {
    x->source_error = got.status();
    return CURL_READFUNC_ABORT;
  }
  return *got;
}

struct SList {
  curl_slist* list = nullptr;
  ~SList() { curl_slist_free_all(list); }
  void Add(const std::string& s) { list = curl_slist_append(list, s.c_str()); }
};

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
  static const bool initialized = [] {
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  }();
  (void)initialized;
  Exchange x;
  x.call = &call;
  x.curl = curl_easy_init();
  if (!x.curl) return Internal("curl_easy_init failed");
  CURL* c = x.curl;
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(c, CURLOPT_URL, call.url.c_str());
  // HTTP(S) only: URLs come from registries too (upload locations, token realms, redirects), and
  // libcurl's other schemes would let one read local files, or write them (file:// with a PUT).
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, call.connect_timeout_seconds);
  // A transfer that stalls for a minute is dead; a slow one is fine.
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &x);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &x);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, call.follow_redirects ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 512L * 1024);
  curl_easy_setopt(c, CURLOPT_UPLOAD_BUFFERSIZE, 2L * 1024 * 1024);

  SList headers;
  for (const auto& h : call.headers) headers.Add(h);
  const bool has_body = call.body || call.body_source;
  if (call.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (has_body) {
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, OnRead);
    curl_easy_setopt(c, CURLOPT_READDATA, &x);
    const int64_t size = call.body ? static_cast<int64_t>(call.body->size()) : call.body_size;
    if (size >= 0) {
      curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(size));
    } else {
      headers.Add("Transfer-Encoding: chunked");
    }
    // No 100-continue round trip. With SigV4 curl would sign the removed header as present but
    // empty (and the server then computes another signature): there it only shortens the wait.
    if (call.aws_sigv4.empty()) {
      headers.Add("Expect:");
    } else {
      curl_easy_setopt(c, CURLOPT_EXPECT_100_TIMEOUT_MS, 50L);
    }
    if (call.method != "PUT") curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, call.method.c_str());
  } else if (call.method != "GET") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, call.method.c_str());
    if (call.method == "POST" || call.method == "PUT" || call.method == "PATCH") {
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
    }
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.list);

  if (call.tls.insecure) {
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!call.tls.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, call.tls.ca_file.c_str());
  curl_blob ca{const_cast<char*>(call.tls.ca_pem.data()), call.tls.ca_pem.size(), CURL_BLOB_COPY};
  if (!call.tls.ca_pem.empty()) curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &ca);
  curl_blob cert{const_cast<char*>(call.tls.client_cert_pem.data()),
                 call.tls.client_cert_pem.size(), CURL_BLOB_COPY};
  curl_blob key{const_cast<char*>(call.tls.client_key_pem.data()), call.tls.client_key_pem.size(),
                CURL_BLOB_COPY};
  if (!call.tls.client_cert_pem.empty()) {
    curl_easy_setopt(c, CURLOPT_SSLCERT_BLOB, &cert);
    curl_easy_setopt(c, CURLOPT_SSLCERTTYPE, "PEM");
    curl_easy_setopt(c, CURLOPT_SSLKEY_BLOB, &key);
    curl_easy_setopt(c, CURLOPT_SSLKEYTYPE, "PEM");
  }
  if (!call.userpwd.empty()) curl_easy_setopt(c, CURLOPT_USERPWD, call.userpwd.c_str());
  if (!call.aws_sigv4.empty())
    curl_easy_setopt(c, CURLOPT_AWS_SIGV4, call.aws_sigv4.c_str());
  else if (!call.userpwd.empty())
    curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);

  const CURLcode rc = curl_easy_perform(c);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &x.response.status);
  curl_easy_cleanup(c);
  if (!x.sink_error.ok()) return x.sink_error;
  if (!x.source_error.ok()) return x.source_error;
  if (rc != CURLE_OK) {
    const std::string reason = error[0] ? error : curl_easy_strerror(rc);
    return Unavailable("cannot reach " + Origin(call.url) + ": " + reason);
  }
  return x.response;
}

}  // namespace vc::cli::snapshot
