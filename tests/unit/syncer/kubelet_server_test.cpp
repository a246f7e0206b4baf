// SPDX-License-Identifier: Apache-2.0
// The kubelet API's door: only a client certificate from the cluster CA with the apiserver's
// kubelet-client CN gets in; anything else is refused before a request reaches the host.
// Real TLS over loopback; the host is never contacted (only /healthz and refusals are asked).
#include "vc/syncer/kubelet/kubelet_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "vc/kube/credential_providers.h"
#include "vc/syncer/pki/certificate.h"

namespace vc::syncer::kubelet {
namespace {

using pki::CertificateSpec;

struct Pki {
  pki::CertificateAuthority ca;
  pki::KeyAndCertificate serving;
};

Pki MakePki(const std::string& cn) {
  auto ca = pki::CreateCertificateAuthority(cn, pki::WallClock::now());
  EXPECT_TRUE(ca.ok());
  auto serving = pki::IssueCertificate(
      *ca,
      CertificateSpec{
          .subject = {"kubelet", {}}, .ip_addresses = {"127.0.0.1"}, .server_auth = true},
      pki::WallClock::now());
  EXPECT_TRUE(serving.ok());
  return {*ca, *serving};
}

// A TLS context presenting `kc` (or nothing, when null), verifying no peer.
SSL_CTX* ContextWith(const SSL_METHOD* method, const pki::KeyAndCertificate* kc) {
  SSL_CTX* ctx = SSL_CTX_new(method);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  if (kc == nullptr) return ctx;
  BIO* cb =
      BIO_new_mem_buf(kc->certificate_pem.data(), static_cast<int>(kc->certificate_pem.size()));
  X509* cert = PEM_read_bio_X509(cb, nullptr, nullptr, nullptr);
  BIO* kb =
      BIO_new_mem_buf(kc->private_key_pem.data(), static_cast<int>(kc->private_key_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(kb, nullptr, nullptr, nullptr);
  SSL_CTX_use_certificate(ctx, cert);
  SSL_CTX_use_PrivateKey(ctx, key);
  X509_free(cert);
  EVP_PKEY_free(key);
  BIO_free(cb);
  BIO_free(kb);
  return ctx;
}

// GET `path` with `client` (may be empty: no certificate); the status line, or "" when the
// TLS handshake or the exchange failed.
std::string Get(int port, const pki::KeyAndCertificate* client,
                const std::string& path = "/healthz") {
  SSL_CTX* ctx = ContextWith(TLS_client_method(), client);
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string status;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    const std::string request = "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n";
    if (SSL_connect(ssl) == 1 &&
        SSL_write(ssl, request.data(), static_cast<int>(request.size())) > 0) {
      char buf[512];
      const int n = SSL_read(ssl, buf, sizeof(buf));
      if (n > 0)
        status = std::string(buf, static_cast<size_t>(n))
                     .substr(0, std::string(buf, static_cast<size_t>(n)).find("\r\n"));
    }
    SSL_free(ssl);
  }
  ::close(fd);
  SSL_CTX_free(ctx);
  return status;
}

// A relay on a free loopback port whose host (port 1) never answers.
KubeletServerOptions Options(const Pki& cluster,
                             std::shared_ptr<kube::CredentialProvider> credentials = nullptr) {
  return {.address = "127.0.0.1",
          .port = 0,
          .ca_pem = cluster.ca.certificate_pem,
          .serving_cert_pem = cluster.serving.certificate_pem,
          .serving_key_pem = cluster.serving.private_key_pem,
          .tenant = {.name = "t", .host_namespace = "vcluster-t"},
          .host = {.server = "https://127.0.0.1:1", .credentials = std::move(credentials)}};
}

TEST(SyncerKubeletServerTest, OnlyTheApiserversKubeletClientGetsIn) {
  const Pki cluster = MakePki("cluster-ca");
  KubeletServer server(Options(cluster));
  auto port = server.Start();
  ASSERT_TRUE(port.ok()) << port.status().message();

  auto issue = [](const pki::CertificateAuthority& ca, const std::string& cn) {
    auto c = pki::IssueCertificate(ca, CertificateSpec{.subject = {cn, {}}, .client_auth = true},
                                   pki::WallClock::now());
    EXPECT_TRUE(c.ok());
    return *c;
  };
  const auto apiserver = issue(cluster.ca, "kube-apiserver-kubelet-client");
  const auto admin = issue(cluster.ca, "kubectl-vc:admin");
  const Pki other = MakePki("someone-elses-ca");
  const auto forged = issue(other.ca, "kube-apiserver-kubelet-client");

  EXPECT_EQ(Get(*port, &apiserver), "HTTP/1.1 200 OK");
  EXPECT_EQ(Get(*port, &admin), "HTTP/1.1 403 Forbidden") << "the right CA is not enough";
  EXPECT_EQ(Get(*port, &forged), "") << "a certificate from another CA fails the handshake";
  EXPECT_EQ(Get(*port, nullptr), "") << "no certificate, no handshake";
  server.Stop();
}

// A provider that cannot load the credential (a token file gone, an exec plugin failing).
class BrokenCredentials : public kube::CredentialProvider {
 public:
  StatusOr<kube::Credentials> Get(bool) override {
    return Unavailable("read /var/run/secrets/kubernetes.io/serviceaccount/token: no such file");
  }
};

class EmptyCredentials : public kube::CredentialProvider {
 public:
  StatusOr<kube::Credentials> Get(bool) override { return kube::Credentials{}; }
};

// Fail closed: without the syncer's own host credential nothing is relayed, not even
// anonymously. The host (port 1) is never contacted: the answer is 503, not 502.
TEST(SyncerKubeletServerTest, WithoutItsHostCredentialTheRelayRefuses) {
  const Pki cluster = MakePki("cluster-ca");
  auto apiserver = pki::IssueCertificate(
      cluster.ca,
      CertificateSpec{.subject = {"kube-apiserver-kubelet-client", {}}, .client_auth = true},
      pki::WallClock::now());
  ASSERT_TRUE(apiserver.ok());
  for (std::shared_ptr<kube::CredentialProvider> provider :
       {std::shared_ptr<kube::CredentialProvider>(),
        std::shared_ptr<kube::CredentialProvider>(std::make_shared<BrokenCredentials>()),
        std::shared_ptr<kube::CredentialProvider>(std::make_shared<EmptyCredentials>())}) {
    KubeletServer server(Options(cluster, provider));
    auto port = server.Start();
    ASSERT_TRUE(port.ok()) << port.status().message();
    EXPECT_EQ(Get(*port, &*apiserver, "/containerLogs/default/web/main"),
              "HTTP/1.1 503 Service Unavailable");
    EXPECT_EQ(Get(*port, &*apiserver), "HTTP/1.1 200 OK") << "health does not need the host";
    server.Stop();
  }
}

int Listen(int* port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  EXPECT_EQ(::listen(fd, 4), 0);
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  *port = ntohs(addr.sin_port);
  return fd;
}

// Reads until the end of an HTTP head; what was read.
std::string ReadHead(SSL* ssl) {
  std::string data;
  char buf[1024];
  while (data.find("\r\n\r\n") == std::string::npos) {
    const int n = SSL_read(ssl, buf, sizeof(buf));
    if (n <= 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  return data;
}

// The relay's options toward a stand-in host API server on `host_port`, serving with `host`'s CA.
KubeletServerOptions RelayOptions(const Pki& cluster, const Pki& host, int host_port) {
  KubeletServerOptions options =
      Options(cluster, kube::NewStaticCredentialProvider({.bearer_token = "syncer-token"}));
  options.host.server = "https://127.0.0.1:" + std::to_string(host_port);
  options.host.ca_pem = host.ca.certificate_pem;
  return options;
}

// A TLS connection to the relay on `port` as the API server (its kubelet-client certificate);
// `ssl` is null when it could not be made. Closed and freed at scope end.
struct ApiServerConnection {
  SSL_CTX* ctx = nullptr;
  int fd = -1;
  SSL* ssl = nullptr;
  ApiServerConnection(const Pki& cluster, int port) {
    auto cert = pki::IssueCertificate(
        cluster.ca,
        CertificateSpec{.subject = {"kube-apiserver-kubelet-client", {}}, .client_auth = true},
        pki::WallClock::now());
    if (!cert.ok()) return;
    ctx = ContextWith(TLS_client_method(), &*cert);
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) return;
    SSL* s = SSL_new(ctx);
    SSL_set_fd(s, fd);
    if (SSL_connect(s) == 1) {
      ssl = s;
    } else {
      SSL_free(s);
    }
  }
  ~ApiServerConnection() {
    if (ssl != nullptr) SSL_free(ssl);
    if (fd >= 0) ::close(fd);
    if (ctx != nullptr) SSL_CTX_free(ctx);
  }
};

// The whole way through, over loopback: the API server's request (with headers a hostile
// client could add) reaches a stand-in host API server rewritten to the host pod's
// subresource, with the syncer's token instead of anything the client sent, and the upgraded
// stream is copied both ways. Stop ends a relay that is still open.
TEST(SyncerKubeletServerTest, RelaysTheRewrittenRequestAndTheStreamBothWays) {
  const Pki cluster = MakePki("cluster-ca");
  const Pki host = MakePki("host-ca");  // its serving certificate is for 127.0.0.1
  int host_port = 0;
  const int host_fd = Listen(&host_port);
  std::string host_saw;
  std::thread host_api([&] {
    SSL_CTX* ctx = ContextWith(TLS_server_method(), &host.serving);
    const int fd = ::accept(host_fd, nullptr, nullptr);
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) == 1) {
      host_saw = ReadHead(ssl);
      const std::string upgraded =
          "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n\r\n";
      SSL_write(ssl, upgraded.data(), static_cast<int>(upgraded.size()));
      char buf[64];
      const int n = SSL_read(ssl, buf, sizeof(buf));  // one frame from the client, echoed
      if (n > 0) SSL_write(ssl, buf, n);
      SSL_read(ssl, buf, sizeof(buf));  // until the relay closes
    }
    SSL_free(ssl);
    ::close(fd);
    SSL_CTX_free(ctx);
  });

  KubeletServer server(RelayOptions(cluster, host, host_port));
  auto port = server.Start();
  ASSERT_TRUE(port.ok()) << port.status().message();

  ApiServerConnection client(cluster, *port);
  ASSERT_NE(client.ssl, nullptr) << "no TLS connection to the relay";
  SSL* ssl = client.ssl;
  const std::string request =
      "POST /exec/shop/web/main?command=id&output=1 HTTP/1.1\r\nHost: node\r\n"
      "Authorization: Bearer tenant-token\r\nImpersonate-User: system:admin\r\n"
      "X-Remote-User: admin\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n"
      "X-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n";
  ASSERT_GT(SSL_write(ssl, request.data(), static_cast<int>(request.size())), 0);
  const std::string answer = ReadHead(ssl);
  EXPECT_EQ(answer.substr(0, answer.find("\r\n")), "HTTP/1.1 101 Switching Protocols");
  ASSERT_GT(SSL_write(ssl, "frame", 5), 0);
  char buf[16] = {0};
  const int n = SSL_read(ssl, buf, sizeof(buf));
  EXPECT_EQ(std::string(buf, n > 0 ? static_cast<size_t>(n) : 0), "frame");

  EXPECT_EQ(host_saw.substr(0, host_saw.find("\r\n")),
            "POST /api/v1/namespaces/vcluster-t/pods/web-x-shop-x-t/exec?container=main&command=id&"
            "stdout=true HTTP/1.1");
  EXPECT_NE(host_saw.find("Authorization: Bearer syncer-token\r\n"), std::string::npos) << host_saw;
  EXPECT_NE(host_saw.find("X-Stream-Protocol-Version: v4.channel.k8s.io\r\n"), std::string::npos);
  EXPECT_NE(host_saw.find("Connection: Upgrade\r\n"), std::string::npos);
  for (const char* gone : {"tenant-token", "Impersonate-User", "X-Remote-User"}) {
    EXPECT_EQ(host_saw.find(gone), std::string::npos) << gone << " reached the host:\n" << host_saw;
  }

  // The relay is still open both ways; Stop ends it and returns.
  const auto start = std::chrono::steady_clock::now();
  server.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_LE(SSL_read(ssl, buf, sizeof(buf)), 0) << "the client's side was closed";
  host_api.join();
  ::close(host_fd);
}

// A log without follow: the host API server writes its last data chunk and the body's end in
// one TLS record (it flushes only when following). The relay passes the end on in a record of
// its own, as kubelet's flushed writes come: a Go client reading the data with the end gets
// io.EOF with it, and the API server's websocket log reader drops such data (an empty log).
TEST(SyncerKubeletServerTest, ALogsEndReachesTheClientApartFromItsData) {
  const Pki cluster = MakePki("cluster-ca");
  const Pki host = MakePki("host-ca");
  int host_port = 0;
  const int host_fd = Listen(&host_port);
  std::string host_saw;
  std::thread host_api([&] {
    SSL_CTX* ctx = ContextWith(TLS_server_method(), &host.serving);
    const int fd = ::accept(host_fd, nullptr, nullptr);
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) == 1) {
      host_saw = ReadHead(ssl);
      const std::string head =
          "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n";
      SSL_write(ssl, head.data(), static_cast<int>(head.size()));
      const std::string body = "13\r\ncontainer is alive\n\r\n0\r\n\r\n";  // one record
      SSL_write(ssl, body.data(), static_cast<int>(body.size()));
      SSL_shutdown(ssl);
    }
    SSL_free(ssl);
    ::close(fd);
    SSL_CTX_free(ctx);
  });

  KubeletServer server(RelayOptions(cluster, host, host_port));
  auto port = server.Start();
  ASSERT_TRUE(port.ok()) << port.status().message();
  ApiServerConnection client(cluster, *port);
  ASSERT_NE(client.ssl, nullptr) << "no TLS connection to the relay";
  SSL* ssl = client.ssl;
  const std::string request =
      "GET /containerLogs/shop/web/main HTTP/1.1\r\nHost: node\r\nAccept-Encoding: gzip\r\n\r\n";
  ASSERT_GT(SSL_write(ssl, request.data(), static_cast<int>(request.size())), 0);

  // SSL_read answers from one record at a time: what each record held, after the head.
  std::vector<std::string> records;
  std::string received;
  char buf[4096];
  for (int n; (n = SSL_read(ssl, buf, sizeof(buf))) > 0;) {
    received.append(buf, static_cast<size_t>(n));
    if (received.find("\r\n\r\n") != std::string::npos &&
        received.find("\r\n\r\n") + 4 < received.size()) {
      records.push_back(std::string(buf, static_cast<size_t>(n)));
    }
  }
  EXPECT_EQ(received.substr(0, received.find("\r\n")), "HTTP/1.1 200 OK");
  EXPECT_EQ(received.substr(received.find("\r\n\r\n") + 4),
            "13\r\ncontainer is alive\n\r\n0\r\n\r\n")
      << "the bytes are the host's";
  ASSERT_EQ(records.size(), 2u) << received;
  EXPECT_EQ(records[0], "13\r\ncontainer is alive\n\r\n");
  EXPECT_EQ(records[1], "0\r\n\r\n");
  EXPECT_EQ(host_saw.substr(0, host_saw.find("\r\n")),
            "GET /api/v1/namespaces/vcluster-t/pods/web-x-shop-x-t/log?container=main HTTP/1.1");
  EXPECT_NE(host_saw.find("Connection: close\r\n"), std::string::npos) << host_saw;

  host_api.join();
  server.Stop();
  ::close(host_fd);
}

TEST(SyncerKubeletServerTest, ARequestWithABodyOrABadNameIsRefusedBeforeTheHost) {
  const Pki cluster = MakePki("cluster-ca");
  auto apiserver = pki::IssueCertificate(
      cluster.ca,
      CertificateSpec{.subject = {"kube-apiserver-kubelet-client", {}}, .client_auth = true},
      pki::WallClock::now());
  ASSERT_TRUE(apiserver.ok());
  KubeletServer server(Options(cluster, kube::NewStaticCredentialProvider({.bearer_token = "t"})));
  auto port = server.Start();
  ASSERT_TRUE(port.ok());
  EXPECT_EQ(Get(*port, &*apiserver, "/containerLogs/shop/..%2fx/c"), "HTTP/1.1 400 Bad Request");
  EXPECT_EQ(Get(*port, &*apiserver, "/stats/summary"), "HTTP/1.1 404 Not Found");
  EXPECT_EQ(
      Get(*port, &*apiserver, "/containerLogs/shop/web/c HTTP/1.1\r\nContent-Length: 5\r\nX: y"),
      "HTTP/1.1 400 Bad Request");
  server.Stop();
}

}  // namespace
}  // namespace vc::syncer::kubelet
