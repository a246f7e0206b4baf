// SPDX-License-Identifier: Apache-2.0
// CurlTransport over loopback, plain HTTP: what a Kubernetes request puts on the wire, a
// stream its handler ends, tls-server-name routing, and a refused connection's error.
#include "vc/kube/curl_transport.h"

#include <gtest/gtest.h>

#include <string>

#include "support/one_shot_http_server.h"

namespace vc::kube {
namespace {

using vc::testing::OneShotHttpServer;

TEST(CurlTransport, SendsTheBodyAndHeadersAndReturnsTheResponse) {
  OneShotHttpServer server(
      "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
  CurlTransport transport(CurlTransportOptions{.user_agent = "kubectl-vc/test"});
  HttpRequest request;
  request.method = "POST";
  request.url = server.Url("/api/v1/namespaces");
  request.headers = {{"Content-Type", "application/json"}};
  request.body = R"({"kind":"Namespace"})";
  auto response = transport.Do(request);
  ASSERT_TRUE(response.ok()) << response.status().message();
  EXPECT_EQ(response->status, 201);
  EXPECT_EQ(response->Header("content-type"), "application/json");
  EXPECT_EQ(response->body, "{}");
  const std::string got = server.Received();
  EXPECT_EQ(got.rfind("POST /api/v1/namespaces HTTP/1.1\r\n", 0), 0u) << got;
  EXPECT_NE(got.find("User-Agent: kubectl-vc/test\r\n"), std::string::npos) << got;
  EXPECT_NE(got.find("Accept-Encoding: "), std::string::npos) << got;
  EXPECT_EQ(got.substr(got.find("\r\n\r\n") + 4), R"({"kind":"Namespace"})");
}

TEST(CurlTransport, ADeleteWithoutABodySendsNone) {
  OneShotHttpServer server("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  CurlTransport transport(CurlTransportOptions{});
  HttpRequest request;
  request.method = "DELETE";
  request.url = server.Url("/api/v1/namespaces/a");
  ASSERT_TRUE(transport.Do(request).ok());
  const std::string got = server.Received();
  EXPECT_EQ(got.rfind("DELETE /api/v1/namespaces/a HTTP/1.1\r\n", 0), 0u) << got;
  EXPECT_EQ(got.find("Content-Length"), std::string::npos) << got;
}

TEST(CurlTransport, AStreamItsHandlerEndsIsNoError) {
  OneShotHttpServer server("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789");
  CurlTransport transport(CurlTransportOptions{});
  HttpRequest request;
  request.url = server.Url("/api/v1/pods?watch=true");
  std::string seen;
  auto response = transport.Stream(
      request,
      [&](std::string_view chunk) {
        seen.append(chunk);
        return false;
      },
      nullptr);
  ASSERT_TRUE(response.ok()) << response.status().message();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(seen, "0123456789");
  EXPECT_EQ(response->body, "") << "a 2xx stream is not kept";
}

TEST(CurlTransport, TlsServerNameIsTheHostAskedForWhileTheUrlsHostIsDialled) {
  OneShotHttpServer server("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  CurlTransport transport(CurlTransportOptions{.tls_server_name = "kubernetes.default"});
  HttpRequest request;
  request.url = server.Url("/version");
  ASSERT_TRUE(transport.Do(request).ok());
  const std::string got = server.Received();
  EXPECT_NE(got.find("Host: kubernetes.default:" + std::to_string(server.port()) + "\r\n"),
            std::string::npos)
      << got;
}

TEST(CurlTransport, ARefusedConnectionIsUnavailableAndNeverSent) {
  int port = 0;
  {
    OneShotHttpServer closed("", /*answer=*/false);
    port = closed.port();
  }
  CurlTransport transport(CurlTransportOptions{});
  HttpRequest request;
  request.method = "POST";
  request.url = "http://127.0.0.1:" + std::to_string(port) + "/api/v1/namespaces";
  auto response = transport.Do(request);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), Code::kUnavailable);
  EXPECT_NE(response.status().message().find("post http://127.0.0.1:"), std::string::npos)
      << response.status().message();
  EXPECT_NE(response.status().message().find("connection refused"), std::string::npos)
      << response.status().message();
  EXPECT_TRUE(NeverSent(response.status()));
}

}  // namespace
}  // namespace vc::kube
