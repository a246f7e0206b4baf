// SPDX-License-Identifier: Apache-2.0
// What kubectl-vc reads from an OCI registry (registry_answers.h), all on the same input: the
// WWW-Authenticate challenge and the token URL made from it, the token service's answer, an
// error body, the snapshot's manifest, and docker's config.json.
// Invariants: a token is a single header-safe word; the token URL and the digests that go
// into URLs hold no spaces or control characters; messages are UTF-8 text.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.h"
#include "vc/cli/snapshot/registry_answers.h"

namespace {

void CheckUrlSafe(const std::string& text, std::string_view what) {
  for (unsigned char c : text) {
    vc::fuzz::Check(c > 0x20 && c < 0x7f, what, vc::utf8::Escape(text));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vc::cli::snapshot;
  vc::fuzz::QuietLogs();
  const std::string body(reinterpret_cast<const char*>(data), size);

  const AuthChallenge challenge = ParseAuthChallenge(body);
  auto url = TokenUrl(challenge, "team/snapshots", "registry.example.com");
  vc::fuzz::CheckStatus(url.status(), "TokenUrl error");
  if (url.ok()) CheckUrlSafe(*url, "token URL");

  auto token = ParseTokenAnswer(body, "registry.example.com");
  vc::fuzz::CheckStatus(token.status(), "ParseTokenAnswer error");
  if (token.ok()) {
    vc::fuzz::Check(!token->empty(), "empty token");
    CheckUrlSafe(*token, "token");
  }

  vc::fuzz::CheckUtf8(RegistryErrorDetail(body), "registry error detail");

  auto manifest = ParseSnapshotManifest(body, "oci://registry.example.com/team/snapshots:1");
  vc::fuzz::CheckStatus(manifest.status(), "ParseSnapshotManifest error");
  if (manifest.ok()) {
    vc::fuzz::Check(IsDigest(manifest->config_digest), "config digest");
    CheckUrlSafe(manifest->config_digest, "config digest");
    if (manifest->has_archive) CheckUrlSafe(manifest->archive_digest, "archive digest");
  }

  auto credentials = CredentialsFromDockerConfig(body, "registry.example.com", "config.json");
  if (credentials) vc::fuzz::Check(!credentials->username.empty(), "credentials without a user");
  return 0;
}
