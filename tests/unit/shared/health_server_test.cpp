// SPDX-License-Identifier: Apache-2.0
// HealthServer's extra handlers (the agent's /metrics); the probes are in syncer_run_test.cpp.
#include "vc/health_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace vc {
namespace {

std::string Get(int port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return "";
  }
  const std::string request = "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n";
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string response;
  char buf[512];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof(buf), 0)) > 0;) response.append(buf, n);
  ::close(fd);
  return response;
}

TEST(HealthServerTest, ServesExtraHandlersNextToTheProbes) {
  HealthServer server([] { return true; }, [] { return false; });
  int scrapes = 0;
  server.AddHandler("/metrics", [&] {
    ++scrapes;
    return HealthServer::Response{200, "text/plain; version=0.0.4", "vc_agent_ready 0\n"};
  });
  auto port = server.Start("127.0.0.1", 0);
  ASSERT_TRUE(port.ok()) << port.status().ToString();
  const std::string metrics = Get(*port, "/metrics?x=1");
  EXPECT_EQ(metrics.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << metrics;
  EXPECT_NE(metrics.find("Content-Type: text/plain; version=0.0.4\r\n"), std::string::npos);
  EXPECT_NE(metrics.find("\r\n\r\nvc_agent_ready 0\n"), std::string::npos);
  EXPECT_EQ(scrapes, 1);
  EXPECT_EQ(Get(*port, "/readyz").rfind("HTTP/1.1 503", 0), 0u);
  EXPECT_EQ(Get(*port, "/healthz").rfind("HTTP/1.1 200", 0), 0u);
  EXPECT_EQ(Get(*port, "/nothing").rfind("HTTP/1.1 404", 0), 0u);
  server.Stop();
}

}  // namespace
}  // namespace vc
