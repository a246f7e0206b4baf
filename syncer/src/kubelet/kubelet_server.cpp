// SPDX-License-Identifier: Apache-2.0
// The relay on Boost.Beast and Asio: one I/O thread runs every connection as a chain of
// asynchronous steps (no thread per connection), Beast parses the request head (limits,
// field syntax), and Stop closes every socket from the I/O thread and joins it.
//
//   accept -> TLS handshake (client certificate of the cluster CA) -> read the head (15 s for
//   both) -> refuse (403/400/404/503/502) or connect to the host API server -> write the
//   rewritten head -> copy bytes both ways until either side ends.
#include "vc/syncer/kubelet/kubelet_server.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <list>
#include <thread>

#include "vc/base64.h"
#include "vc/kube/credential_providers.h"
#include "vc/log.h"
#include "vc/syncer/kubelet/kubelet_request.h"

namespace vc::syncer::kubelet {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

constexpr size_t kMaxHead = 32 * 1024;
constexpr auto kHandshakeAndHead = std::chrono::seconds(15);

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
    if (close == std::string::npos)
      return InvalidArgument("kubelet relay: bad host server " + server);
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

bool UseCertAndKey(SSL_CTX* ctx, SSL* ssl, const std::string& cert_pem,
                   const std::string& key_pem) {
  BIO* cb = BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size()));
  X509* cert = PEM_read_bio_X509(cb, nullptr, nullptr, nullptr);
  BIO_free(cb);
  BIO* kb = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(kb, nullptr, nullptr, nullptr);
  BIO_free(kb);
  bool ok = cert != nullptr && key != nullptr;
  if (ok && ctx != nullptr)
    ok = SSL_CTX_use_certificate(ctx, cert) == 1 && SSL_CTX_use_PrivateKey(ctx, key) == 1;
  if (ok && ssl != nullptr)
    ok = SSL_use_certificate(ssl, cert) == 1 && SSL_use_PrivateKey(ssl, key) == 1;
  X509_free(cert);
  EVP_PKEY_free(key);
  return ok;
}

std::string PeerCommonName(SSL* ssl) {
  X509* peer = SSL_get1_peer_certificate(ssl);
  char cn[256] = {0};
  if (peer != nullptr) {
    X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, cn, sizeof(cn));
    X509_free(peer);
  }
  return cn;
}

// The host's credential, or why there is none. Fail closed: a request goes to the host only
// with the syncer's own credential; without it the host would see an anonymous request (and a
// host that grants anonymous more than nothing would serve it).
StatusOr<kube::Credentials> HostCredential(const kube::RestConfig& host) {
  if (host.credentials == nullptr) return Unavailable("no host credential is configured");
  ASSIGN_OR_RETURN(kube::Credentials creds, host.credentials->Get(false));
  if (creds.bearer_token.empty() && creds.client_cert_pem.empty() && creds.username.empty()) {
    return Unavailable("the host credential is empty");
  }
  // The relay writes the Authorization header itself: a token that could end the line would
  // add headers of its own.
  RETURN_IF_ERROR(kube::CheckBearerToken(creds.bearer_token, "the syncer's host credential"));
  return creds;
}

}  // namespace

// Everything that lives on the I/O thread. Sessions are touched only from it (one thread: an
// implicit strand), so neither they nor `sessions` need a lock.
struct KubeletServer::Impl {
  explicit Impl(KubeletServerOptions o) : options(std::move(o)) {}

  class Session;
  void Accept();

  KubeletServerOptions options;
  asio::ssl::context server_tls{asio::ssl::context::tls_server};
  asio::ssl::context client_tls{asio::ssl::context::tls_client};
  asio::io_context io;  // after the contexts: its handlers (and their sessions) go first
  tcp::acceptor acceptor{io};
  std::list<std::weak_ptr<Session>> sessions;
  bool stopping = false;
  std::thread thread;
};

class KubeletServer::Impl::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Impl& server, tcp::socket socket)
      : server_(server),
        client_(std::move(socket), server.server_tls),
        host_(server.io, server.client_tls),
        resolver_(server.io) {
    parser_.header_limit(kMaxHead);
  }

  void Start() {
    beast::get_lowest_layer(client_).expires_after(kHandshakeAndHead);
    client_.async_handshake(asio::ssl::stream_base::server,
                            [self = shared_from_this()](beast::error_code ec) {
                              if (ec) {
                                VC_LOG(Debug) << "kubelet: TLS handshake: " << ec.message();
                                return self->Close();
                              }
                              self->ReadHead();
                            });
  }

  void Close() {
    beast::error_code ignored;
    beast::get_lowest_layer(client_).socket().close(ignored);
    beast::get_lowest_layer(host_).socket().close(ignored);
    resolver_.cancel();
  }

 private:
  void ReadHead() {
    http::async_read_header(
        client_, buffer_, parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHead(ec); });
  }

  // The request is read before any answer: closing with unread bytes would reset the
  // connection, and the client would never see why it was refused.
  void OnHead(beast::error_code ec) {
    if (ec) return Answer(http::status::bad_request, "kubelet: bad request head: " + ec.message());
    const auto& head = parser_.get();
    const std::string cn = PeerCommonName(client_.native_handle());
    if (cn != server_.options.client_common_name) {
      return Answer(http::status::forbidden, "kubelet: client " + cn + " may not use this API");
    }
    const std::string path(head.target());
    if (path == "/healthz") return Answer(http::status::ok, "ok");
    auto request = ParseKubeletTarget(path);
    if (!request.ok()) {
      return Answer(request.status().code() == Code::kNotFound ? http::status::not_found
                                                               : http::status::bad_request,
                    request.status().message());
    }
    // The relay carries no request body: none of the kubelet's streaming calls has one, and
    // a body would travel to the host unparsed.
    if (head.chunked() ||
        (head.has_content_length() && parser_.content_length().value_or(0) != 0)) {
      return Answer(http::status::bad_request, "kubelet: the relay takes no request body");
    }
    target_ = HostTarget(*request, server_.options.tenant);
    VC_LOG(Info) << "kubelet: " << head.method_string() << " " << path << " -> " << target_;

    auto creds = HostCredential(server_.options.host);
    if (!creds.ok()) {
      VC_LOG(Error) << "kubelet: refusing " << path << ": " << creds.status().ToString();
      return Answer(http::status::service_unavailable,
                    "kubelet: cannot load the syncer's host credential (" +
                        creds.status().message() + "); refusing to relay without it");
    }
    creds_ = std::move(*creds);
    auto endpoint = ParseServer(server_.options.host.server);
    if (!endpoint.ok()) return Answer(http::status::bad_gateway, endpoint.status().message());
    endpoint_ = *endpoint;
    resolver_.async_resolve(
        endpoint_.host, endpoint_.port,
        [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type r) {
          if (ec) return self->Unreachable(ec);
          beast::get_lowest_layer(self->host_).expires_after(kHandshakeAndHead);
          beast::get_lowest_layer(self->host_)
              .async_connect(r, [self](beast::error_code ec, const tcp::endpoint&) {
                if (ec) return self->Unreachable(ec);
                self->HostHandshake();
              });
        });
  }

  void HostHandshake() {
    const auto& host = server_.options.host;
    SSL* ssl = host_.native_handle();
    const std::string name = host.tls_server_name.empty() ? endpoint_.host : host.tls_server_name;
    const bool ip = name.find_first_not_of("0123456789.") == std::string::npos ||
                    name.find(':') != std::string::npos;
    if (!ip) SSL_set_tlsext_host_name(ssl, name.c_str());
    if (host.insecure_skip_tls_verify) {
      SSL_set_verify(ssl, SSL_VERIFY_NONE, nullptr);
    } else {
      SSL_set_verify(ssl, SSL_VERIFY_PEER, nullptr);
      if (ip) {
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name.c_str());
      } else {
        X509_VERIFY_PARAM_set1_host(SSL_get0_param(ssl), name.c_str(), 0);
      }
    }
    if (!creds_.client_cert_pem.empty() &&
        !UseCertAndKey(nullptr, ssl, creds_.client_cert_pem, creds_.client_key_pem)) {
      VC_LOG(Error) << OpenSslError("kubelet: the host client certificate does not load");
      return Answer(
          http::status::service_unavailable,
          "kubelet: the syncer's host client certificate does not load; refusing to relay");
    }
    host_.async_handshake(asio::ssl::stream_base::client,
                          [self = shared_from_this()](beast::error_code ec) {
                            if (ec) return self->Unreachable(ec);
                            self->WriteHead();
                          });
  }

  void WriteHead() {
    const auto& head = parser_.get();
    bool upgrade = false;
    const bool v6 = endpoint_.host.find(':') != std::string::npos;
    std::string out = std::string(head.method_string()) + " " + target_ +
                      " HTTP/1.1\r\nHost: " + (v6 ? "[" + endpoint_.host + "]" : endpoint_.host) +
                      ":" + endpoint_.port + "\r\n";
    for (const auto& field : head) {
      const auto name = field.name_string();
      if (!IsRelayedHeader(std::string_view(name.data(), name.size()))) continue;
      if (field.name() == http::field::upgrade) upgrade = true;
      out += std::string(field.name_string()) + ": " + std::string(field.value()) + "\r\n";
    }
    if (!creds_.bearer_token.empty()) {
      out += "Authorization: Bearer " + creds_.bearer_token + "\r\n";
    } else if (!creds_.username.empty()) {
      out +=
          "Authorization: Basic " + Base64Encode(creds_.username + ":" + creds_.password) + "\r\n";
    }
    // Without an upgrade the relay serves exactly one request: the next one on a kept-alive
    // connection would go to the host unrewritten.
    out += upgrade ? "Connection: Upgrade\r\n\r\n" : "Connection: close\r\n\r\n";
    // Bytes the client sent after the head (the first frames of an upgraded stream) follow it.
    out += beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    out_ = std::move(out);
    asio::async_write(host_, asio::buffer(out_),
                      [self = shared_from_this(), upgrade](beast::error_code ec, size_t) {
                        if (ec) return self->Unreachable(ec);
                        self->out_.clear();
                        beast::get_lowest_layer(self->client_).expires_never();
                        beast::get_lowest_layer(self->host_).expires_never();
                        self->Pump(self->client_, self->host_, self->up_, false);
                        // A plain answer's chunked end goes on in a record of its own.
                        self->Pump(self->host_, self->client_, self->down_, !upgrade);
                      });
  }

  // Copies from `from` to `to` until either ends; then the session ends both ways. With
  // `split_end`, a read that ends a chunked body is written in two parts, the end alone (see
  // ChunkedBodyEndSplit).
  void Pump(TlsStream& from, TlsStream& to, std::array<char, 16384>& buf, bool split_end) {
    from.async_read_some(asio::buffer(buf), [self = shared_from_this(), &from, &to, &buf,
                                             split_end](beast::error_code ec, size_t n) {
      if (ec) return self->Close();
      const size_t split = split_end ? ChunkedBodyEndSplit(std::string_view(buf.data(), n)) : n;
      self->Forward(from, to, buf, 0, split, n, split_end);
    });
  }

  // Writes buf[begin, split), then buf[split, n) apart, then reads on.
  void Forward(TlsStream& from, TlsStream& to, std::array<char, 16384>& buf, size_t begin,
               size_t split, size_t n, bool split_end) {
    asio::async_write(to, asio::buffer(buf.data() + begin, split - begin),
                      [self = shared_from_this(), &from, &to, &buf, split, n, split_end](
                          beast::error_code ec, size_t) {
                        if (ec) return self->Close();
                        if (split < n) return self->Forward(from, to, buf, split, n, n, split_end);
                        self->Pump(from, to, buf, split_end);
                      });
  }

  void Unreachable(beast::error_code ec) {
    if (server_.stopping) return Close();
    VC_LOG(Warning) << OpenSslError("kubelet: relay to the host API server: " + ec.message());
    Answer(http::status::bad_gateway, "kubelet: cannot reach the host API server");
  }

  void Answer(http::status status, const std::string& body) {
    auto res = std::make_shared<http::response<http::string_body>>(status, 11);
    res->set(http::field::content_type, "text/plain");
    res->set(http::field::connection, "close");
    res->body() = body + "\n";
    res->prepare_payload();
    beast::get_lowest_layer(client_).expires_after(kHandshakeAndHead);
    http::async_write(client_, *res,
                      [self = shared_from_this(), res](beast::error_code ec, size_t) {
                        if (ec) return self->Close();
                        self->client_.async_shutdown([self](beast::error_code) { self->Close(); });
                      });
  }

  Impl& server_;
  TlsStream client_;
  TlsStream host_;
  tcp::resolver resolver_;
  beast::flat_buffer buffer_;
  http::request_parser<http::empty_body> parser_;
  std::string target_;
  kube::Credentials creds_;
  Endpoint endpoint_;
  std::string out_;
  std::array<char, 16384> up_{};
  std::array<char, 16384> down_{};
};

void KubeletServer::Impl::Accept() {
  acceptor.async_accept(io, [this](beast::error_code ec, tcp::socket socket) {
    if (stopping || !acceptor.is_open()) return;
    if (!ec) {
      auto session = std::make_shared<Session>(*this, std::move(socket));
      sessions.remove_if([](const std::weak_ptr<Session>& s) { return s.expired(); });
      sessions.push_back(session);
      session->Start();
    }
    Accept();
  });
}

KubeletServer::KubeletServer(KubeletServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

KubeletServer::~KubeletServer() { Stop(); }

StatusOr<int> KubeletServer::Start() {
  const KubeletServerOptions& o = impl_->options;
  SSL_CTX* server = impl_->server_tls.native_handle();
  SSL_CTX* client = impl_->client_tls.native_handle();
  SSL_CTX_set_min_proto_version(server, TLS1_2_VERSION);
  if (!UseCertAndKey(server, nullptr, o.serving_cert_pem, o.serving_key_pem)) {
    return Internal(OpenSslError("kubelet: load serving certificate"));
  }
  if (!LoadPemIntoStore(SSL_CTX_get_cert_store(server), o.ca_pem)) {
    return InvalidArgument("kubelet: no CA certificate to verify clients with");
  }
  SSL_CTX_set_verify(server, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  if (!o.host.insecure_skip_tls_verify) {
    if (o.host.ca_pem.empty()) {
      SSL_CTX_set_default_verify_paths(client);
    } else if (!LoadPemIntoStore(SSL_CTX_get_cert_store(client), o.host.ca_pem)) {
      return InvalidArgument("kubelet: the host CA does not parse");
    }
  }

  beast::error_code ec;
  const auto address = asio::ip::make_address(o.address, ec);
  if (ec) return InvalidArgument("kubelet: bad address " + o.address);
  const tcp::endpoint at(address, static_cast<uint16_t>(o.port));
  impl_->acceptor.open(at.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(at, ec);
  if (!ec) impl_->acceptor.listen(64, ec);
  if (ec) {
    impl_->acceptor.close();
    return Unavailable("kubelet: listen on " + o.address + ":" + std::to_string(o.port) + ": " +
                       ec.message());
  }
  const int port = impl_->acceptor.local_endpoint().port();
  impl_->Accept();
  impl_->thread = std::thread([this] { impl_->io.run(); });
  return port;
}

void KubeletServer::Stop() {
  if (!impl_->thread.joinable()) return;
  // On the I/O thread: stop accepting and close every session's sockets; their pending
  // operations end with operation_aborted, and run() returns when nothing is left.
  asio::post(impl_->io, [impl = impl_.get()] {
    impl->stopping = true;
    beast::error_code ignored;
    impl->acceptor.close(ignored);
    for (auto& weak : impl->sessions) {
      if (auto session = weak.lock()) session->Close();
    }
  });
  impl_->thread.join();
}

}  // namespace vc::syncer::kubelet
