// SPDX-License-Identifier: Apache-2.0
// Kubelet API paths as the virtual API server sends them, and the host pod subresource each
// is relayed to.
#include <gtest/gtest.h>

#include "vc/syncer/kubelet/kubelet_request.h"

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
      "/exec/shop/web-0/nginx?command=sh&command=-c&command=echo+hi&input=1&output=1&error=0&tty=1");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(HostTarget(*r, kTenant),
            "/api/v1/namespaces/vcluster-t1/pods/web-0-x-shop-x-t1/exec?container=nginx&"
            "command=sh&command=-c&command=echo+hi&stdin=true&stdout=true&tty=true");
  auto with_uid = ParseKubeletTarget("/attach/shop/web-0/uid-1/nginx?output=1");
  ASSERT_TRUE(with_uid.ok());
  EXPECT_EQ(with_uid->verb, KubeletVerb::kAttach);
  EXPECT_EQ(with_uid->container, "nginx");
  EXPECT_EQ(HostTarget(*with_uid, kTenant),
            "/api/v1/namespaces/vcluster-t1/pods/web-0-x-shop-x-t1/attach?container=nginx&stdout=true");
}

TEST(SyncerKubeletRequestTest, PortForwardHasNoQuery) {
  auto r = ParseKubeletTarget("/portForward/shop/web-0");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(HostTarget(*r, kTenant), "/api/v1/namespaces/vcluster-t1/pods/web-0-x-shop-x-t1/portforward");
}

TEST(SyncerKubeletRequestTest, EverythingElseIsNotServed) {
  for (const char* path : {"/pods", "/stats/summary", "/metrics", "/containerLogs/ns", "/run/a/b/c",
                           "/exec//pod/c"}) {
    EXPECT_EQ(ParseKubeletTarget(path).status().code(), Code::kNotFound) << path;
  }
}

}  // namespace
}  // namespace vc::syncer::kubelet
