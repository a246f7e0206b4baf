// SPDX-License-Identifier: Apache-2.0
#include "vc/agent/agent/agent_metrics.h"

#include <gtest/gtest.h>

namespace vc::agent {
namespace {

bool HasLine(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}

TEST(AgentMetricsTest, PrometheusText) {
  MetricsSnapshot m;
  TenantMetrics a;
  a.tenant = "vcluster-a/a";
  a.trust = "zero";
  a.pods = 2;
  a.counters = {10, 1000, 3, 300};
  a.has_budget = true;
  a.budget = {1000, 1 << 30, 100};
  a.has_usage = true;
  a.usage = {2500000000, 4096, 7};
  TenantMetrics odd;
  odd.tenant = "we\"ird\\ns/x";
  odd.trust = "high";
  m.tenants = {a, odd};
  m.enforced_pods = 2;
  m.reconciles = 5;
  m.reconcile_errors = {{"quota", 1}};
  m.evictions = 1;
  m.ready = true;
  const std::string text = FormatPrometheus(m);
  EXPECT_TRUE(HasLine(text, "# TYPE vc_agent_tenant_packets_total counter")) << text;
  EXPECT_TRUE(HasLine(
      text, "vc_agent_tenant_packets_total{tenant=\"vcluster-a/a\",verdict=\"allowed\"} 10"));
  EXPECT_TRUE(HasLine(
      text, "vc_agent_tenant_packets_total{tenant=\"vcluster-a/a\",verdict=\"dropped\"} 3"));
  EXPECT_TRUE(HasLine(
      text, "vc_agent_tenant_bytes_total{tenant=\"vcluster-a/a\",verdict=\"dropped\"} 300"));
  EXPECT_TRUE(HasLine(text, "vc_agent_tenant_pods{tenant=\"vcluster-a/a\",trust=\"zero\"} 2"));
  EXPECT_TRUE(HasLine(
      text, "vc_agent_quota_budget{tenant=\"vcluster-a/a\",resource=\"memory\"} 1073741824"));
  EXPECT_TRUE(
      HasLine(text, "vc_agent_quota_cpu_usage_seconds_total{tenant=\"vcluster-a/a\"} 2.500000"));
  EXPECT_TRUE(HasLine(text, "vc_agent_quota_pids{tenant=\"vcluster-a/a\"} 7"));
  EXPECT_TRUE(HasLine(text, "vc_agent_reconcile_errors_total{step=\"quota\"} 1"));
  EXPECT_TRUE(HasLine(text, "vc_agent_reconcile_errors_total{step=\"segmentation\"} 0"));
  EXPECT_TRUE(HasLine(text, "vc_agent_enforced_pods 2"));
  EXPECT_TRUE(HasLine(text, "vc_agent_evictions_total 1"));
  EXPECT_TRUE(HasLine(text, "vc_agent_ready 1"));
  EXPECT_NE(text.find("tenant=\"we\\\"ird\\\\ns/x\""), std::string::npos) << "label escaping";
  EXPECT_EQ(text.find("vc_agent_quota_pids{tenant=\"we"), std::string::npos)
      << "no usage lines for a tenant without usage";
}

}  // namespace
}  // namespace vc::agent
