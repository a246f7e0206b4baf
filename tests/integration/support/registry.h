// SPDX-License-Identifier: Apache-2.0
// A real OCI registry for tests: Debian's docker-registry (distribution 2.8) on a free loopback
// port, storing into a temporary directory. Plain HTTP without auth, or TLS with a test CA
// (made with the openssl CLI) and htpasswd basic auth (apache2-utils). Stopped with the object.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "integration/support/cluster.h"
#include "support/process.h"
#include "vc/base64.h"

namespace vc::testing {

inline constexpr const char* kRegistryBinary = "/usr/bin/docker-registry";

class LocalRegistry {
 public:
  struct Options {
    bool tls_and_basic_auth = false;
    std::string user = "snapper";
    std::string password = "s3cret-pass";
    // Bearer tokens instead (plain HTTP): the token service's URL and the certificate whose key
    // signs its tokens (distribution's auth.token with rootcertbundle).
    std::string token_realm;
    std::string token_cert;
  };

  explicit LocalRegistry(Options options) : options_(std::move(options)), dir_("vc-registry") {}

  static bool Available() { return ::access(kRegistryBinary, X_OK) == 0; }

  Status Start() {
    port_ = FreePort();
    const std::string d = dir_.path();
    std::string config =
        "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n"
        "    rootdirectory: " +
        d +
        "/data\n  delete:\n    enabled: true\n"
        "http:\n  addr: 127.0.0.1:" +
        std::to_string(port_) + "\n";
    if (options_.tls_and_basic_auth) {
      const std::string script =
          "set -e; cd '" + d +
          "';"
          "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
          "  -subj /CN=test-ca -keyout ca.key -out ca.crt 2>/dev/null;"
          "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
          "  -subj /CN=localhost -keyout tls.key -out tls.csr 2>/dev/null;"
          "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost' > san.ext;"
          "openssl x509 -req -in tls.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 "
          "  -extfile san.ext -out tls.crt 2>/dev/null;"
          "htpasswd -Bbn '" +
          options_.user + "' '" + options_.password + "' > htpasswd";
      if (RunToCompletion({"/bin/sh", "-c", script}, d + "/setup.log") != 0) {
        return Internal("registry TLS/htpasswd setup failed: " + ReadText(d + "/setup.log"));
      }
      config += "  tls:\n    certificate: " + d + "/tls.crt\n    key: " + d +
                "/tls.key\n"
                "auth:\n  htpasswd:\n    realm: test-registry\n    path: " +
                d + "/htpasswd\n";
    }
    if (!options_.token_realm.empty()) {
      config += "auth:\n  token:\n    realm: " + options_.token_realm +
                "\n    service: test-registry\n    issuer: test-issuer\n    rootcertbundle: " +
                options_.token_cert + "\n";
    }
    std::ofstream(d + "/config.yml") << config;
    ASSIGN_OR_RETURN(process_, ChildProcess::Start("docker-registry",
                                                   {kRegistryBinary, "serve", d + "/config.yml"},
                                                   d + "/registry.log"));
    const std::string scheme = options_.tls_and_basic_auth ? "https" : "http";
    const bool up = Eventually(
        [&] {
          return RunToCompletion({"/usr/bin/curl", "-sk", "-o", "/dev/null",
                                  scheme + "://127.0.0.1:" + std::to_string(port_) + "/v2/"},
                                 d + "/probe.log", std::chrono::seconds(5)) == 0;
        },
        std::chrono::seconds(20));
    if (!up) return Unavailable("registry did not start: " + ReadText(d + "/registry.log"));
    return Status::Ok();
  }

  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }
  std::string ca_file() const { return dir_.path() + "/ca.crt"; }
  std::string storage() const { return dir_.path() + "/data"; }
  const Options& options() const { return options_; }

  // A docker config dir whose config.json holds `user`:`password` for this registry.
  std::string DockerConfig(const std::string& user, const std::string& password) {
    const std::string dir = dir_.path() + "/docker-" + user;
    std::filesystem::create_directories(dir);
    std::ofstream(dir + "/config.json") << "{\"auths\":{\"" << host() << "\":{\"auth\":\""
                                        << Base64Encode(user + ":" + password) << "\"}}}";
    return dir;
  }

  static std::string ReadText(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

 private:
  Options options_;
  TempDir dir_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace vc::testing
