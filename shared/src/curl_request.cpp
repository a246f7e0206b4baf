// SPDX-License-Identifier: Apache-2.0
#include "vc/curl_request.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <mutex>

namespace vc {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string Trim(std::string s) {
  const char* ws = " \t\r\n";
  s.erase(s.find_last_not_of(ws) + 1);
  s.erase(0, s.find_first_not_of(ws));
  return s;
}

// What the callbacks share during one transfer.
struct Exchange {
  CURL* handle = nullptr;
  const CurlRequest* request = nullptr;
  CurlOutcome outcome;
};

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* x = static_cast<Exchange*>(user);
  std::string line(data, size * count);
  if (line.rfind("HTTP/", 0) == 0) {
    // A new status line (after 100 Continue or a redirect): earlier headers are not ours.
    x->outcome.headers.clear();
  } else if (auto colon = line.find(':'); colon != std::string::npos) {
    x->outcome.headers[Lower(line.substr(0, colon))] = Trim(line.substr(colon + 1));
  }
  return size * count;
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* x = static_cast<Exchange*>(user);
  const size_t n = size * count;
  long status = 0;
  curl_easy_getinfo(x->handle, CURLINFO_RESPONSE_CODE, &status);
  const bool success = status / 100 == 2;
  if (success && x->request->on_success_body) {
    if (Status s = x->request->on_success_body(std::string_view(data, n)); !s.ok()) {
      x->outcome.callback_error = std::move(s);
      return 0;  // makes libcurl end the transfer with CURLE_WRITE_ERROR
    }
    return n;
  }
  if (success || x->outcome.body.size() < x->request->max_collected_body) {
    x->outcome.body.append(data, n);
  }
  return n;
}

size_t OnRead(char* data, size_t size, size_t count, void* user) {
  auto* x = static_cast<Exchange*>(user);
  auto got = x->request->upload(data, size * count);
  if (!got.ok()) {
    x->outcome.callback_error = got.status();
    return CURL_READFUNC_ABORT;
  }
  return *got;
}

int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  // libcurl calls this at least once a second even on an idle stream, which bounds how long
  // a cancelled watch keeps running.
  auto* x = static_cast<Exchange*>(user);
  return x->request->cancel->cancelled() ? 1 : 0;
}

// A curl_slist freed with the exchange.
struct SList {
  curl_slist* list = nullptr;
  SList() = default;
  SList(const SList&) = delete;
  SList& operator=(const SList&) = delete;
  ~SList() { curl_slist_free_all(list); }
  void Add(const std::string& s) { list = curl_slist_append(list, s.c_str()); }
};

// PEM text handed to libcurl, which copies it (CURL_BLOB_COPY) when the option is set.
curl_blob Blob(const std::string& pem) {
  return curl_blob{const_cast<char*>(pem.data()), pem.size(), CURL_BLOB_COPY};
}

void SetStreamedUpload(CURL* h, const CurlRequest& request, Exchange* x, SList& headers) {
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(h, CURLOPT_READFUNCTION, &OnRead);
  curl_easy_setopt(h, CURLOPT_READDATA, x);
  if (request.upload_size >= 0) {
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.upload_size));
  } else {
    headers.Add("Transfer-Encoding: chunked");
  }
  if (request.expect_100_timeout_ms > 0) {
    curl_easy_setopt(h, CURLOPT_EXPECT_100_TIMEOUT_MS, request.expect_100_timeout_ms);
  }
  // An upload is a PUT to libcurl; any other method is named.
  if (request.method != "PUT") {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
}

void SetMethodAndBody(CURL* h, const CurlRequest& request, Exchange* x, SList& headers) {
  if (request.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (request.upload) {
    SetStreamedUpload(h, request, x, headers);
  } else if (request.method == "GET") {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (request.fields) {
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.fields->size()));
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.fields->data());
    }
  }
}

void SetTls(CURL* h, const CurlTlsMaterial& tls) {
  if (tls.insecure) {
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!tls.ca_file.empty()) {
    curl_easy_setopt(h, CURLOPT_CAINFO, tls.ca_file.c_str());
  }
  if (!tls.ca_pem.empty()) {
    curl_blob ca = Blob(tls.ca_pem);
    curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &ca);
    if (tls.only_given_ca) {
      curl_easy_setopt(h, CURLOPT_CAPATH, nullptr);
    }
  }
  if (!tls.client_cert_pem.empty()) {
    curl_blob cert = Blob(tls.client_cert_pem);
    curl_blob key = Blob(tls.client_key_pem);
    curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
    curl_easy_setopt(h, CURLOPT_SSLCERT_BLOB, &cert);
    curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
    curl_easy_setopt(h, CURLOPT_SSLKEY_BLOB, &key);
  }
}

void SetConnection(CURL* h, const CurlRequest& request, SList& connect_to) {
  if (request.share != nullptr) {
    curl_easy_setopt(h, CURLOPT_SHARE, request.share);
  }
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  if (request.http2) {
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  }
  if (request.http_only) {
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  }
  if (request.follow_redirects) {
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
  }
  for (const auto& entry : request.connect_to) {
    connect_to.Add(entry);
  }
  if (connect_to.list != nullptr) {
    curl_easy_setopt(h, CURLOPT_CONNECT_TO, connect_to.list);
  }
  if (!request.proxy_url.empty()) {
    curl_easy_setopt(h, CURLOPT_PROXY, request.proxy_url.c_str());
  }
  if (request.tcp_keepalive) {
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPIDLE, 30L);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPINTVL, 15L);
  }
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(request.connect_timeout.count()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  if (request.low_speed_seconds > 0) {
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, request.low_speed_limit);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, request.low_speed_seconds);
  }
  if (request.buffer_size > 0) {
    curl_easy_setopt(h, CURLOPT_BUFFERSIZE, request.buffer_size);
  }
  if (request.upload_buffer_size > 0) {
    curl_easy_setopt(h, CURLOPT_UPLOAD_BUFFERSIZE, request.upload_buffer_size);
  }
}

void SetIdentity(CURL* h, const CurlRequest& request) {
  if (!request.user_agent.empty()) {
    curl_easy_setopt(h, CURLOPT_USERAGENT, request.user_agent.c_str());
  }
  if (request.accept_encoding) {
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
  }
  if (!request.userpwd.empty()) {
    curl_easy_setopt(h, CURLOPT_USERPWD, request.userpwd.c_str());
  }
  if (!request.aws_sigv4.empty()) {
    curl_easy_setopt(h, CURLOPT_AWS_SIGV4, request.aws_sigv4.c_str());
  } else if (!request.userpwd.empty()) {
    curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
  }
}

void SetCallbacks(CURL* h, const CurlRequest& request, Exchange* x) {
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
  if (request.cancel != nullptr) {
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &OnProgress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, x);
  }
}

}  // namespace

void CurlGlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

CurlOutcome PerformCurlRequest(CURL* handle, const CurlRequest& request) {
  Exchange x;
  x.handle = handle;
  x.request = &request;
  char errbuf[CURL_ERROR_SIZE] = {0};
  SList headers;
  SList connect_to;
  for (const auto& header : request.headers) {
    headers.Add(header);
  }
  curl_easy_setopt(handle, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, errbuf);
  SetMethodAndBody(handle, request, &x, headers);
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers.list);
  SetConnection(handle, request, connect_to);
  SetTls(handle, request.tls);
  SetIdentity(handle, request);
  SetCallbacks(handle, request, &x);

  x.outcome.code = curl_easy_perform(handle);
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &x.outcome.status);
  if (x.outcome.code != CURLE_OK) {
    x.outcome.error = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(x.outcome.code);
  }
  // The buffer and lists die with this frame: the handle must not point at them.
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, nullptr);
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(handle, CURLOPT_CONNECT_TO, nullptr);
  return std::move(x.outcome);
}

}  // namespace vc
