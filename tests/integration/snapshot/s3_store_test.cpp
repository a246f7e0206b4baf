// SPDX-License-Identifier: Apache-2.0
// The S3 store against moto's S3-compatible server on loopback (pip install moto[server]; the
// tests skip without it): one PutObject for a small archive, a multipart upload for a large
// one, path-style addressing, streamed GET, and clear errors for a missing bucket, a missing
// object, missing and wrong credentials. moto runs with authentication on
// (INITIAL_NO_AUTH_ACTION_COUNT: the first three IAM calls make a user, its access key and an
// s3:* policy; every later request must carry a valid SigV4 signature of that key), so the
// signatures libcurl makes are checked by a real S3 implementation.
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

#include "integration/support/cluster.h"
#include "support/prerequisite.h"
#include "support/process.h"
#include "vc/cli/snapshot/http_call.h"
#include "vc/cli/snapshot/store.h"

namespace vc::cli::snapshot {
namespace {

using nlohmann::json;

// make deps installs it into a virtual environment under the cache.
std::string MotoServer() {
  const char* cache = std::getenv("XDG_CACHE_HOME");
  const char* home = std::getenv("HOME");
  const std::string base = cache != nullptr && *cache != '\0' ? std::string(cache)
                           : home != nullptr                  ? std::string(home) + "/.cache"
                                                              : std::string();
  const std::string p = base + "/kubectl-vc/moto/bin/moto_server";
  return !base.empty() && ::access(p.c_str(), X_OK) == 0 ? p : "";
}

class S3StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    VC_REQUIRE(!MotoServer().empty(),
               "moto_server (moto[server], in make deps' virtual environment)");
    port_ = vc::testing::FreePort();
    auto child = vc::testing::ChildProcess::Start(
        "moto", {MotoServer(), "-H", "127.0.0.1", "-p", std::to_string(port_)},
        dir_.path() + "/moto.log", {{"INITIAL_NO_AUTH_ACTION_COUNT", "3"}});
    ASSERT_TRUE(child.ok());
    moto_ = std::move(*child);
    // A TCP connect, not a request: every request counts against the unauthenticated three.
    ASSERT_TRUE(vc::testing::Eventually(
        [&] {
          const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
          sockaddr_in addr{};
          addr.sin_family = AF_INET;
          addr.sin_port = htons(static_cast<uint16_t>(port_));
          addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
          const bool up = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
          ::close(fd);
          return up;
        },
        std::chrono::seconds(30)))
        << "moto did not start";
    // A user with an access key and an s3:* policy: the three unauthenticated calls.
    const std::string policy =
        "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow"
        "%22%2C%22Action%22%3A%22s3%3A*%22%2C%22Resource%22%3A%22*%22%7D%5D%7D";
    std::string key_id, secret;
    for (const std::string& action :
         {std::string("Action=CreateUser&UserName=snap&Version=2010-05-08"),
          std::string("Action=CreateAccessKey&UserName=snap&Version=2010-05-08"),
          "Action=PutUserPolicy&UserName=snap&PolicyName=s3&PolicyDocument=" + policy +
              "&Version=2010-05-08"}) {
      HttpCall iam;
      iam.method = "POST";
      iam.url = Endpoint() + "/";
      iam.body = &action;
      iam.headers = {"Content-Type: application/x-www-form-urlencoded"};
      iam.aws_sigv4 = "aws:amz:us-east-1:iam";
      iam.userpwd = "AKIDBOOTSTRAP:bootstrap";
      auto r = Perform(iam);
      ASSERT_TRUE(r.ok()) << r.status().message();
      ASSERT_EQ(r->status, 200) << r->body;
      auto between = [&](const std::string& tag) {
        const auto a = r->body.find("<" + tag + ">");
        const auto b = r->body.find("</" + tag + ">");
        return a == std::string::npos ? std::string()
                                      : r->body.substr(a + tag.size() + 2, b - a - tag.size() - 2);
      };
      if (key_id.empty()) key_id = between("AccessKeyId");
      if (secret.empty()) secret = between("SecretAccessKey");
    }
    ASSERT_FALSE(key_id.empty());
    ASSERT_FALSE(secret.empty());
    env_ = {{"AWS_ACCESS_KEY_ID", key_id},
            {"AWS_SECRET_ACCESS_KEY", secret},
            {"AWS_REGION", "eu-west-1"},
            {"AWS_ENDPOINT_URL", Endpoint()}};
    // The bucket, through the same signed client.
    HttpCall make;
    make.method = "PUT";
    make.url = Endpoint() + "/snapshots";
    make.aws_sigv4 = "aws:amz:eu-west-1:s3";
    make.userpwd = key_id + ":" + secret;
    make.headers = {"x-amz-content-sha256: UNSIGNED-PAYLOAD"};
    const std::string body =
        "<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint>"
        "</CreateBucketConfiguration>";
    make.body = &body;
    auto made = Perform(make);
    ASSERT_TRUE(made.ok()) << made.status().message();
    ASSERT_EQ(made->status, 200) << made->body;
  }

  std::string Endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

  StoreOptions Options() const {
    StoreOptions o;
    o.env = env_;
    o.part_bytes = 5 << 20;
    return o;
  }

  vc::testing::TempDir dir_{"vc-s3"};
  int port_ = 0;
  std::unique_ptr<vc::testing::ChildProcess> moto_;
  kube::Environment env_;
};

std::string Bytes(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

Status Push(SnapshotStore& store, const std::string& data) {
  ASSIGN_OR_RETURN(auto upload, store.Create(json::object()));
  for (size_t i = 0; i < data.size(); i += 1 << 20) {
    if (Status s = upload->Write(data.data() + i, std::min<size_t>(1 << 20, data.size() - i));
        !s.ok()) {
      upload->Abort();
      return s;
    }
  }
  return upload->Commit();
}

StatusOr<std::string> Pull(SnapshotStore& store) {
  std::string out;
  RETURN_IF_ERROR(store.Read([&](const char* d, size_t n) {
    out.append(d, n);
    return Status::Ok();
  }));
  return out;
}

TEST_F(S3StoreTest, SmallArchiveIsOnePut) {
  auto location = ParseLocation("s3://snapshots/teams/dev team.vcsnap");
  ASSERT_TRUE(location.ok());
  const std::string data = Bytes(300000, 1);
  Status pushed = Push(**OpenStore(*location, Options()), data);
  ASSERT_TRUE(pushed.ok()) << pushed.message();
  auto pulled = Pull(**OpenStore(*location, Options()));
  ASSERT_TRUE(pulled.ok()) << pulled.status().message();
  EXPECT_TRUE(*pulled == data);
}

TEST_F(S3StoreTest, LargeArchiveIsMultipart) {
  auto location = ParseLocation("s3://snapshots/dev-team.vcsnap");
  const std::string data = Bytes((12 << 20) + 5, 2);  // 3 parts of 5 MiB
  Status pushed = Push(**OpenStore(*location, Options()), data);
  ASSERT_TRUE(pushed.ok()) << pushed.message();
  auto pulled = Pull(**OpenStore(*location, Options()));
  ASSERT_TRUE(pulled.ok()) << pulled.status().message();
  EXPECT_TRUE(*pulled == data);
}

// Virtual-host style (BUCKET.HOST): curl resolves *.localhost to loopback itself, so moto
// sees the bucket in the Host header, as AWS does.
TEST_F(S3StoreTest, VirtualHostStyle) {
  StoreOptions options = Options();
  options.env["AWS_ENDPOINT_URL"] = "http://localhost:" + std::to_string(port_);
  options.env["VC_S3_VIRTUAL_HOST"] = "1";
  auto location = ParseLocation("s3://snapshots/vhost.vcsnap");
  ASSERT_FALSE(ResolveS3Target(*location, options).path_style);
  const std::string data = Bytes(100000, 4);
  Status pushed = Push(**OpenStore(*location, options), data);
  ASSERT_TRUE(pushed.ok()) << pushed.message();
  // The same object, read back path style.
  auto pulled = Pull(**OpenStore(*location, Options()));
  ASSERT_TRUE(pulled.ok()) << pulled.status().message();
  EXPECT_TRUE(*pulled == data);
}

TEST_F(S3StoreTest, ClearErrors) {
  Status no_bucket = Pull(**OpenStore(*ParseLocation("s3://nobucket/x"), Options())).status();
  EXPECT_EQ(no_bucket.code(), Code::kNotFound);
  EXPECT_NE(no_bucket.message().find("no such bucket"), std::string::npos) << no_bucket.message();

  Status no_key = Pull(**OpenStore(*ParseLocation("s3://snapshots/missing"), Options())).status();
  EXPECT_EQ(no_key.code(), Code::kNotFound);
  EXPECT_NE(no_key.message().find("no such object"), std::string::npos) << no_key.message();

  StoreOptions anonymous = Options();
  anonymous.env.erase("AWS_ACCESS_KEY_ID");
  Status no_creds = Pull(**OpenStore(*ParseLocation("s3://snapshots/x"), anonymous)).status();
  EXPECT_EQ(no_creds.code(), Code::kUnauthorized);
  EXPECT_NE(no_creds.message().find("AWS_ACCESS_KEY_ID"), std::string::npos);

  StoreOptions wrong = Options();
  wrong.env["AWS_SECRET_ACCESS_KEY"] = "not-the-secret";
  Status refused = Push(**OpenStore(*ParseLocation("s3://snapshots/x"), wrong), "data");
  EXPECT_EQ(refused.code(), Code::kUnauthorized);
  EXPECT_NE(refused.message().find("credentials were refused (SignatureDoesNotMatch"),
            std::string::npos)
      << refused.message();
  StoreOptions unknown = Options();
  unknown.env["AWS_ACCESS_KEY_ID"] = "AKIANOBODY";
  Status who = Pull(**OpenStore(*ParseLocation("s3://snapshots/x"), unknown)).status();
  EXPECT_EQ(who.code(), Code::kUnauthorized);
  EXPECT_NE(who.message().find("InvalidAccessKeyId"), std::string::npos) << who.message();
}

}  // namespace
}  // namespace vc::cli::snapshot
