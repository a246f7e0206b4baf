// SPDX-License-Identifier: Apache-2.0
// What kubectl-vc reads from registries, buckets and meta.json (registry_answers.h,
// s3_answers.h, snapshot_meta.h), with the inputs tests/fuzz/oci_registry_fuzzer.cpp,
// s3_response_fuzzer.cpp and snapshot_meta_fuzzer.cpp found: members of the wrong type once
// threw nlohmann's type_error out of the CLI, and server text reached headers and URLs.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/temp_dir.h"
#include "vc/cli/snapshot/http_call.h"
#include "vc/cli/snapshot/registry_answers.h"
#include "vc/cli/snapshot/s3_answers.h"
#include "vc/cli/snapshot/snapshot_meta.h"
#include "vc/utf8.h"

namespace vc::cli::snapshot {
namespace {

using nlohmann::json;

const std::string kConfigType = "application/vnd.kubectl-vc.snapshot.config.v1+json";
const std::string kLayerType = "application/vnd.kubectl-vc.snapshot.v1+vcsnap";
const std::string kDigest = "sha256:" + std::string(64, 'a');

TEST(RegistryAnswers, TokenOfTheWrongTypeIsAnError) {
  auto token = ParseTokenAnswer(R"({"token": 5})", "r.io");
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().message(),
            "registry r.io: the token service answered token as number, expected a string");
  token = ParseTokenAnswer(R"({"token": "", "access_token": ["x"]})", "r.io");
  EXPECT_FALSE(token.ok());
  token = ParseTokenAnswer(R"({"token": null, "access_token": "abc.def"})", "r.io");
  ASSERT_TRUE(token.ok()) << token.status().message();
  EXPECT_EQ(*token, "abc.def");
  EXPECT_FALSE(ParseTokenAnswer("[]", "r.io").ok());
  EXPECT_FALSE(ParseTokenAnswer(R"({})", "r.io").ok());
}

TEST(RegistryAnswers, TokenCannotBreakTheAuthorizationHeader) {
  auto token = ParseTokenAnswer(R"({"token": "abc\r\nX-Injected: 1"})", "r.io");
  ASSERT_FALSE(token.ok());
  EXPECT_NE(token.status().message().find("characters a bearer token cannot"), std::string::npos);
}

TEST(RegistryAnswers, ChallengeRealmMustBeHttp) {
  AuthChallenge c = ParseAuthChallenge(R"(Bearer realm="https://auth.r.io/token",service="r.io")");
  EXPECT_EQ(c.scheme, "Bearer");
  auto url = TokenUrl(c, "team/snap", "r.io");
  ASSERT_TRUE(url.ok()) << url.status().message();
  EXPECT_EQ(*url,
            "https://auth.r.io/token?service=r.io&scope=repository%3Ateam%2Fsnap%3Apull%2Cpush");
  EXPECT_FALSE(TokenUrl(ParseAuthChallenge(R"(Bearer realm="file:///etc/passwd")"), "t", "r").ok());
  EXPECT_FALSE(TokenUrl(ParseAuthChallenge("Bearer realm=\"https://a b\""), "t", "r").ok());
  EXPECT_FALSE(TokenUrl(ParseAuthChallenge("Bearer service=x"), "t", "r").ok());
  EXPECT_FALSE(TokenUrl(ParseAuthChallenge("Bearer"), "t", "r").ok());
}

TEST(RegistryAnswers, ErrorBodiesOfAnyShapeMakeAMessage) {
  EXPECT_EQ(RegistryErrorDetail(R"({"errors":[{"code":"DENIED","message":"no"},5,{"code":7}]})"),
            "DENIED: no; : ");
  EXPECT_EQ(RegistryErrorDetail(R"({"errors":{"code":"x"}})"), R"({"errors":{"code":"x"}})");
  // Cut at 300 bytes, between characters; bytes that are not UTF-8 as \xNN.
  const std::string body = std::string(299, 'x') + "\xc3\xa9\xff";
  EXPECT_EQ(RegistryErrorDetail(body), std::string(299, 'x') + "...");
  EXPECT_EQ(RegistryErrorDetail("\xff"), "\\xff");
}

TEST(RegistryAnswers, ManifestMembersOfTheWrongTypeAreErrors) {
  const std::string url = "oci://r.io/t:1";
  for (const std::string& body : {
           std::string(R"({"config": 5, "layers": []})"),
           R"({"config": {"mediaType": ")" + kConfigType + R"("}, "layers": {}})",
           R"({"config": {"mediaType": ")" + kConfigType + R"(", "digest": 5}, "layers": []})",
           R"({"config": {"mediaType": ")" + kConfigType +
               R"(", "digest": "../../x"}, "layers": []})",
           R"({"config": {"mediaType": ")" + kConfigType + R"(", "digest": ")" + kDigest +
               R"("}, "layers": [{"mediaType": ")" + kLayerType + R"(", "digest": ")" + kDigest +
               R"(", "size": "90"}]})",
           R"({"config": {"mediaType": ")" + kConfigType + R"(", "digest": ")" + kDigest +
               R"("}, "layers": [{"mediaType": ")" + kLayerType + R"(", "digest": "x?y"}]})",
           std::string("[1]"),
       }) {
    auto m = ParseSnapshotManifest(body, url);
    ASSERT_FALSE(m.ok()) << body;
    EXPECT_EQ(m.status().message().rfind(url + " is not a kubectl-vc snapshot", 0), 0u);
  }
  auto m =
      ParseSnapshotManifest(R"({"config": {"mediaType": ")" + kConfigType + R"(", "digest": ")" +
                                kDigest + R"("}, "layers": [5, {}, )" + R"({"mediaType": ")" +
                                kLayerType + R"(", "digest": ")" + kDigest + R"(", "size": 90}]})",
                            url);
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_TRUE(m->has_archive);
  EXPECT_EQ(m->archive_size, 90u);
  EXPECT_EQ(m->config_digest, kDigest);
}

TEST(RegistryAnswers, DockerConfigOfAnyShape) {
  EXPECT_FALSE(CredentialsFromDockerConfig(R"({"auths": {"r.io": {"auth": 5}}})", "r.io", "c"));
  EXPECT_FALSE(CredentialsFromDockerConfig(R"({"auths": {"r.io": "x"}})", "r.io", "c"));
  EXPECT_FALSE(CredentialsFromDockerConfig(R"({"auths": {"r.io": {"username": 1}}})", "r.io", "c"));
  auto c =
      CredentialsFromDockerConfig(R"({"auths": {"https://r.io": {"auth": "dTpw"}}})", "r.io", "c");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->username, "u");
  EXPECT_EQ(c->password, "p");
}

TEST(RegistryAnswers, UploadLocationsOtherThanHttpAreNotFollowed) {
  // A registry answers an upload's POST with the Location the PATCH goes to: file:// made
  // libcurl write the snapshot into a local file of the registry's choosing.
  vc::testing::TempDir dir;
  const std::string target = dir.path() + "/written";
  const std::string body = "snapshot bytes";
  HttpCall call;
  call.method = "PATCH";
  call.url = "file://" + target;
  call.body = &body;
  auto r = Perform(call);
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(std::filesystem::exists(target));
  call = HttpCall();
  call.url = "file:///etc/hostname";
  EXPECT_FALSE(Perform(call).ok());
}

TEST(S3Answers, ErrorsAreDecodedAndStayUtf8) {
  const S3Error e = ParseS3Error(
      "<Error><Code>NoSuchBucket</Code><Message>a &amp; b &#x263A; &#0; &#xD800; \xff</Message>"
      "</Error>");
  EXPECT_EQ(e.code, "NoSuchBucket");
  EXPECT_EQ(e.message, "a & b \xe2\x98\xba &#0; &#xD800; \\xff");
  EXPECT_EQ(ParseS3Error("<Code>x").code, "");
  const Status s = ExplainS3Answer(403, "<Error><Code>AccessDenied</Code></Error>",
                                   "https://s3/b/k", "AKIA", "get the snapshot");
  EXPECT_EQ(s.code(), Code::kForbidden);
  EXPECT_EQ(s.message(), "s3 https://s3/b/k: get the snapshot: access denied (AccessDenied: )");
}

TEST(S3Answers, UploadIdIsCheckedAndXmlIsEscaped) {
  auto id = ParseUploadId("<UploadId>a&amp;b</UploadId>");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, "a&b");
  EXPECT_FALSE(ParseUploadId("<UploadId></UploadId>").ok());
  EXPECT_FALSE(ParseUploadId("<UploadId>" + std::string(2000, 'x') + "</UploadId>").ok());
  EXPECT_EQ(XmlEscape("\"<a&b>\""), "\"&lt;a&amp;b&gt;\"");
}

TEST(SnapshotMeta, MembersOfTheWrongTypeAreErrorsThatSayWhich) {
  auto m = ReadSnapshotMeta(json::parse(R"({"createdAt": 5})"));
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().message(),
            "snapshot meta.json: createdAt is number, expected a string (the snapshot was not "
            "written by kubectl-vc, or it is damaged: take it again)");
  for (const char* text :
       {R"({"cluster": "dev"})", R"({"cluster": {"name": 1}})", R"({"objects": {}})",
        R"({"objects": [5]})", R"({"objects": [{"count": "3"}]})",
        R"({"objects": [{"count": -1}]})",
        R"({"objects": [{"count": 9223372036854775807}, {"count": 1}]})", R"({"values": []})",
        R"({"encrypted": "yes"})", R"({"archiveBytes": 1.5})", R"([])"}) {
    auto r = ReadSnapshotMeta(json::parse(text));
    EXPECT_FALSE(r.ok()) << text;
  }
}

TEST(SnapshotMeta, TableShowsWhatIsThere) {
  auto m = ReadSnapshotMeta(json::parse(
      R"({"cluster": {"name": "dev", "namespace": "vc-dev", "hostContext": "kind"},
          "formatVersion": 1, "createdAt": "2026-01-02T03:04:05Z", "kubernetesVersion": "v1.33.1",
          "archiveBytes": 1234, "encrypted": true, "keyId": "00aa", "verified": false,
          "objects": [{"resource": "pods", "namespace": "default", "count": 2},
                      {"resource": "namespaces", "count": 5}],
          "values": {"isolation": {"trustLevel": "high"}}, "extra": [1, 2]})"));
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->object_count, 7);
  EXPECT_EQ(RenderSnapshotTable(*m, "file:///s.vcsnap"),
            "Snapshot:            file:///s.vcsnap\n"
            "Format version:      1\n"
            "Created:             2026-01-02T03:04:05Z\n"
            "Source cluster:      dev (namespace vc-dev, host kind)\n"
            "Kubernetes version:  v1.33.1\n"
            "Size:                1234 bytes\n"
            "Encrypted:           yes (key id 00aa)\n"
            "Verified:            no (--verify reads it all)\n"
            "\n"
            "RESOURCE                                NAMESPACE                   COUNT\n"
            "pods                                    default                     2\n"
            "namespaces                              <cluster>                   5\n");
}

}  // namespace
}  // namespace vc::cli::snapshot
