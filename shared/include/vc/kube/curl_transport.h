// SPDX-License-Identifier: Apache-2.0
// CurlTransport: the real HttpTransport, over libcurl 7.88 (HTTP/2 over TLS, keep-alive).
//
// Connection reuse: libcurl says sharing one connection cache between concurrent threads is
// unsupported (CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT), so instead easy handles live in a
// pool: a thread borrows one for a request and returns it, and the handle keeps its live
// connections across curl_easy_reset. DNS and TLS sessions, which are safe to share, go
// through one share handle with a mutex per data kind. Thread-safe. Each request is set up on
// its handle by the one libcurl request builder, vc/curl_request.h.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "vc/kube/http.h"
#include "vc/kube/rest_config.h"

namespace vc::kube {

struct CurlTransportOptions {
  std::string ca_pem;  // empty: the system trust store
  bool insecure_skip_tls_verify = false;
  // Verify the serving certificate against (and send SNI for) this name instead of the
  // URL's host, as kubeconfig tls-server-name.
  std::string tls_server_name;
  std::string proxy_url;  // empty: libcurl honours http(s)_proxy / no_proxy like Go does
  std::chrono::milliseconds connect_timeout{10000};
  std::string user_agent = "kubectl-vc";

  static CurlTransportOptions FromRestConfig(const RestConfig& config);
};

class CurlTransport : public HttpTransport {
 public:
  explicit CurlTransport(CurlTransportOptions options);
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  StatusOr<HttpResponse> Do(const HttpRequest& request) override;
  StatusOr<HttpResponse> Stream(const HttpRequest& request, const ChunkHandler& on_chunk,
                                const CancelToken* cancel) override;

 private:
  struct Shared;  // the share handle, the handle pool and their locks
  StatusOr<HttpResponse> Perform(const HttpRequest& request, const ChunkHandler* on_chunk,
                                 const CancelToken* cancel);

  CurlTransportOptions options_;
  std::unique_ptr<Shared> shared_;
};

}  // namespace vc::kube
