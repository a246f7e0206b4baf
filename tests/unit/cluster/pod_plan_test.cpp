// SPDX-License-Identifier: Apache-2.0
// The test pod runner plans processes from the StatefulSet kubectl-vc renders: the manifests
// we ship are what the integration tests run, so the mapping must be exact.
#include "pod_plan.h"

#include <gtest/gtest.h>

#include "vc/cli/render/host_objects.h"

namespace vc::testing {
namespace {

using nlohmann::json;

TEST(PodPlanTest, ExpandVarsFollowsKubelet) {
  std::map<std::string, std::string> env = {{"A", "1"}, {"B", "two"}};
  EXPECT_EQ(ExpandVars("--port=$(A)", env), "--port=1");
  EXPECT_EQ(ExpandVars("$(A)$(B)", env), "1two");
  EXPECT_EQ(ExpandVars("$(MISSING)", env), "$(MISSING)");
  EXPECT_EQ(ExpandVars("$$(A)", env), "$(A)");
  EXPECT_EQ(ExpandVars("$(A", env), "$(A");
}

json RenderedPod() {
  cli::render::VirtualCluster vc{.name = "dev-team", .namespace_ = "vcluster-dev-team"};
  json sts = cli::render::RenderStatefulSet(vc);
  json pod = sts["spec"]["template"];
  pod["metadata"]["name"] = "dev-team-0";
  pod["metadata"]["namespace"] = "vcluster-dev-team";
  pod["metadata"]["uid"] = "uid-1";
  pod["spec"]["nodeName"] = "node-1";
  pod["spec"]["volumes"] = json::array(
      {{{"name", "data"}, {"persistentVolumeClaim", {{"claimName", "data-dev-team-0"}}}},
       {{"name", "tmp"}, {"emptyDir", json::object()}}});
  return pod;
}

PlanInput Input(json pod) {
  int next = 40000;
  return {std::move(pod),
          {{"kine", "/bin/kine"},
           {"kube-apiserver", "/bin/kube-apiserver"},
           {"kube-controller-manager", "/bin/kube-controller-manager"},
           {"vc-syncer", "/build/vc-syncer"}},
          {{"data", "/tmp/claims/u1"}, {"tmp", "/tmp/pods/u1/volumes/tmp"}},
          {{"KUBERNETES_SERVICE_HOST", "127.0.0.1"}},
          [next]() mutable { return next++; }};
}

TEST(PodPlanTest, RenderedControlPlaneRunsWithUniquePortsAndMappedPaths) {
  auto plan = PlanPod(Input(RenderedPod()));
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->processes.size(), 6u);  // init + kine, apiserver, kcm, syncer, snapshot
  EXPECT_TRUE(plan->processes[0].init);
  EXPECT_EQ(plan->processes[0].argv[0], "/build/vc-syncer");
  EXPECT_EQ(plan->processes[0].argv[1], "init");

  const ProcessPlan* kine = nullptr;
  const ProcessPlan* apiserver = nullptr;
  for (const auto& p : plan->processes) {
    if (p.container == "kine") kine = &p;
    if (p.container == "kube-apiserver") apiserver = &p;
  }
  ASSERT_TRUE(kine && apiserver);
  EXPECT_FALSE(kine->init) << "a sidecar runs beside the containers, not to completion before";
  // One port per env name across the pod: kine's listener is the apiserver's etcd.
  const std::string kine_port = kine->env.at("VC_KINE_PORT");
  EXPECT_NE(kine_port, "2379");
  EXPECT_EQ(apiserver->env.at("VC_KINE_PORT"), kine_port);
  auto has = [](const ProcessPlan& p, const std::string& arg) {
    return std::find(p.argv.begin(), p.argv.end(), arg) != p.argv.end();
  };
  EXPECT_TRUE(has(*kine, "--listen-address=127.0.0.1:" + kine_port));
  EXPECT_TRUE(has(*apiserver, "--etcd-servers=http://127.0.0.1:" + kine_port));
  EXPECT_TRUE(has(*apiserver, "--bind-address=127.0.0.1"));
  EXPECT_TRUE(has(*apiserver, "--tls-cert-file=/tmp/claims/u1/pki/apiserver.crt"));
  EXPECT_TRUE(has(*kine,
                  "--endpoint=sqlite:///tmp/claims/u1/state.db?_journal=WAL&cache=shared&"
                  "_busy_timeout=30000"));
  // The apiserver's containerPort 8443 forwards to its local port.
  EXPECT_EQ(plan->ports.at(8443), std::stoi(apiserver->env.at("VC_APISERVER_PORT")));
  EXPECT_EQ(apiserver->env.at("POD_NAMESPACE"), "vcluster-dev-team");
  // The snapshot endpoint's containerPort 8444 forwards to its local port too.
  const ProcessPlan* snapshot = nullptr;
  for (const auto& p : plan->processes) {
    if (p.container == "snapshot") snapshot = &p;
  }
  ASSERT_TRUE(snapshot);
  EXPECT_EQ(plan->ports.at(8444), std::stoi(snapshot->env.at("VC_SNAPSHOT_PORT")));
  EXPECT_TRUE(has(*snapshot, "--port=" + snapshot->env.at("VC_SNAPSHOT_PORT")));
  EXPECT_TRUE(has(*snapshot, "--data-dir=/tmp/claims/u1"));
}

TEST(PodPlanTest, UnknownImageIsAClearError) {
  json pod = RenderedPod();
  pod["spec"]["containers"][0]["image"] = "example.com/other:1";
  auto plan = PlanPod(Input(pod));
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("no local binary for image example.com/other:1"),
            std::string::npos);
}

TEST(PodPlanTest, WorkloadImageWithoutCommandGetsItsContainerPort) {
  json pod = json::parse(R"({"metadata": {"name": "web-0", "namespace": "t", "uid": "u"},
    "spec": {"nodeName": "n", "containers": [{"name": "web", "image": "nginx:1.27",
             "ports": [{"containerPort": 80}]}]}})");
  PlanInput input;
  input.pod = pod;
  input.binaries = {{"nginx", "/stand-ins/nginx"}};
  int next = 40000;
  input.allocate_port = [&] { return next++; };
  auto plan = PlanPod(input);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  ASSERT_EQ(plan->processes.size(), 1u);
  EXPECT_EQ(plan->processes[0].argv, std::vector<std::string>{"/stand-ins/nginx"});
  EXPECT_EQ(plan->ports.at(80), 40000);
  EXPECT_EQ(plan->processes[0].env.at("VC_CONTAINER_PORT_80"), "40000");
  EXPECT_EQ(Repository("registry.example:5000/team/nginx@sha256:abc"), "nginx");
}

}  // namespace
}  // namespace vc::testing
