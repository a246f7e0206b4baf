// SPDX-License-Identifier: Apache-2.0
// Fixed credentials and token files.
#include "vc/kube/credential_providers.h"

#include <mutex>

#include "vc/log.h"
#include "vc/read_file.h"

namespace vc::kube {
namespace {

using std::chrono::system_clock;

class StaticCredentialProvider : public CredentialProvider {
 public:
  explicit StaticCredentialProvider(Credentials c) : credentials_(std::move(c)) {}
  StatusOr<Credentials> Get(bool /*force_refresh*/) override { return credentials_; }

 private:
  Credentials credentials_;
};

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// client-go re-reads a token file at most once a minute: often enough to follow the kubelet's
// rotation (tokens are refreshed well before they expire), rarely enough to cost nothing.
constexpr auto kRereadInterval = std::chrono::minutes(1);

class TokenFileCredentialProvider : public CredentialProvider {
 public:
  TokenFileCredentialProvider(std::string path, Credentials base, std::string origin, Clock now)
      : path_(std::move(path)),
        base_(std::move(base)),
        origin_(std::move(origin)),
        now_(std::move(now)) {}

  StatusOr<Credentials> Get(bool force_refresh) override {
    std::lock_guard<std::mutex> lock(mu_);
    system_clock::time_point now = now_();
    if (force_refresh || !read_once_ || now - last_read_ >= kRereadInterval) {
      read_once_ = true;
      last_read_ = now;
      Status s = Reread();
      if (!s.ok()) {
        if (token_.empty()) return s;
        // A rotation in progress can leave the file briefly missing; the previous token is
        // still valid for a while, so keep using it (as client-go does).
        VC_LOG(Warning) << s.message() << "; using the previous token";
      }
    }
    Credentials c = base_;
    c.bearer_token = token_;
    return c;
  }

 private:
  Status Reread() {
    auto data = ReadWholeFile(path_);
    if (!data.ok()) {
      return Status(data.status().code(), origin_ + ": tokenFile " + data.status().message() +
                                              "; fix the path or the file's permissions");
    }
    std::string token = Trim(*data);
    if (token.empty()) {
      return FailedPrecondition(origin_ + ": tokenFile " + path_ + " is empty");
    }
    RETURN_IF_ERROR(CheckBearerToken(token, origin_ + ": tokenFile " + path_));
    token_ = std::move(token);
    return Status::Ok();
  }

  std::mutex mu_;
  const std::string path_;
  const Credentials base_;
  const std::string origin_;
  const Clock now_;
  std::string token_ = base_.bearer_token;
  bool read_once_ = false;
  system_clock::time_point last_read_;
};

}  // namespace

Status CheckBearerToken(std::string_view token, const std::string& source) {
  for (const char c : token) {
    if (c < 0x21 || c > 0x7e) {
      return InvalidArgument(source +
                             ": the bearer token holds a byte that is not visible ASCII (a "
                             "space, a newline or a control byte); a token may not, because it "
                             "goes into an HTTP header (fix the token's source)");
    }
  }
  return Status::Ok();
}

std::shared_ptr<CredentialProvider> NewStaticCredentialProvider(Credentials credentials) {
  return std::make_shared<StaticCredentialProvider>(std::move(credentials));
}

StatusOr<std::shared_ptr<CredentialProvider>> NewTokenFileCredentialProvider(std::string path,
                                                                             Credentials base,
                                                                             std::string origin,
                                                                             Clock now) {
  if (!now) now = [] { return system_clock::now(); };
  auto provider = std::make_shared<TokenFileCredentialProvider>(std::move(path), std::move(base),
                                                                std::move(origin), std::move(now));
  // Read now, so a wrong path fails at load time like kubectl, not at the first request.
  auto first = provider->Get(false);
  if (!first.ok()) return first.status();
  return std::shared_ptr<CredentialProvider>(provider);
}

}  // namespace vc::kube
