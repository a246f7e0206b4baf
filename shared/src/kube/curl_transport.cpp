// SPDX-License-Identifier: Apache-2.0
#include "vc/kube/curl_transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <mutex>
#include <optional>
#include <vector>

#include "vc/curl_request.h"
#include "vc/log.h"

namespace vc::kube {
namespace {

constexpr size_t kMaxIdleHandles = 16;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// "get https://host:6443/api/v1/pods" — the query is left out: it is long and rarely the point.
std::string Describe(const HttpRequest& request) {
  std::string url = request.url.substr(0, request.url.find('?'));
  return Lower(request.method) + " " + url;
}

Status TransportError(const CurlOutcome& outcome, const HttpRequest& request, CURL* handle) {
  const CURLcode code = outcome.code;
  long os_errno = 0;
  curl_easy_getinfo(handle, CURLINFO_OS_ERRNO, &os_errno);
  long request_size = 0;
  curl_easy_getinfo(handle, CURLINFO_REQUEST_SIZE, &request_size);
  const std::string what = Describe(request);
  const std::string& detail = outcome.error;
  const std::string check = " (is the cluster running? check --context/--kubeconfig)";
  bool sent = request_size > 0;
  Code status_code = Code::kUnavailable;
  std::string cause;
  switch (code) {
    case CURLE_COULDNT_CONNECT:
      sent = false;
      cause =
          (os_errno == ECONNREFUSED ? "connection refused" : "cannot connect: " + detail) + check;
      break;
    case CURLE_COULDNT_RESOLVE_HOST:
      sent = false;
      cause = "no such host: " + detail + " (check the server address in the kubeconfig)";
      break;
    case CURLE_COULDNT_RESOLVE_PROXY:
      sent = false;
      cause = "no such proxy host: " + detail + " (check proxy-url or $https_proxy)";
      break;
    case CURLE_OPERATION_TIMEDOUT:
      status_code = Code::kTimeout;
      cause = sent ? "timed out waiting for the server (" +
                         std::to_string(request.timeout.count()) + "ms, see --request-timeout)"
                   : "timed out connecting" + check;
      break;
    case CURLE_PEER_FAILED_VERIFICATION:
      sent = false;
      cause = "tls: the server's certificate is not trusted: " + detail +
              " (check certificate-authority-data and tls-server-name in the kubeconfig)";
      break;
    case CURLE_SSL_CONNECT_ERROR:
      sent = false;
      cause = "tls handshake failed: " + detail;
      break;
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
      sent = false;
      status_code = Code::kInvalidArgument;
      cause = "unusable certificate or key: " + detail + " (check the kubeconfig user and cluster)";
      break;
    case CURLE_ABORTED_BY_CALLBACK:
      status_code = Code::kCancelled;
      cause = "cancelled";
      break;
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      cause = "connection closed by the server: " + detail;
      break;
    default:
      cause = detail;
  }
  return Status(status_code, what + ": " + cause).WithDetails({{"sent", sent}});
}

// A URL naming the TLS server, and the CONNECT_TO entry that sends its connection to the
// URL's real host; nothing when the URL cannot be parsed.
struct TlsServerRoute {
  std::string url;
  std::string connect_to;
};

std::optional<TlsServerRoute> RouteToTlsServerName(const std::string& url,
                                                   const std::string& tls_server_name) {
  // libcurl 7.88 has no option to verify against another name, so the URL names the TLS
  // server and CONNECT_TO sends the connection to the real host: same SNI and check as Go.
  std::optional<TlsServerRoute> route;
  CURLU* u = curl_url();
  char* host = nullptr;
  char* port = nullptr;
  if (curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK &&
      curl_url_set(u, CURLUPART_HOST, tls_server_name.c_str(), 0) == CURLUE_OK) {
    char* rewritten = nullptr;
    if (curl_url_get(u, CURLUPART_URL, &rewritten, 0) == CURLUE_OK) {
      route = TlsServerRoute{rewritten, std::string("::") + host + ":" + port};
    }
    curl_free(rewritten);
  }
  curl_free(host);
  curl_free(port);
  curl_url_cleanup(u);
  return route;
}

// The libcurl request for a Kubernetes API call: HTTP/2 over TLS, keep-alive probes, any
// encoding, the body from memory, and the transport's TLS trust and proxy.
CurlRequest DescribeForCurl(const HttpRequest& request, const CurlTransportOptions& options) {
  CurlRequest curl;
  curl.method = request.method;
  curl.url = request.url;
  if (!options.tls_server_name.empty()) {
    if (auto route = RouteToTlsServerName(request.url, options.tls_server_name)) {
      curl.url = route->url;
      curl.connect_to.push_back(route->connect_to);
    }
  }
  curl.headers.push_back("Expect:");
  for (const auto& [name, value] : request.headers) {
    curl.headers.push_back(name);
    curl.headers.back().append(": ").append(value);
  }
  if (!request.body.empty() || request.method != "DELETE") {
    curl.fields = request.body;
  }
  curl.tls.insecure = options.insecure_skip_tls_verify;
  if (!options.insecure_skip_tls_verify) {
    // Only the kubeconfig's CA is trusted, as with kubectl: no system directory on top.
    curl.tls.ca_pem = options.ca_pem;
    curl.tls.only_given_ca = true;
  }
  curl.tls.client_cert_pem = request.client_cert_pem;
  curl.tls.client_key_pem = request.client_key_pem;
  curl.proxy_url = options.proxy_url;
  curl.user_agent = options.user_agent;
  curl.http2 = true;
  curl.accept_encoding = true;
  curl.tcp_keepalive = true;
  curl.connect_timeout = options.connect_timeout;
  if (request.timeout.count() > 0) {
    curl.connect_timeout = std::min(curl.connect_timeout, request.timeout);
  }
  curl.timeout = request.timeout;
  return curl;
}

}  // namespace

struct CurlTransport::Shared {
  CURLSH* share = nullptr;
  std::mutex locks[CURL_LOCK_DATA_LAST];
  std::mutex pool_mu;
  std::vector<CURL*> idle;

  static void Lock(CURL*, curl_lock_data data, curl_lock_access, void* user) {
    static_cast<Shared*>(user)->locks[data].lock();
  }
  static void Unlock(CURL*, curl_lock_data data, void* user) {
    static_cast<Shared*>(user)->locks[data].unlock();
  }

  CURL* Acquire() {
    std::lock_guard<std::mutex> lock(pool_mu);
    if (idle.empty()) {
      return curl_easy_init();
    }
    CURL* h = idle.back();
    idle.pop_back();
    return h;
  }
  void Release(CURL* h) {
    // reset drops options but keeps the handle's live connections: that is the reuse.
    curl_easy_reset(h);
    std::lock_guard<std::mutex> lock(pool_mu);
    if (idle.size() < kMaxIdleHandles) {
      idle.push_back(h);
      return;
    }
    curl_easy_cleanup(h);
  }
};

CurlTransportOptions CurlTransportOptions::FromRestConfig(const RestConfig& config) {
  CurlTransportOptions o;
  o.ca_pem = config.ca_pem;
  o.insecure_skip_tls_verify = config.insecure_skip_tls_verify;
  o.tls_server_name = config.tls_server_name;
  o.proxy_url = config.proxy_url;
  o.user_agent = config.user_agent;
  if (config.request_timeout.count() > 0) {
    o.connect_timeout = std::min(o.connect_timeout, config.request_timeout);
  }
  return o;
}

CurlTransport::CurlTransport(CurlTransportOptions options)
    : options_(std::move(options)), shared_(std::make_unique<Shared>()) {
  // curl_global_init is not thread-safe; every transport goes through here first.
  CurlGlobalInit();
  shared_->share = curl_share_init();
  curl_share_setopt(shared_->share, CURLSHOPT_LOCKFUNC, &Shared::Lock);
  curl_share_setopt(shared_->share, CURLSHOPT_UNLOCKFUNC, &Shared::Unlock);
  curl_share_setopt(shared_->share, CURLSHOPT_USERDATA, shared_.get());
  curl_share_setopt(shared_->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  curl_share_setopt(shared_->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
}

CurlTransport::~CurlTransport() {
  for (CURL* h : shared_->idle) {
    curl_easy_cleanup(h);
  }
  curl_share_cleanup(shared_->share);
}

StatusOr<HttpResponse> CurlTransport::Do(const HttpRequest& request) {
  return Perform(request, nullptr, nullptr);
}

StatusOr<HttpResponse> CurlTransport::Stream(const HttpRequest& request,
                                             const ChunkHandler& on_chunk,
                                             const CancelToken* cancel) {
  return Perform(request, &on_chunk, cancel);
}

StatusOr<HttpResponse> CurlTransport::Perform(const HttpRequest& request,
                                              const ChunkHandler* on_chunk,
                                              const CancelToken* cancel) {
  CURL* h = shared_->Acquire();
  if (h == nullptr) {
    return Internal(Describe(request) + ": cannot create a libcurl handle");
  }
  bool stopped_by_handler = false;
  CurlRequest curl = DescribeForCurl(request, options_);
  curl.share = shared_->share;
  curl.cancel = cancel;
  if (on_chunk != nullptr) {
    curl.on_success_body = [&](std::string_view chunk) {
      if ((*on_chunk)(chunk)) {
        return Status::Ok();
      }
      stopped_by_handler = true;
      return Status(Code::kCancelled, "stopped by the chunk handler");
    };
  }
  CurlOutcome outcome = PerformCurlRequest(h, curl);
  Status error;
  if (outcome.code != CURLE_OK && !(outcome.code == CURLE_WRITE_ERROR && stopped_by_handler)) {
    error = TransportError(outcome, request, h);
  }
  shared_->Release(h);
  if (!error.ok()) {
    VC_LOG(Debug) << "http " << error.message();
    return error;
  }
  HttpResponse response;
  response.status = static_cast<int>(outcome.status);
  response.headers = std::move(outcome.headers);
  response.body = std::move(outcome.body);
  VC_LOG(Debug) << "http " << Describe(request) << " -> " << outcome.status;
  return response;
}

}  // namespace vc::kube
