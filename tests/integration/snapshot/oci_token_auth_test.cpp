// SPDX-License-Identifier: Apache-2.0
// Bearer-token authentication against a real registry: docker-registry with auth.token, and a
// small token service in this test that checks basic credentials and issues ES256 JWTs (x5c
// chain = its self-signed certificate, the registry's rootcertbundle) granting pull,push on
// the requested repository. The store must follow the 401 challenge to the realm with the
// repository scope, and say clearly when the token service refuses the credentials.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/socket.h>

#include <atomic>
#include <ctime>
#include <thread>

#include "integration/support/registry.h"
#include "support/prerequisite.h"
#include "vc/cli/snapshot/store.h"

namespace vc::cli::snapshot {
namespace {

using nlohmann::json;
using vc::testing::LocalRegistry;

std::string Base64Url(const std::string& raw) {
  std::string s = Base64Encode(raw);
  for (auto& c : s) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!s.empty() && s.back() == '=') s.pop_back();
  return s;
}

class TokenService {
 public:
  TokenService(std::string dir, std::string user, std::string password)
      : dir_(std::move(dir)), user_(std::move(user)), password_(std::move(password)) {}
  ~TokenService() {
    stop_ = true;
    if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
    if (thread_.joinable()) thread_.join();
    if (fd_ >= 0) ::close(fd_);
    EVP_PKEY_free(key_);
  }

  Status Start() {
    const std::string script =
        "set -e; cd '" + dir_ +
        "'; openssl req -x509 -newkey ec -pkeyopt "
        "ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=token-signer -keyout token.key "
        "-out token.crt 2>/dev/null";
    if (vc::testing::RunToCompletion({"/bin/sh", "-c", script}, dir_ + "/token-setup.log") != 0) {
      return Internal("token key setup failed");
    }
    FILE* f = std::fopen((dir_ + "/token.key").c_str(), "r");
    key_ = PEM_read_PrivateKey(f, nullptr, nullptr, nullptr);
    std::fclose(f);
    std::string pem = LocalRegistry::ReadText(dir_ + "/token.crt");
    for (const std::string marker : {"-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----"}) {
      pem.erase(pem.find(marker), marker.size());
    }
    for (char c : pem) {
      if (c != '\n' && c != '\r') cert_b64_.push_back(c);
    }
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 8);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
    return Status::Ok();
  }

  std::string realm() const { return "http://127.0.0.1:" + std::to_string(port_) + "/token"; }
  std::string cert_file() const { return dir_ + "/token.crt"; }
  int issued() const { return issued_; }
  std::string last_query() const { return last_query_; }

 private:
  void Serve() {
    while (!stop_) {
      const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) return;
      std::string request;
      char buf[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        request.append(buf, static_cast<size_t>(n));
      }
      const auto sp = request.find(' ');
      const std::string target = request.substr(sp + 1, request.find(' ', sp + 1) - sp - 1);
      last_query_ = target.substr(target.find('?') + 1);
      const std::string expected = "Authorization: Basic " + Base64Encode(user_ + ":" + password_);
      std::string response;
      if (request.find(expected + "\r\n") == std::string::npos) {
        response = "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      } else {
        const std::string body = json{{"token", Token()}}.dump();
        ++issued_;
        response = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                   std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
      }
      ::send(c, response.data(), response.size(), MSG_NOSIGNAL);
      ::close(c);
    }
  }

  std::string Token() {
    const long now = static_cast<long>(std::time(nullptr));
    const json header = {{"typ", "JWT"}, {"alg", "ES256"}, {"x5c", json::array({cert_b64_})}};
    const json claims = {{"iss", "test-issuer"},
                         {"sub", user_},
                         {"aud", "test-registry"},
                         {"exp", now + 300},
                         {"nbf", now - 10},
                         {"iat", now - 10},
                         {"jti", std::to_string(now) + "-" + std::to_string(issued_)},
                         {"access", json::array({{{"type", "repository"},
                                                  {"name", "team/snap"},
                                                  {"actions", json::array({"pull", "push"})}}})}};
    const std::string input = Base64Url(header.dump()) + "." + Base64Url(claims.dump());
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    size_t der_len = 0;
    EVP_DigestSignInit(md, nullptr, EVP_sha256(), nullptr, key_);
    EVP_DigestSign(md, nullptr, &der_len, reinterpret_cast<const unsigned char*>(input.data()),
                   input.size());
    std::string der(der_len, '\0');
    EVP_DigestSign(md, reinterpret_cast<unsigned char*>(der.data()), &der_len,
                   reinterpret_cast<const unsigned char*>(input.data()), input.size());
    EVP_MD_CTX_free(md);
    // JWS wants r || s, 32 bytes each, not DER.
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len));
    std::string raw(64, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(raw.data()), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
    ECDSA_SIG_free(sig);
    return input + "." + Base64Url(raw);
  }

  std::string dir_, user_, password_;
  EVP_PKEY* key_ = nullptr;
  std::string cert_b64_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> issued_{0};
  std::string last_query_;
};

TEST(OciTokenAuthTest, BearerTokenFromTheRealmWithTheRepositoryScope) {
  VC_REQUIRE(LocalRegistry::Available(), "/usr/bin/docker-registry");
  vc::testing::TempDir dir("vc-token");
  TokenService tokens(dir.path(), "snapper", "token-pass");
  ASSERT_TRUE(tokens.Start().ok());
  LocalRegistry registry({.token_realm = tokens.realm(), .token_cert = tokens.cert_file()});
  Status started = registry.Start();
  ASSERT_TRUE(started.ok()) << started.message();

  auto location = ParseLocation("oci://" + registry.host() + "/team/snap:v1");
  ASSERT_TRUE(location.ok());
  StoreOptions good;
  good.plain_http = true;
  good.env = {{"DOCKER_CONFIG", registry.DockerConfig("snapper", "token-pass")}};
  std::string data(3 << 20, 'x');
  for (size_t i = 0; i < data.size(); i += 4099) data[i] = static_cast<char>(i);
  {
    auto store = OpenStore(*location, good);
    auto upload = (*store)->Create(json{{"createdAt", "now"}});
    ASSERT_TRUE(upload.ok()) << upload.status().message();
    ASSERT_TRUE((*upload)->Write(data.data(), data.size()).ok());
    Status committed = (*upload)->Commit();
    ASSERT_TRUE(committed.ok()) << committed.message();
  }
  EXPECT_GE(tokens.issued(), 1);
  EXPECT_NE(tokens.last_query().find("service=test-registry"), std::string::npos);
  EXPECT_NE(tokens.last_query().find("scope=repository%3Ateam%2Fsnap%3Apull%2Cpush"),
            std::string::npos)
      << tokens.last_query();
  std::string pulled;
  Status read = (*OpenStore(*location, good))->Read([&](const char* d, size_t n) {
    pulled.append(d, n);
    return Status::Ok();
  });
  ASSERT_TRUE(read.ok()) << read.message();
  EXPECT_TRUE(pulled == data);

  StoreOptions wrong = good;
  wrong.env = {{"DOCKER_CONFIG", registry.DockerConfig("snapper", "bad")}};
  Status refused =
      (*OpenStore(*location, wrong))->Read([](const char*, size_t) { return Status::Ok(); });
  EXPECT_EQ(refused.code(), Code::kUnauthorized);
  EXPECT_NE(refused.message().find("token service of registry"), std::string::npos)
      << refused.message();
  EXPECT_NE(refused.message().find("user snapper"), std::string::npos) << refused.message();
}

}  // namespace
}  // namespace vc::cli::snapshot
