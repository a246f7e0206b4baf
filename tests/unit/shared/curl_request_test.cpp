// SPDX-License-Identifier: Apache-2.0
// The libcurl request builder over loopback: what a request description puts on the wire
// (method, headers, body), what comes back (status, headers, where bodies go), and how
// transfers end (callback errors, refused, timed out, cancelled, schemes refused).
#include "vc/curl_request.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "support/one_shot_http_server.h"

namespace vc {
namespace {

using testing::OneShotHttpServer;

constexpr char kOk[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

// Runs `request` on a fresh easy handle.
CurlOutcome PerformOnAFreshHandle(const CurlRequest& request) {
  CurlGlobalInit();
  std::unique_ptr<CURL, void (*)(CURL*)> handle(curl_easy_init(), curl_easy_cleanup);
  return PerformCurlRequest(handle.get(), request);
}

// The body of a request as received: what follows the blank line.
std::string BodyOf(const std::string& received) {
  const auto end = received.find("\r\n\r\n");
  return end == std::string::npos ? "" : received.substr(end + 4);
}

TEST(CurlRequest, FieldsHeadersAndUserAgentReachTheServer) {
  OneShotHttpServer server(
      "HTTP/1.1 201 Created\r\nX-Reply:  spaced \r\nContent-Length: 4\r\n\r\ndone");
  CurlRequest request;
  request.method = "POST";
  request.url = server.Url("/things");
  request.headers = {"Expect:", "X-Asked: yes"};
  request.fields = std::string_view("{\"a\":1}");
  request.user_agent = "kubectl-vc/test";
  const CurlOutcome outcome = PerformOnAFreshHandle(request);
  ASSERT_EQ(outcome.code, CURLE_OK) << outcome.error;
  EXPECT_EQ(outcome.status, 201);
  EXPECT_EQ(outcome.headers.at("x-reply"), "spaced") << "names lower-cased, values trimmed";
  EXPECT_EQ(outcome.body, "done");
  const std::string got = server.Received();
  EXPECT_EQ(got.rfind("POST /things HTTP/1.1\r\n", 0), 0u) << got;
  EXPECT_NE(got.find("X-Asked: yes\r\n"), std::string::npos) << got;
  EXPECT_NE(got.find("User-Agent: kubectl-vc/test\r\n"), std::string::npos) << got;
  EXPECT_NE(got.find("Content-Length: 7\r\n"), std::string::npos) << got;
  EXPECT_EQ(got.find("Expect:"), std::string::npos) << got;
  EXPECT_EQ(BodyOf(got), "{\"a\":1}");
}

TEST(CurlRequest, AnUploadWithoutASizeIsChunked) {
  OneShotHttpServer server(kOk);
  CurlRequest request;
  request.method = "PUT";
  request.url = server.Url();
  request.headers = {"Expect:"};
  std::string left = "hello";
  request.upload = [&](char* data, size_t size) -> StatusOr<size_t> {
    const size_t n = std::min(size, left.size());
    left.copy(data, n);
    left.erase(0, n);
    return n;
  };
  const CurlOutcome outcome = PerformOnAFreshHandle(request);
  ASSERT_EQ(outcome.code, CURLE_OK) << outcome.error;
  const std::string got = server.Received();
  EXPECT_EQ(got.rfind("PUT / HTTP/1.1\r\n", 0), 0u) << got;
  EXPECT_NE(got.find("Transfer-Encoding: chunked\r\n"), std::string::npos) << got;
  EXPECT_EQ(BodyOf(got), "5\r\nhello\r\n0\r\n\r\n");
}

TEST(CurlRequest, AnUploadWithASizeKeepsItsMethod) {
  OneShotHttpServer server(kOk);
  CurlRequest request;
  request.method = "PATCH";
  request.url = server.Url();
  request.headers = {"Expect:"};
  bool sent = false;
  request.upload = [&](char* data, size_t) -> StatusOr<size_t> {
    if (sent) {
      return size_t{0};
    }
    sent = true;
    std::string("12345").copy(data, 5);
    return size_t{5};
  };
  request.upload_size = 5;
  ASSERT_EQ(PerformOnAFreshHandle(request).code, CURLE_OK);
  const std::string got = server.Received();
  EXPECT_EQ(got.rfind("PATCH / HTTP/1.1\r\n", 0), 0u) << got;
  EXPECT_NE(got.find("Content-Length: 5\r\n"), std::string::npos) << got;
  EXPECT_EQ(BodyOf(got), "12345");
}

TEST(CurlRequest, DeleteWithoutFieldsSendsNoBodyAndHeadAsksForNone) {
  for (const std::string method : {"DELETE", "HEAD"}) {
    OneShotHttpServer server("HTTP/1.1 204 No Content\r\n\r\n");
    CurlRequest request;
    request.method = method;
    request.url = server.Url();
    const CurlOutcome outcome = PerformOnAFreshHandle(request);
    ASSERT_EQ(outcome.code, CURLE_OK) << method << ": " << outcome.error;
    EXPECT_EQ(outcome.status, 204);
    const std::string got = server.Received();
    EXPECT_EQ(got.rfind(method + " / HTTP/1.1\r\n", 0), 0u) << got;
    EXPECT_EQ(got.find("Content-Length"), std::string::npos) << got;
  }
}

TEST(CurlRequest, SuccessBodiesGoToTheSinkOthersAreCollectedWithinTheBound) {
  {
    OneShotHttpServer server(kOk);
    CurlRequest request;
    request.url = server.Url();
    std::string sunk;
    request.on_success_body = [&](std::string_view data) {
      sunk.append(data);
      return Status::Ok();
    };
    const CurlOutcome outcome = PerformOnAFreshHandle(request);
    ASSERT_EQ(outcome.code, CURLE_OK) << outcome.error;
    EXPECT_EQ(sunk, "ok");
    EXPECT_EQ(outcome.body, "");
  }
  OneShotHttpServer server("HTTP/1.1 404 Not Found\r\nContent-Length: 7\r\n\r\nmissing");
  CurlRequest request;
  request.url = server.Url();
  request.on_success_body = [](std::string_view) { return Internal("not for a 404"); };
  request.max_collected_body = 0;
  const CurlOutcome outcome = PerformOnAFreshHandle(request);
  ASSERT_EQ(outcome.code, CURLE_OK) << outcome.error;
  EXPECT_EQ(outcome.status, 404);
  EXPECT_EQ(outcome.body, "") << "nothing collected past the bound";
  EXPECT_TRUE(outcome.callback_error.ok());
}

TEST(CurlRequest, ASinkOrSourceErrorEndsTheTransfer) {
  {
    OneShotHttpServer server(kOk);
    CurlRequest request;
    request.url = server.Url();
    request.on_success_body = [](std::string_view) { return Internal("disk full"); };
    const CurlOutcome outcome = PerformOnAFreshHandle(request);
    EXPECT_EQ(outcome.code, CURLE_WRITE_ERROR);
    EXPECT_EQ(outcome.callback_error.message(), "disk full");
  }
  OneShotHttpServer server(kOk);
  CurlRequest request;
  request.method = "PUT";
  request.url = server.Url();
  request.upload = [](char*, size_t) -> StatusOr<size_t> { return Internal("cannot read"); };
  const CurlOutcome outcome = PerformOnAFreshHandle(request);
  EXPECT_EQ(outcome.code, CURLE_ABORTED_BY_CALLBACK);
  EXPECT_EQ(outcome.callback_error.message(), "cannot read");
}

TEST(CurlRequest, ConnectToSendsTheConnectionElsewhereThanTheUrlNames) {
  OneShotHttpServer server(kOk);
  CurlRequest request;
  const std::string port = std::to_string(server.port());
  request.url = "http://api.example.invalid:" + port + "/";
  request.connect_to = {"::127.0.0.1:" + port};
  ASSERT_EQ(PerformOnAFreshHandle(request).code, CURLE_OK);
  EXPECT_NE(server.Received().find("Host: api.example.invalid:" + port + "\r\n"),
            std::string::npos);
}

TEST(CurlRequest, HttpOnlyRefusesOtherSchemes) {
  CurlRequest request;
  request.url = "file:///etc/hostname";
  request.http_only = true;
  const CurlOutcome outcome = PerformOnAFreshHandle(request);
  EXPECT_EQ(outcome.code, CURLE_UNSUPPORTED_PROTOCOL);
  EXPECT_FALSE(outcome.error.empty());
  EXPECT_EQ(outcome.body, "");
}

TEST(CurlRequest, ARefusedConnectionSaysSo) {
  int port = 0;
  {
    OneShotHttpServer closed("", /*answer=*/false);
    port = closed.port();
  }
  CurlRequest request;
  request.url = "http://127.0.0.1:" + std::to_string(port) + "/";
  const CurlOutcome outcome = PerformOnAFreshHandle(request);
  EXPECT_EQ(outcome.code, CURLE_COULDNT_CONNECT);
  EXPECT_FALSE(outcome.error.empty());
}

TEST(CurlRequest, ASilentServerIsLeftAtTheTimeoutOrOnCancel) {
  OneShotHttpServer silent("", /*answer=*/false);
  CurlRequest request;
  request.url = silent.Url();
  request.timeout = std::chrono::milliseconds(200);
  EXPECT_EQ(PerformOnAFreshHandle(request).code, CURLE_OPERATION_TIMEDOUT);

  CancelToken cancel;
  cancel.Cancel();
  request.timeout = std::chrono::milliseconds(0);
  request.cancel = &cancel;
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(PerformOnAFreshHandle(request).code, CURLE_ABORTED_BY_CALLBACK);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

}  // namespace
}  // namespace vc
