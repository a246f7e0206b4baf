// SPDX-License-Identifier: Apache-2.0
// Kubelet API paths as the virtual API server sends them, and the host pod subresource each
// is relayed to.
#include "vc/syncer/kubelet/kubelet_request.h"

#include <gtest/gtest.h>

namespace vc::syncer::kubelet {
namespace {

const translate::Tenant kTenant{.name = "t1", .host_namespace = "vcluster-t1"};

TEST(SyncerKubeletRequestTest, LogsKeepTheirOptions) {
  auto r = ParseKubeletTarget("/containerLogs/shop/web-0/nginx?follow=true&tailLines=10");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->verb, KubeletVerb::kLogs);
  EXPECT_EQ(HostTarget(*r, kTenant),
            "/api/v1/namespaces/vcluster-t1/pods/web-0-x-shop-x-t1/log?container=nginx&"
            "follow=true&tailLines=10");
}

TEST(SyncerKubeletRequestTest, ExecFlagsBecomePodExecOptions) {
  auto r = ParseKubeletTarget(
      "/exec/shop/web-0/"
      "nginx?command=sh&command=-c&command=echo+hi&input=1&output=1&error=0&tty=1");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(HostTarget(*r, kTenant),
            "/api/v1/namespaces/vcluster-t1/pods/web-0-x-shop-x-t1/exec?container=nginx&"
            "command=sh&command=-c&command=echo+hi&stdin=true&stdout=true&tty=true");
  auto with_uid = ParseKubeletTarget("/attach/shop/web-0/uid-1/nginx?output=1");
  ASSERT_TRUE(with_uid.ok());
  EXPECT_EQ(with_uid->verb, KubeletVerb::kAttach);
  EXPECT_EQ(with_uid->container, "nginx");
  EXPECT_EQ(
      HostTarget(*with_uid, kTenant),
      "/api/v1/namespaces/vcluster-t1/pods/web-0-x-shop-x-t1/attach?container=nginx&stdout=true");
}

TEST(SyncerKubeletRequestTest, PortForwardKeepsOnlyItsPorts) {
  auto spdy = ParseKubeletTarget("/portForward/shop/web-0");  // SPDY: ports in stream headers
  ASSERT_TRUE(spdy.ok());
  EXPECT_EQ(HostTarget(*spdy, kTenant),
            "/api/v1/namespaces/vcluster-t1/pods/web-0-x-shop-x-t1/portforward");
  // Websockets: kubelet's `port` (comma-separated or repeated) is the pod API's `ports`.
  auto ws = ParseKubeletTarget("/portForward/shop/web-0?port=80%2C8080&port=9000&container=x");
  ASSERT_TRUE(ws.ok()) << ws.status().message();
  EXPECT_EQ(HostTarget(*ws, kTenant),
            "/api/v1/namespaces/vcluster-t1/pods/web-0-x-shop-x-t1/portforward?ports=80&"
            "ports=8080&ports=9000");
  for (const char* bad : {"port=0", "port=65536", "port=80,", "port=-1", "port=08",
                          "port=80%26ports%3D22", "port=+80"}) {
    EXPECT_EQ(ParseKubeletTarget(std::string("/portForward/shop/web-0?") + bad).status().code(),
              Code::kInvalidArgument)
        << bad;
  }
}

TEST(SyncerKubeletRequestTest, EverythingElseIsNotServed) {
  for (const char* path :
       {"/pods", "/stats/summary", "/metrics", "/containerLogs/ns", "/run/a/b/c", "/exec//pod/c"}) {
    EXPECT_EQ(ParseKubeletTarget(path).status().code(), Code::kNotFound) << path;
  }
}

// A client that got the API server's kubelet-client certificate still cannot steer the host
// request: names must be what the API server allows, and only the subresource's own options
// pass, unescaped and escaped again.
TEST(SyncerKubeletRequestTest, NamesAndOptionsCannotSteerTheHostRequest) {
  for (const char* path :
       {"/containerLogs/shop/..%2f..%2fsecrets/c", "/containerLogs/Shop/web/c",
        "/exec/shop/web/c%0d%0aX:1", "/containerLogs/shop/-web/c", "/portForward/shop/web..0",
        "/attach/a.b/web/c", "/containerLogs/shop/web/c?follow=%zz"}) {
    EXPECT_EQ(ParseKubeletTarget(path).status().code(), Code::kInvalidArgument) << path;
  }
  auto logs = ParseKubeletTarget(
      "/containerLogs/shop/web.v1/c?follow=true&container=other&pretty=1&tailLines=1%26x%3Dy");
  ASSERT_TRUE(logs.ok()) << logs.status().message();
  EXPECT_EQ(HostTarget(*logs, kTenant),
            "/api/v1/namespaces/vcluster-t1/pods/web.v1-x-shop-x-t1/log?container=c&follow=true&"
            "tailLines=1%26x%3Dy");
  auto exec =
      ParseKubeletTarget("/exec/shop/web/c?command=ls%20-l&output=1&container=x&stdin=true");
  ASSERT_TRUE(exec.ok());
  EXPECT_EQ(HostTarget(*exec, kTenant),
            "/api/v1/namespaces/vcluster-t1/pods/web-x-shop-x-t1/exec?container=c&command=ls+-l&"
            "stdout=true");
}

TEST(SyncerKubeletRequestTest, OnlyUpgradeAndNegotiationHeadersAreRelayed) {
  for (const char* h :
       {"Upgrade", "X-Stream-Protocol-Version", "sec-websocket-protocol", "Accept"}) {
    EXPECT_TRUE(IsRelayedHeader(h)) << h;
  }
  for (const char* h : {"Authorization", "Impersonate-User", "Impersonate-Group", "X-Remote-User",
                        "Cookie", "Connection", "Host", "Transfer-Encoding", "Content-Length"}) {
    EXPECT_FALSE(IsRelayedHeader(h)) << h;
  }
}

// The end of a chunked body is split off the data before it; nothing else is split.
TEST(SyncerKubeletRequestTest, TheEndOfAChunkedBodyIsSplitOffItsLastData) {
  const std::string logs = "13\r\ncontainer is alive\n\r\n0\r\n\r\n";
  EXPECT_EQ(logs.substr(0, ChunkedBodyEndSplit(logs)), "13\r\ncontainer is alive\n\r\n");
  const std::string head_too = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + logs;
  EXPECT_EQ(head_too.substr(ChunkedBodyEndSplit(head_too)), "0\r\n\r\n");
  for (const std::string& whole :
       {std::string("0\r\n\r\n"), std::string("\r\n0\r\n\r\n"), std::string("13\r\ncontainer"),
        std::string("3\r\nabc\r\n"), std::string(), std::string("x\r\n0\r\n\r\nx")}) {
    EXPECT_EQ(ChunkedBodyEndSplit(whole), whole.size()) << whole;
  }
}

}  // namespace
}  // namespace vc::syncer::kubelet
