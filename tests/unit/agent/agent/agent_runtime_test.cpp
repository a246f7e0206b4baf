// SPDX-License-Identifier: Apache-2.0
// The pure part of RunAgent; the process itself is exercised by tests/privileged/agent/.
#include "vc/agent/agent/agent_runtime.h"

#include <gtest/gtest.h>

namespace vc::agent {
namespace {

TEST(AgentRuntimeTest, ParseListenAddress) {
  std::string host;
  int port = -1;
  ASSERT_TRUE(ParseListenAddress("0.0.0.0:9464", &host, &port).ok());
  EXPECT_EQ(host, "0.0.0.0");
  EXPECT_EQ(port, 9464);
  ASSERT_TRUE(ParseListenAddress(":0", &host, &port).ok());
  EXPECT_EQ(host, "0.0.0.0");
  EXPECT_EQ(port, 0);
  ASSERT_TRUE(ParseListenAddress("[::1]:80", &host, &port).ok());
  EXPECT_EQ(host, "::1");
  EXPECT_FALSE(ParseListenAddress("9464", &host, &port).ok());
  EXPECT_FALSE(ParseListenAddress("127.0.0.1:http", &host, &port).ok());
  EXPECT_FALSE(ParseListenAddress("127.0.0.1:70000", &host, &port).ok());
}

TEST(AgentRuntimeTest, RefusesToStartWithoutANodeName) {
  CancelToken stop;
  AgentConfig config;
  EXPECT_EQ(RunAgent(config, stop).code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace vc::agent
