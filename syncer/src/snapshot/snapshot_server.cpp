// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/snapshot/snapshot_server.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <list>
#include <nlohmann/json.hpp>
#include <thread>

#include "tls_http.h"
#include "vc/log.h"
#include "vc/syncer/snapshot/data_archive.h"
#include "vc/syncer/snapshot/restore_swap.h"

namespace vc::syncer::snapshot {
namespace {

using nlohmann::json;

constexpr const char* kJson = "application/json";

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr auto kHandshakeAndHead = std::chrono::seconds(15);
// A restore upload may pause while the source is slow; minutes, not forever.
constexpr auto kIdle = std::chrono::seconds(300);

std::string OpenSslError() {
  char buf[256];
  ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
  return buf;
}

int HttpStatusFor(const Status& s) {
  switch (s.code()) {
    case Code::kInvalidArgument:
      return 400;
    case Code::kNotFound:
      return 404;
    case Code::kFailedPrecondition:
      return s.message().find("no space left") != std::string::npos ? 507 : 412;
    default:
      return 500;
  }
}

std::string ErrorBody(const Status& s) { return json{{"message", s.message()}}.dump(); }

// The client presented a certificate the CA signed (OpenSSL verified that); it must also be
// an admin's: O=system:masters, what the apiserver itself would grant everything.
bool IsAdmin(SSL* ssl) {
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (!cert) return false;
  bool admin = false;
  X509_NAME* subject = X509_get_subject_name(cert);
  int i = -1;
  while ((i = X509_NAME_get_index_by_NID(subject, NID_organizationName, i)) >= 0) {
    ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i));
    const std::string o(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)),
                        static_cast<size_t>(ASN1_STRING_length(data)));
    admin |= o == "system:masters";
  }
  X509_free(cert);
  return admin;
}

StatusOr<std::optional<vc::snapshot::EncryptionKey>> KeyFrom(const json& body) {
  const std::string hex = body.value("encryptionKey", "");
  if (hex.empty()) return std::optional<vc::snapshot::EncryptionKey>();
  ASSIGN_OR_RETURN(auto key, vc::snapshot::ParseEncryptionKey(hex));
  return std::optional(key);
}

StatusOr<json> JsonBody(TlsHttpExchange& http, size_t limit) {
  ASSIGN_OR_RETURN(std::string text, http.ReadSmallBody(limit));
  json body = json::parse(text, nullptr, false);
  if (!body.is_object()) return InvalidArgument("request body is not a JSON object");
  return body;
}

StatusOr<std::string> InsideData(const std::string& data_dir, const std::string& rel) {
  if (!SafeEntryPath(rel)) {
    return InvalidArgument("container path \"" + rel +
                           "\": use a path under /data (container:///data/snapshots/NAME)");
  }
  return data_dir + "/" + rel;
}

}  // namespace

struct SnapshotServer::Impl {
  asio::ssl::context tls{asio::ssl::context::tls_server};
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::list<std::unique_ptr<Connection>> connections;
};

// One accepted connection and the thread serving it. The watchdog (Serve's thread) reads the
// atomics and may shut the socket down under a blocked read: shutdown(2) is safe against
// another thread's recv, and the socket is closed only once that thread has been joined.
struct SnapshotServer::Connection {
  Connection(tcp::socket socket, asio::ssl::context& tls) : stream(std::move(socket), tls) {}
  TlsSocket stream;
  std::atomic<Clock::rep> last_progress{Clock::now().time_since_epoch().count()};
  std::atomic<bool> head_read{false};
  std::atomic<bool> done{false};
  Clock::time_point accepted = Clock::now();
  std::thread thread;

  void Progress() { last_progress = Clock::now().time_since_epoch().count(); }
  void ShutDown() { ::shutdown(stream.next_layer().native_handle(), SHUT_RDWR); }
  bool Stuck(Clock::time_point now) const {
    if (!head_read) return now - accepted > kHandshakeAndHead;
    return now - Clock::time_point(Clock::duration(last_progress.load())) > kIdle;
  }
};

SnapshotServer::SnapshotServer(SnapshotServerOptions options)
    : options_(std::move(options)), impl_(std::make_unique<Impl>()) {}

SnapshotServer::~SnapshotServer() {
  for (auto& c : impl_->connections) {
    c->ShutDown();
    if (c->thread.joinable()) c->thread.join();
  }
}

Status SnapshotServer::Start() {
  const std::string pki = options_.data_dir + "/pki/";
  SSL_CTX* ctx = impl_->tls.native_handle();
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  if (SSL_CTX_use_certificate_chain_file(ctx, (pki + "apiserver.crt").c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx, (pki + "apiserver.key").c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_load_verify_locations(ctx, (pki + "ca.crt").c_str(), nullptr) != 1) {
    return FailedPrecondition("snapshot server: load " + pki + "{apiserver,ca}: " + OpenSslError() +
                              " (did vc-syncer init run?)");
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);

  boost::system::error_code ec;
  const auto address = asio::ip::make_address(options_.address, ec);
  if (ec) return InvalidArgument("snapshot server: bad address " + options_.address);
  const tcp::endpoint at(address, static_cast<uint16_t>(options_.port));
  auto& acceptor = impl_->acceptor;
  acceptor.open(at.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(at, ec);
  if (!ec) acceptor.listen(4, ec);
  if (ec) {
    acceptor.close();
    return Unavailable("snapshot server: listen on " + options_.address + ":" +
                       std::to_string(options_.port) + ": " + ec.message());
  }
  port_ = acceptor.local_endpoint().port();
  VC_LOG(Info) << "snapshot server on https://" << options_.address << ":" << port_;
  return Status::Ok();
}

void SnapshotServer::Serve(const CancelToken& cancel) {
  // A thread per connection: a port-forward may open connections that never speak (a client
  // that gave up), and one of those must not hold up the next. The work itself (a backup, a
  // staging) runs one at a time under work_mu_. This loop accepts and is the watchdog.
  auto& connections = impl_->connections;
  while (!cancel.cancelled()) {
    const auto now = Clock::now();
    for (auto it = connections.begin(); it != connections.end();) {
      Connection& c = **it;
      if (c.done) {
        c.thread.join();
        it = connections.erase(it);
        continue;
      }
      if (c.Stuck(now)) c.ShutDown();
      ++it;
    }
    pollfd p{impl_->acceptor.native_handle(), POLLIN, 0};
    if (::poll(&p, 1, 500) <= 0) continue;
    boost::system::error_code ec;
    tcp::socket socket = impl_->acceptor.accept(ec);
    if (ec) continue;
    if (connections.size() >= static_cast<size_t>(kMaxConnections)) {
      VC_LOG(Warning) << "snapshot server: " << kMaxConnections
                      << " connections are open; closing a new one";
      continue;  // the socket closes here
    }
    auto connection = std::make_unique<Connection>(std::move(socket), impl_->tls);
    Connection* c = connection.get();
    connections.push_back(std::move(connection));
    c->thread = std::thread([this, c] {
      Handle(*c);
      c->done = true;
    });
  }
  for (auto& c : connections) c->ShutDown();
  for (auto& c : connections) c->thread.join();
  connections.clear();
}

StatusOr<json> SnapshotServer::Snapshot(TlsHttpExchange& http, bool* streamed) {
  ASSIGN_OR_RETURN(json body, JsonBody(http, 4 << 20));
  ASSIGN_OR_RETURN(auto key, KeyFrom(body));
  const ArchiveRequest archive{options_.data_dir, body.value("meta", json::object()), key};
  if (!body.contains("to")) {
    return WriteDataArchive(archive, [&](const char* d, size_t n) -> Status {
      if (!*streamed) {
        RETURN_IF_ERROR(http.BeginStream(vc::snapshot::kMediaTypeArchive));
        *streamed = true;
      }
      return http.Send(d, n);
    });
  }
  // container:///data/REL: written next to its final name, renamed when complete.
  ASSIGN_OR_RETURN(std::string path, InsideData(options_.data_dir, body.value("to", "")));
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  const std::string tmp = path + ".partial";
  FILE* out = std::fopen(tmp.c_str(), "wb");
  if (!out) return NotFound("create " + tmp + ": " + std::strerror(errno));
  auto full = [&] {
    return FailedPrecondition("write " + tmp + ": no space left on the pod's data volume");
  };
  uint64_t bytes = 0;
  auto meta = WriteDataArchive(archive, [&](const char* d, size_t n) -> Status {
    bytes += n;
    if (std::fwrite(d, 1, n, out) == n) return Status::Ok();
    return errno == ENOSPC ? full() : Internal("write " + tmp + ": " + std::strerror(errno));
  });
  if (meta.ok() && (std::fflush(out) != 0 || ::fsync(fileno(out)) != 0)) meta = full();
  std::fclose(out);
  if (meta.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) {
    meta = Internal("rename " + tmp + ": " + std::strerror(errno));
  }
  if (!meta.ok()) {
    ::unlink(tmp.c_str());
    return meta.status();
  }
  return json{{"bytes", bytes}, {"meta", *meta}};
}

StatusOr<json> SnapshotServer::RestoreFromFile(TlsHttpExchange& http) {
  ASSIGN_OR_RETURN(json body, JsonBody(http, 1 << 20));
  ASSIGN_OR_RETURN(auto key, KeyFrom(body));
  ASSIGN_OR_RETURN(std::string path, InsideData(options_.data_dir, body.value("from", "")));
  FILE* in = std::fopen(path.c_str(), "rb");
  if (!in) {
    return NotFound("container:///data/" + body.value("from", "") + ": no such file in the pod");
  }
  auto meta = StageRestore(
      options_.data_dir,
      [&](char* d, size_t n) -> StatusOr<size_t> {
        const size_t got = std::fread(d, 1, n, in);
        if (got == 0 && std::ferror(in)) return Internal("read " + path);
        return got;
      },
      key);
  std::fclose(in);
  return meta;
}

void SnapshotServer::Handle(Connection& connection) {
  boost::system::error_code ec;
  connection.stream.handshake(asio::ssl::stream_base::server, ec);
  if (ec) {
    VC_LOG(Warning) << "snapshot server: TLS handshake failed: " << ec.message();
    return;
  }
  SSL* ssl = connection.stream.native_handle();
  TlsHttpExchange http(connection.stream, [&connection] { connection.Progress(); });
  HttpRequest request;
  Status s = http.ReadRequest(&request);
  connection.head_read = true;
  if (!s.ok()) {
    (void)http.Respond(400, kJson, ErrorBody(s));
  } else if (!IsAdmin(ssl)) {
    // Read what the client sends first: closing on unread data resets the connection, and the
    // client would see that instead of this answer.
    http.DrainBody();
    (void)http.Respond(
        403, kJson,
        ErrorBody(
            Status(Code::kForbidden,
                   "the snapshot endpoint takes only the virtual cluster's admin certificate")));
  } else if (request.path == "/restore/status" && request.method == "GET") {
    auto result = ReadRestoreResult(options_.data_dir);
    (void)http.Respond(result.ok() ? 200 : HttpStatusFor(result.status()), kJson,
                       result.ok() ? result->dump() : ErrorBody(result.status()));
  } else if (request.path != "/snapshot" && request.path != "/restore") {
    http.DrainBody();
    (void)http.Respond(404, kJson, ErrorBody(NotFound("no such endpoint")));
  } else if (std::unique_lock busy(work_mu_, std::try_to_lock); !busy.owns_lock()) {
    http.DrainBody();
    (void)http.Respond(409, kJson,
                       ErrorBody(Status(Code::kConflict,
                                        "another snapshot or restore of this virtual cluster is "
                                        "running; try again when it is done")));
  } else {
    VC_LOG(Info) << "snapshot server: " << request.method << " " << request.path;
    bool streamed = false;
    StatusOr<json> answer = NotFound("no such endpoint");
    if (request.path == "/snapshot" && request.method == "POST") {
      answer = Snapshot(http, &streamed);
    } else if (request.path == "/restore" && request.method == "PUT") {
      answer = StageRestore(
          options_.data_dir, [&](char* d, size_t n) { return http.ReadBody(d, n); }, std::nullopt);
    } else if (request.path == "/restore" && request.method == "POST") {
      answer = RestoreFromFile(http);
    }
    if (streamed) {
      // The status line went out with the first byte: a cut stream is what the client sees,
      // and the archive format makes that a clear "truncated" there.
      if (!answer.ok()) VC_LOG(Warning) << "snapshot stream failed: " << answer.status().message();
    } else if (!answer.ok()) {
      VC_LOG(Warning) << "snapshot server: " << request.method << " " << request.path << ": "
                      << answer.status().message();
      http.DrainBody();
      (void)http.Respond(HttpStatusFor(answer.status()), kJson, ErrorBody(answer.status()));
    } else {
      (void)http.Respond(200, kJson, answer->dump());
    }
  }
  // close_notify and a FIN, without waiting for the client's: a streamed archive ends where
  // the connection does, and the client is waiting for exactly that.
  SSL_shutdown(ssl);
  ::shutdown(connection.stream.next_layer().native_handle(), SHUT_WR);
}

}  // namespace vc::syncer::snapshot
