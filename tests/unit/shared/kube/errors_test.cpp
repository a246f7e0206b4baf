// SPDX-License-Identifier: Apache-2.0
#include "vc/kube/errors.h"

#include <gtest/gtest.h>

#include "fake_transport.h"

namespace vc::kube {
namespace {

using testing::ApiStatus;

const ApiErrorContext kGet{"GET", "get configmaps ns/app", "https://127.0.0.1:6443"};
const ApiErrorContext kPost{"POST", "create configmaps ns/app", "https://127.0.0.1:6443"};

Status Map(int code, const nlohmann::json& body, const ApiErrorContext& ctx = kGet,
           std::string_view retry_after = "") {
  return StatusFromResponse(code, body.dump(), "application/json", retry_after, ctx);
}

struct ReasonCase {
  int http;
  const char* reason;
  Code want;
};

class ReasonTest : public ::testing::TestWithParam<ReasonCase> {};

TEST_P(ReasonTest, MapsReasonToCode) {
  const auto& c = GetParam();
  Status s = Map(c.http, ApiStatus(c.http, c.reason, "server says"));
  EXPECT_EQ(s.code(), c.want) << c.reason << ": " << s.message();
  EXPECT_EQ(ApiReason(s), c.reason);
  EXPECT_EQ(ApiCode(s), c.http);
}

INSTANTIATE_TEST_SUITE_P(
    AllReasons, ReasonTest,
    ::testing::Values(ReasonCase{404, "NotFound", Code::kNotFound},
                      ReasonCase{409, "AlreadyExists", Code::kAlreadyExists},
                      ReasonCase{409, "Conflict", Code::kConflict},
                      ReasonCase{410, "Gone", Code::kGone}, ReasonCase{410, "Expired", Code::kGone},
                      ReasonCase{403, "Forbidden", Code::kForbidden},
                      ReasonCase{401, "Unauthorized", Code::kUnauthorized},
                      ReasonCase{422, "Invalid", Code::kInvalid},
                      ReasonCase{400, "BadRequest", Code::kInvalidArgument},
                      ReasonCase{429, "TooManyRequests", Code::kTooManyRequests},
                      ReasonCase{504, "Timeout", Code::kTimeout},
                      ReasonCase{500, "ServerTimeout", Code::kTimeout},
                      ReasonCase{500, "InternalError", Code::kUnavailable},
                      ReasonCase{503, "ServiceUnavailable", Code::kUnavailable},
                      ReasonCase{405, "MethodNotAllowed", Code::kInternal}));

TEST(ErrorsTest, KeepsServerMessageAndBody) {
  Status s = Map(404, ApiStatus(404, "NotFound", "configmaps \"app\" not found"));
  EXPECT_EQ(s.message(), "configmaps \"app\" not found");
  EXPECT_EQ(s.details()["kind"], "Status");
  EXPECT_EQ(s.details()["message"], "configmaps \"app\" not found");
}

TEST(ErrorsTest, InvalidListsCauses) {
  nlohmann::json body = ApiStatus(422, "Invalid", "ConfigMap \"Bad\" is invalid: [...]");
  body["details"] = {{"name", "Bad"},
                     {"kind", "ConfigMap"},
                     {"causes",
                      {{{"reason", "FieldValueInvalid"},
                        {"field", "metadata.name"},
                        {"message", "Invalid value: \"Bad\": must be lower case"}},
                       {{"reason", "FieldValueInvalid"},
                        {"field", "data[a b]"},
                        {"message", "Invalid value: \"a b\": a valid config key"}}}}};
  Status s = Map(422, body);
  EXPECT_EQ(s.code(), Code::kInvalid);
  EXPECT_EQ(s.message(),
            "ConfigMap \"Bad\" is invalid:\n"
            "  - metadata.name: Invalid value: \"Bad\": must be lower case\n"
            "  - data[a b]: Invalid value: \"a b\": a valid config key");
  EXPECT_EQ(s.details()["details"]["causes"].size(), 2u);
}

TEST(ErrorsTest, UnauthorizedSaysToRefreshCredentials) {
  Status s = Map(401, ApiStatus(401, "Unauthorized", "Unauthorized"));
  EXPECT_EQ(s.code(), Code::kUnauthorized);
  EXPECT_NE(s.message().find("rejected the credentials or they have expired"), std::string::npos);
  EXPECT_NE(s.message().find("https://127.0.0.1:6443"), std::string::npos);
  EXPECT_NE(s.message().find("refresh"), std::string::npos);
}

TEST(ErrorsTest, TooManyRequestsRetryAfterFromHeader) {
  Status s = Map(429, ApiStatus(429, "TooManyRequests", "too many requests"), kGet, "7");
  EXPECT_EQ(s.code(), Code::kTooManyRequests);
  EXPECT_EQ(RetryAfterSeconds(s), 7);
  EXPECT_NE(s.message().find("retry after 7s"), std::string::npos);
}

TEST(ErrorsTest, TooManyRequestsRetryAfterFromDetails) {
  nlohmann::json body = ApiStatus(429, "TooManyRequests", "slow down");
  body["details"] = {{"retryAfterSeconds", 3}};
  EXPECT_EQ(RetryAfterSeconds(Map(429, body)), 3);
}

TEST(ErrorsTest, EvictionBlockedByBudget) {
  nlohmann::json body = ApiStatus(
      429, "TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget.");
  body["details"] = {{"causes", {{{"reason", "DisruptionBudget"}}}}};
  EXPECT_EQ(Map(429, body, kPost).code(), Code::kTooManyRequests);
}

TEST(ErrorsTest, NonStatusBodyMapsByHttpCode) {
  Status s = StatusFromResponse(502, "<html>Bad Gateway</html>", "text/html", "", kGet);
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_NE(s.message().find("get configmaps ns/app"), std::string::npos);
  EXPECT_NE(s.message().find("Bad Gateway"), std::string::npos);
  EXPECT_EQ(ApiCode(s), 502);

  EXPECT_EQ(StatusFromResponse(404, "not here", "text/plain", "", kGet).code(), Code::kNotFound);
  EXPECT_EQ(StatusFromResponse(503, "", "", "", kGet).code(), Code::kUnavailable);
  EXPECT_EQ(StatusFromResponse(504, "", "", "", kGet).code(), Code::kTimeout);
}

TEST(ErrorsTest, UnstructuredConflictDependsOnVerb) {
  EXPECT_EQ(StatusFromResponse(409, "", "", "", kPost).code(), Code::kAlreadyExists);
  EXPECT_EQ(StatusFromResponse(409, "", "", "", kGet).code(), Code::kConflict);
}

TEST(ErrorsTest, BinaryBodiesAreNotQuoted) {
  Status s = StatusFromResponse(500, "\x01\x02garbage", "application/octet-stream", "", kGet);
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_EQ(s.message().find("garbage"), std::string::npos);
}

TEST(ErrorsTest, WatchErrorObject) {
  Status s =
      StatusFromObject(ApiStatus(410, "Expired", "too old resource version: 1 (5000)"), kGet);
  EXPECT_EQ(s.code(), Code::kGone);
  EXPECT_EQ(s.message(), "too old resource version: 1 (5000)");
}

TEST(ErrorsTest, MalformedFieldsDoNotThrow) {
  nlohmann::json body = {{"kind", "Status"}, {"code", "x"}, {"reason", 5}, {"message", {1, 2}}};
  Status s = Map(403, body);
  EXPECT_EQ(s.code(), Code::kForbidden);
}

}  // namespace
}  // namespace vc::kube
