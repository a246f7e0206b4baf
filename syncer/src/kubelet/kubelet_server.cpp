// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/kubelet/kubelet_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>

#include "vc/base64.h"
#include "vc/log.h"
#include "vc/syncer/kubelet/kubelet_request.h"

namespace vc::syncer::kubelet {
namespace {

constexpr size_t kMaxHead = 32 * 1024;

std::string OpenSslError(const std::string& what) {
  std::string out = what;
  unsigned long e;
  while ((e = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    out += std::string(": ") + buf;
  }
  return out;
}

using SslPtr = std::unique_ptr<SSL, decltype(&SSL_free)>;

struct Endpoint {
  std::string host;
  std::string port;
};

StatusOr<Endpoint> ParseServer(const std::string& server) {
  std::string rest = server;
  if (rest.rfind("https://", 0) == 0) rest = rest.substr(8);
  rest = rest.substr(0, rest.find('/'));
  Endpoint e;
  if (!rest.empty() && rest[0] == '[') {
    const size_t close = rest.find(']');
    e.host = rest.substr(1, close - 1);
    e.port = close + 2 <= rest.size() ? rest.substr(close + 2) : "443";
  } else {
    const size_t colon = rest.rfind(':');
    e.host = rest.substr(0, colon);
    e.port = colon == std::string::npos ? "443" : rest.substr(colon + 1);
  }
  if (e.host.empty()) return InvalidArgument("kubelet relay: bad host server " + server);
  return e;
}

int Connect(const Endpoint& e) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(e.host.c_str(), e.port.c_str(), &hints, &res) != 0) return -1;
  int fd = -1;
  for (addrinfo* a = res; a != nullptr; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
    ::close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  return fd;
}

bool LoadPemIntoStore(X509_STORE* store, const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  bool any = false;
  while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    any = X509_STORE_add_cert(store, cert) == 1 || any;
    X509_free(cert);
  }
  ERR_clear_error();  // the end of the PEM stream
  BIO_free(bio);
  return any;
}

bool UseCertAndKey(SSL_CTX* ctx, SSL* ssl, const std::string& cert_pem, const std::string& key_pem) {
  BIO* cb = BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size()));
  X509* cert = PEM_read_bio_X509(cb, nullptr, nullptr, nullptr);
  BIO_free(cb);
  BIO* kb = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(kb, nullptr, nullptr, nullptr);
  BIO_free(kb);
  bool ok = cert != nullptr && key != nullptr;
  if (ok && ctx != nullptr) ok = SSL_CTX_use_certificate(ctx, cert) == 1 && SSL_CTX_use_PrivateKey(ctx, key) == 1;
  if (ok && ssl != nullptr) ok = SSL_use_certificate(ssl, cert) == 1 && SSL_use_PrivateKey(ssl, key) == 1;
  X509_free(cert);
  EVP_PKEY_free(key);
  return ok;
}

bool WriteAll(SSL* ssl, std::string_view data) {
  while (!data.empty()) {
    const int n = SSL_write(ssl, data.data(), static_cast<int>(data.size()));
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

void Answer(SSL* ssl, int status, const std::string& reason, const std::string& body) {
  WriteAll(ssl, "HTTP/1.1 " + std::to_string(status) + " " + reason +
                    "\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\n\r\n" + body);
}

// Copies bytes both ways until either side closes. Both SSL objects are used from this one
// thread only (OpenSSL does not allow a read and a write on one SSL from two threads); a
// record already decrypted and waiting (SSL_pending) is drained before polling again.
void Splice(SSL* a, int fd_a, SSL* b, int fd_b) {
  char buf[16384];
  SSL* ssl[2] = {a, b};
  int fds[2] = {fd_a, fd_b};
  for (;;) {
    bool moved = false;
    for (int i = 0; i < 2; ++i) {
      while (SSL_pending(ssl[i]) > 0) {
        const int n = SSL_read(ssl[i], buf, sizeof(buf));
        if (n <= 0 || !WriteAll(ssl[1 - i], std::string_view(buf, static_cast<size_t>(n)))) return;
        moved = true;
      }
    }
    if (moved) continue;
    pollfd p[2] = {{fds[0], POLLIN, 0}, {fds[1], POLLIN, 0}};
    if (::poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    for (int i = 0; i < 2; ++i) {
      if ((p[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      const int n = SSL_read(ssl[i], buf, sizeof(buf));
      if (n <= 0) {
        const int err = SSL_get_error(ssl[i], n);
        if (err == SSL_ERROR_WANT_READ) continue;  // a non-application record (e.g. a ticket)
        return;
      }
      if (!WriteAll(ssl[1 - i], std::string_view(buf, static_cast<size_t>(n)))) return;
    }
  }
}

struct Head {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string rest;  // bytes after the head
};

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

StatusOr<Head> ReadHead(SSL* ssl) {
  std::string data;
  char buf[4096];
  size_t end;
  while ((end = data.find("\r\n\r\n")) == std::string::npos) {
    if (data.size() > kMaxHead) return InvalidArgument("request head too large");
    const int n = SSL_read(ssl, buf, sizeof(buf));
    if (n <= 0) return Unavailable("client closed before the request head");
    data.append(buf, static_cast<size_t>(n));
  }
  Head h;
  h.rest = data.substr(end + 4);
  std::string head = data.substr(0, end);
  size_t line_end = head.find("\r\n");
  const std::string request_line = head.substr(0, line_end);
  const size_t sp1 = request_line.find(' ');
  const size_t sp2 = request_line.rfind(' ');
  if (sp1 == std::string::npos || sp2 == sp1) return InvalidArgument("bad request line");
  h.method = request_line.substr(0, sp1);
  h.target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
  size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    size_t e = head.find("\r\n", pos);
    if (e == std::string::npos) e = head.size();
    const std::string line = head.substr(pos, e - pos);
    const size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      h.headers.emplace_back(line.substr(0, colon), value);
    }
    pos = e + 2;
  }
  return h;
}

}  // namespace

struct KubeletServer::Tls {
  SSL_CTX* server = nullptr;
  SSL_CTX* client = nullptr;
  ~Tls() {
    SSL_CTX_free(server);
    SSL_CTX_free(client);
  }
};

KubeletServer::KubeletServer(KubeletServerOptions options) : options_(std::move(options)) {}

KubeletServer::~KubeletServer() { Stop(); }

StatusOr<int> KubeletServer::Start() {
  tls_ = std::make_unique<Tls>();
  tls_->server = SSL_CTX_new(TLS_server_method());
  tls_->client = SSL_CTX_new(TLS_client_method());
  if (tls_->server == nullptr || tls_->client == nullptr) return Internal(OpenSslError("kubelet: ssl context"));
  SSL_CTX_set_min_proto_version(tls_->server, TLS1_2_VERSION);
  if (!UseCertAndKey(tls_->server, nullptr, options_.serving_cert_pem, options_.serving_key_pem)) {
    return Internal(OpenSslError("kubelet: load serving certificate"));
  }
  if (!LoadPemIntoStore(SSL_CTX_get_cert_store(tls_->server), options_.ca_pem)) {
    return InvalidArgument("kubelet: no CA certificate to verify clients with");
  }
  SSL_CTX_set_verify(tls_->server, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  if (options_.host.insecure_skip_tls_verify) {
    SSL_CTX_set_verify(tls_->client, SSL_VERIFY_NONE, nullptr);
  } else {
    SSL_CTX_set_verify(tls_->client, SSL_VERIFY_PEER, nullptr);
    if (options_.host.ca_pem.empty()) {
      SSL_CTX_set_default_verify_paths(tls_->client);
    } else if (!LoadPemIntoStore(SSL_CTX_get_cert_store(tls_->client), options_.host.ca_pem)) {
      return InvalidArgument("kubelet: the host CA does not parse");
    }
  }

  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) return Internal(std::string("kubelet: socket: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(options_.port));
  if (::inet_pton(AF_INET, options_.address.c_str(), &addr.sin_addr) != 1) {
    return InvalidArgument("kubelet: bad address " + options_.address);
  }
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(listen_fd_, 64) != 0) {
    const std::string err = std::strerror(errno);
    ::close(listen_fd_);
    listen_fd_ = -1;
    return Unavailable("kubelet: listen on " + options_.address + ":" +
                       std::to_string(options_.port) + ": " + err);
  }
  socklen_t len = sizeof(addr);
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  if (::pipe2(wake_fds_, O_CLOEXEC) != 0) return Internal("kubelet: pipe");
  thread_ = std::thread([this] { Serve(); });
  return static_cast<int>(ntohs(addr.sin_port));
}

void KubeletServer::Stop() {
  if (!thread_.joinable()) return;
  (void)!::write(wake_fds_[1], "x", 1);
  thread_.join();
  {
    std::lock_guard lock(mu_);
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
  }
  while (active_.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ::close(listen_fd_);
  ::close(wake_fds_[0]);
  ::close(wake_fds_[1]);
  listen_fd_ = -1;
}

void KubeletServer::Serve() {
  for (;;) {
    pollfd p[2] = {{listen_fd_, POLLIN, 0}, {wake_fds_[0], POLLIN, 0}};
    if (::poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (p[1].revents != 0) return;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    ++active_;
    {
      std::lock_guard lock(mu_);
      open_fds_.insert(fd);
    }
    std::thread([this, fd] {
      Handle(fd);
      {
        std::lock_guard lock(mu_);
        open_fds_.erase(fd);
      }
      ::close(fd);
      --active_;
    }).detach();
  }
}

void KubeletServer::Handle(int fd) {
  SslPtr client(SSL_new(tls_->server), SSL_free);
  SSL_set_fd(client.get(), fd);
  if (SSL_accept(client.get()) != 1) {
    VC_LOG(Debug) << OpenSslError("kubelet: TLS handshake");
    return;
  }
  X509* peer = SSL_get1_peer_certificate(client.get());
  char cn[256] = {0};
  if (peer != nullptr) {
    X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, cn, sizeof(cn));
    X509_free(peer);
  }
  // The request is read before any answer: closing with unread bytes would reset the
  // connection and the client would never see why it was refused.
  auto head = ReadHead(client.get());
  if (!head.ok()) {
    Answer(client.get(), 400, "Bad Request", head.status().message() + "\n");
    return;
  }
  if (options_.client_common_name != cn) {
    Answer(client.get(), 403, "Forbidden", "kubelet: client " + std::string(cn) + " may not use this API\n");
    return;
  }
  if (head->target == "/healthz") {
    Answer(client.get(), 200, "OK", "ok\n");
    return;
  }
  auto request = ParseKubeletTarget(head->target);
  if (!request.ok()) {
    Answer(client.get(), 404, "Not Found", request.status().message() + "\n");
    return;
  }
  const std::string target = HostTarget(*request, options_.tenant);
  VC_LOG(Info) << "kubelet: " << head->method << " " << head->target << " -> " << target;

  // Fail closed: a request goes to the host only with the syncer's own credential. Without it
  // the host would see an anonymous request (and a host that grants anonymous more than
  // nothing would serve it).
  kube::Credentials creds;
  Status credential = Unavailable("no host credential is configured");
  if (options_.host.credentials != nullptr) {
    auto got = options_.host.credentials->Get(false);
    if (!got.ok()) {
      credential = got.status();
    } else if (got->bearer_token.empty() && got->client_cert_pem.empty() &&
               got->username.empty()) {
      credential = Unavailable("the host credential is empty");
    } else {
      creds = *got;
      credential = Status::Ok();
    }
  }
  if (!credential.ok()) {
    VC_LOG(Error) << "kubelet: refusing " << head->target << ": " << credential.ToString();
    Answer(client.get(), 503, "Service Unavailable",
           "kubelet: cannot load the syncer's host credential (" + credential.message() +
               "); refusing to relay without it\n");
    return;
  }
  auto endpoint = ParseServer(options_.host.server);
  const int host_fd = endpoint.ok() ? Connect(*endpoint) : -1;
  if (host_fd < 0) {
    Answer(client.get(), 502, "Bad Gateway", "kubelet: cannot reach the host API server\n");
    return;
  }
  {
    std::lock_guard lock(mu_);
    open_fds_.insert(host_fd);
  }
  SslPtr host(SSL_new(tls_->client), SSL_free);
  SSL_set_fd(host.get(), host_fd);
  const std::string sni = options_.host.tls_server_name.empty() ? endpoint->host : options_.host.tls_server_name;
  SSL_set_tlsext_host_name(host.get(), sni.c_str());
  X509_VERIFY_PARAM_set1_host(SSL_get0_param(host.get()), sni.c_str(), 0);
  if (sni.find_first_not_of("0123456789.") == std::string::npos || sni.find(':') != std::string::npos) {
    X509_VERIFY_PARAM_set1_host(SSL_get0_param(host.get()), nullptr, 0);
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(host.get()), sni.c_str());
  }
  if (!creds.client_cert_pem.empty()) {
    UseCertAndKey(nullptr, host.get(), creds.client_cert_pem, creds.client_key_pem);
  }
  bool ok = SSL_connect(host.get()) == 1;
  if (ok) {
    bool upgrade = false;
    std::string out = head->method + " " + target + " HTTP/1.1\r\nHost: " + endpoint->host + ":" +
                      endpoint->port + "\r\n";
    for (const auto& [k, v] : head->headers) {
      const std::string key = Lower(k);
      if (key == "host" || key == "authorization" || key == "connection") continue;
      if (key == "upgrade") upgrade = true;
      out += k + ": " + v + "\r\n";
    }
    if (!creds.bearer_token.empty()) {
      out += "Authorization: Bearer " + creds.bearer_token + "\r\n";
    } else if (!creds.username.empty()) {
      out += "Authorization: Basic " + Base64Encode(creds.username + ":" + creds.password) + "\r\n";
    }
    // Without an upgrade the relay serves exactly one request: the next one on a kept-alive
    // connection would go to the host unrewritten.
    out += upgrade ? "Connection: Upgrade\r\n\r\n" : "Connection: close\r\n\r\n";
    ok = WriteAll(host.get(), out) && WriteAll(host.get(), head->rest);
  }
  if (!ok) {
    VC_LOG(Warning) << OpenSslError("kubelet: relay to the host API server");
    Answer(client.get(), 502, "Bad Gateway", "kubelet: the host API server refused the relay\n");
  } else {
    Splice(client.get(), fd, host.get(), host_fd);
  }
  {
    std::lock_guard lock(mu_);
    open_fds_.erase(host_fd);
  }
  SSL_shutdown(host.get());
  ::close(host_fd);
  SSL_shutdown(client.get());
}

}  // namespace vc::syncer::kubelet
