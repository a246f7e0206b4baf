// SPDX-License-Identifier: Apache-2.0
#include "vc/kube/curl_transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <mutex>
#include <vector>

#include "vc/log.h"

namespace vc::kube {
namespace {

constexpr size_t kMaxIdleHandles = 16;

void GlobalInit() {
  // curl_global_init is not thread-safe; every transport goes through here first.
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

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

// "get https://host:6443/api/v1/pods" — the query is left out: it is long and rarely the point.
std::string Describe(const HttpRequest& request) {
  std::string url = request.url.substr(0, request.url.find('?'));
  return Lower(request.method) + " " + url;
}

struct Transfer {
  CURL* handle = nullptr;
  HttpResponse response;
  const ChunkHandler* on_chunk = nullptr;
  const CancelToken* cancel = nullptr;
  bool stopped_by_handler = false;
};

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string line(data, size * count);
  if (line.rfind("HTTP/", 0) == 0) {
    // A new status line (after 100 Continue or a redirect): earlier headers are not ours.
    t->response.headers.clear();
  } else if (auto colon = line.find(':'); colon != std::string::npos) {
    t->response.headers[Lower(line.substr(0, colon))] = Trim(line.substr(colon + 1));
  }
  return size * count;
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  long code = 0;
  curl_easy_getinfo(t->handle, CURLINFO_RESPONSE_CODE, &code);
  if (t->on_chunk != nullptr && code >= 200 && code < 300) {
    if (!(*t->on_chunk)(std::string_view(data, n))) {
      t->stopped_by_handler = true;
      return 0;  // makes libcurl end the transfer with CURLE_WRITE_ERROR
    }
    return n;
  }
  t->response.body.append(data, n);
  return n;
}

int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  // libcurl calls this at least once a second even on an idle stream, which bounds how long
  // a cancelled watch keeps running.
  auto* t = static_cast<Transfer*>(user);
  return (t->cancel != nullptr && t->cancel->cancelled()) ? 1 : 0;
}

Status TransportError(CURLcode code, const HttpRequest& request, CURL* handle, const char* errbuf) {
  long os_errno = 0;
  curl_easy_getinfo(handle, CURLINFO_OS_ERRNO, &os_errno);
  long request_size = 0;
  curl_easy_getinfo(handle, CURLINFO_REQUEST_SIZE, &request_size);
  const std::string what = Describe(request);
  const std::string detail = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(code);
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

struct Blob {
  explicit Blob(const std::string& pem)
      : blob{const_cast<char*>(pem.data()), pem.size(), CURL_BLOB_COPY} {}
  curl_blob blob;
};

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
    if (idle.empty()) return curl_easy_init();
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
  GlobalInit();
  shared_->share = curl_share_init();
  curl_share_setopt(shared_->share, CURLSHOPT_LOCKFUNC, &Shared::Lock);
  curl_share_setopt(shared_->share, CURLSHOPT_UNLOCKFUNC, &Shared::Unlock);
  curl_share_setopt(shared_->share, CURLSHOPT_USERDATA, shared_.get());
  curl_share_setopt(shared_->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  curl_share_setopt(shared_->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
}

CurlTransport::~CurlTransport() {
  for (CURL* h : shared_->idle) curl_easy_cleanup(h);
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
  if (h == nullptr) return Internal(Describe(request) + ": cannot create a libcurl handle");
  Transfer t;
  t.handle = h;
  t.on_chunk = on_chunk;
  t.cancel = cancel;
  char errbuf[CURL_ERROR_SIZE] = {0};

  std::string url = request.url;
  std::string connect_to;
  if (!options_.tls_server_name.empty()) {
    // libcurl 7.88 has no option to verify against another name, so the URL names the TLS
    // server and CONNECT_TO sends the connection to the real host: same SNI and check as Go.
    CURLU* u = curl_url();
    char* host = nullptr;
    char* port = nullptr;
    if (curl_url_set(u, CURLUPART_URL, request.url.c_str(), 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK &&
        curl_url_set(u, CURLUPART_HOST, options_.tls_server_name.c_str(), 0) == CURLUE_OK) {
      char* rewritten = nullptr;
      if (curl_url_get(u, CURLUPART_URL, &rewritten, 0) == CURLUE_OK) {
        url = rewritten;
        connect_to = std::string("::") + host + ":" + port;
      }
      curl_free(rewritten);
    }
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
  }
  curl_slist* connect_to_list = nullptr;
  if (!connect_to.empty()) connect_to_list = curl_slist_append(nullptr, connect_to.c_str());

  curl_slist* headers = curl_slist_append(nullptr, "Expect:");
  for (const auto& [name, value] : request.headers) {
    headers = curl_slist_append(headers, (name + ": " + value).c_str());
  }

  curl_easy_setopt(h, CURLOPT_SHARE, shared_->share);
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(h, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  if (connect_to_list != nullptr) curl_easy_setopt(h, CURLOPT_CONNECT_TO, connect_to_list);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPIDLE, 30L);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPINTVL, 15L);
  auto connect_timeout = options_.connect_timeout;
  if (request.timeout.count() > 0) connect_timeout = std::min(connect_timeout, request.timeout);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect_timeout.count()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));

  if (request.method == "GET") {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (!request.body.empty() || request.method != "DELETE") {
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
    }
  }

  if (options_.insecure_skip_tls_verify) {
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
  } else if (!options_.ca_pem.empty()) {
    // Only the kubeconfig's CA is trusted, as with kubectl: no system directory on top.
    Blob ca(options_.ca_pem);
    curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &ca.blob);
    curl_easy_setopt(h, CURLOPT_CAPATH, nullptr);
  }
  if (!request.client_cert_pem.empty()) {
    Blob cert(request.client_cert_pem);
    Blob key(request.client_key_pem);
    curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
    curl_easy_setopt(h, CURLOPT_SSLCERT_BLOB, &cert.blob);
    curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
    curl_easy_setopt(h, CURLOPT_SSLKEY_BLOB, &key.blob);
  }
  if (!options_.proxy_url.empty()) curl_easy_setopt(h, CURLOPT_PROXY, options_.proxy_url.c_str());

  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &OnProgress);
  curl_easy_setopt(h, CURLOPT_XFERINFODATA, &t);

  const CURLcode rc = curl_easy_perform(h);
  long code = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
  Status error;
  if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && t.stopped_by_handler)) {
    error = TransportError(rc, request, h, errbuf);
  }
  curl_slist_free_all(headers);
  curl_slist_free_all(connect_to_list);
  shared_->Release(h);
  if (!error.ok()) {
    VC_LOG(Debug) << "http " << error.message();
    return error;
  }
  t.response.status = static_cast<int>(code);
  VC_LOG(Debug) << "http " << Describe(request) << " -> " << code;
  return std::move(t.response);
}

}  // namespace vc::kube
