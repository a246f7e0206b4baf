// SPDX-License-Identifier: Apache-2.0
// kubectl vc end to end, as a user runs it: create from a values file -> Ready -> connect ->
// kubectl works in the virtual cluster -> disconnect -> list -> pause -> resume (the virtual
// cluster's state survived) -> delete -> nothing of ours is left on the host.
#include <signal.h>

#include "integration/cli/cli_fixture.h"

namespace vc::testing {
namespace {

using nlohmann::json;

std::string CurrentContext(CliTest& t) {
  auto r = t.Kubectl({"config", "current-context"});
  std::string s = r.out;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

json ListJson(CliTest& t) {
  auto r = t.Run({"list", "-o", "json"});
  EXPECT_EQ(r.code, 0) << r.Both();
  auto doc = json::parse(r.out, nullptr, false);
  return doc.is_discarded() ? json() : doc;
}

std::string StatusInList(CliTest& t, const std::string& name) {
  for (const auto& item : ListJson(t).value("items", json::array())) {
    if (item.value("name", "") == name) return item.value("status", "");
  }
  return "<absent>";
}

TEST_F(CliTest, CreateConnectUsePauseResumeDelete) {
  const std::string values = home_->path() + "/dev-values.yaml";
  std::ofstream(values) << "# the seed's dev team\n"
                           "isolation:\n  trustLevel: high\n"
                           "policies:\n  resourceQuota:\n    enabled: true\n";
  const std::string host_context = CurrentContext(*this);
  ASSERT_FALSE(host_context.empty());
  Track("dev-team");

  auto created = Run({"create", "dev-team", "-f", values, "--timeout", "3m"});
  ASSERT_EQ(created.code, 0) << created.Both();
  EXPECT_NE(created.err.find("Applying"), std::string::npos) << created.err;
  EXPECT_EQ(CurrentContext(*this), "vc_dev-team_vcluster-dev-team_" + host_context);

  // The virtual cluster is a real one: its own namespaces (its apiserver makes kube-system
  // right after it starts), and writes stick.
  CliResult ns;
  EXPECT_TRUE(Eventually([&] {
    ns = Kubectl({"get", "ns", "-o", "name"});
    return ns.code == 0 && ns.out.find("namespace/kube-system") != std::string::npos;
  })) << ns.Both();
  EXPECT_EQ(ns.out.find("vcluster-dev-team"), std::string::npos) << "host namespaces leaked in";
  auto made = Kubectl({"create", "ns", "x"});
  ASSERT_EQ(made.code, 0) << made.Both();

  // Creating it again says so, and how to upgrade.
  auto again = Run({"create", "dev-team", "-f", values});
  EXPECT_EQ(again.code, 1);
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("--upgrade"), std::string::npos) << again.err;

  auto disconnected = Run({"disconnect"});
  ASSERT_EQ(disconnected.code, 0) << disconnected.Both();
  EXPECT_EQ(CurrentContext(*this), host_context);

  // --upgrade with the same values changes nothing, and leaves what the syncer made alone
  // (it once pruned the synced Services and Secrets as objects the values no longer held).
  auto synced_dns_uid = [&]() -> std::string {
    auto svc = client_->Get(kube::resources::kServices, "vcluster-dev-team",
                            "kube-dns-x-kube-system-x-dev-team");
    return svc.ok() ? svc->value("/metadata/uid"_json_pointer, std::string()) : std::string();
  };
  std::string dns_uid;
  ASSERT_TRUE(
      Eventually([&] { return !(dns_uid = synced_dns_uid()).empty(); }, std::chrono::seconds(60)))
      << "the virtual cluster's kube-dns Service never reached the host";
  auto upgraded = Run({"create", "dev-team", "-f", values, "--upgrade", "--connect=false"});
  ASSERT_EQ(upgraded.code, 0) << upgraded.Both();
  EXPECT_NE(upgraded.err.find("0 created, 0 configured"), std::string::npos) << upgraded.err;
  EXPECT_EQ(upgraded.err.find("pruned"), std::string::npos) << upgraded.err;
  EXPECT_EQ(synced_dns_uid(), dns_uid) << "the synced Service was deleted by --upgrade";

  EXPECT_EQ(StatusInList(*this, "dev-team"), "Running");
  auto table = Run({"list"});
  EXPECT_NE(table.out.find("NAME"), std::string::npos);
  EXPECT_NE(table.out.find("dev-team"), std::string::npos) << table.out;

  auto described = Run({"describe", "dev-team", "-o", "json"});
  ASSERT_EQ(described.code, 0) << described.Both();
  auto doc = json::parse(described.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << described.out;
  EXPECT_EQ(doc["trustLevel"], "high");
  EXPECT_EQ(doc["controlPlane"]["pod"], "dev-team-0");
  EXPECT_EQ(doc["values"]["isolation"]["trustLevel"], "high");

  // The syncer reports on itself: describe shows what each controller keeps synced and how
  // long changes take (from the annotation it writes on its pod), and /metrics on its health
  // port has the same counts (read here through the host API server's pod proxy).
  json pods_report;
  CliResult report;
  EXPECT_TRUE(Eventually(
      [&] {
        report = Run({"describe", "dev-team", "-o", "json"});
        const json d = json::parse(report.out, nullptr, false);
        if (!d.is_object() || !d.contains("sync")) return false;
        for (const json& c : d["sync"].value("controllers", json::array())) {
          if (c.value("name", "") == "pods" && c.value("synced", 0) >= 1 &&
              c.contains("lagToHost")) {
            pods_report = c;
          }
        }
        return !pods_report.is_null();
      },
      std::chrono::seconds(60)))
      << "no pods in the sync report (CoreDNS runs as a synced pod): " << report.Both();
  auto human = Run({"describe", "dev-team"});
  EXPECT_NE(human.out.find("LAG TO HOST"), std::string::npos) << human.Both();
  auto metrics = client_->Raw(
      {.path = "/api/v1/namespaces/vcluster-dev-team/pods/dev-team-0:8080/proxy/metrics",
       .accept = "text/plain"});
  ASSERT_TRUE(metrics.ok()) << metrics.status().message();
  EXPECT_EQ(metrics->status, 200) << metrics->body;
  for (const char* series :
       {"vc_syncer_reconciles_total{controller=\"pods\"}",
        "vc_syncer_synced_objects{controller=\"pods\"}",
        "vc_syncer_sync_lag_seconds_bucket{controller=\"pods\",direction=\"to_host\""}) {
    EXPECT_NE(metrics->body.find(series), std::string::npos) << series << " in\n" << metrics->body;
  }

  auto paused = Run({"pause", "dev-team"});
  ASSERT_EQ(paused.code, 0) << paused.Both();
  EXPECT_EQ(StatusInList(*this, "dev-team"), "Paused");
  EXPECT_TRUE(Eventually(
      [&] {
        auto pod = client_->Get(kube::resources::kPods, "vcluster-dev-team", "dev-team-0");
        return !pod.ok() && pod.status().code() == Code::kNotFound;
      },
      std::chrono::seconds(60)))
      << "the control-plane pod is still there after pause";

  auto resumed = Run({"resume", "dev-team", "--timeout", "3m"});
  ASSERT_EQ(resumed.code, 0) << resumed.Both();
  EXPECT_EQ(StatusInList(*this, "dev-team"), "Running");

  // The state survived the pause: namespace x is still there.
  // The command keeps a `--` of its own (as in `kubectl exec POD -- sh`): only the first is ours.
  auto one_shot =
      Run({"connect", "dev-team", "--", bin_ + "/kubectl", "get", "ns", "-o", "name", "--", "x"});
  ASSERT_EQ(one_shot.code, 0) << one_shot.Both();
  EXPECT_NE(one_shot.out.find("namespace/x"), std::string::npos) << one_shot.Both();
  EXPECT_EQ(CurrentContext(*this), host_context) << "connect -- COMMAND must not switch contexts";

  auto deleted = Run({"delete", "dev-team", "--wait", "--timeout", "2m"});
  ASSERT_EQ(deleted.code, 0) << deleted.Both();
  EXPECT_EQ(LeftOnHost("dev-team"), std::vector<std::string>{});
  EXPECT_EQ(StatusInList(*this, "dev-team"), "<absent>");
  auto contexts = Kubectl({"config", "get-contexts", "-o", "name"});
  EXPECT_EQ(contexts.out.find("vc_dev-team"), std::string::npos) << contexts.out;
}

TEST_F(CliTest, InvalidNamesAreRefusedBeforeTheHostIsContacted) {
  for (const std::string& name :
       std::vector<std::string>{"Dev_Team", "dev-", std::string(53, 'a')}) {
    auto r = Run({"create", name, "--kubeconfig", "/nonexistent"});
    EXPECT_EQ(r.code, 1) << r.Both();
    EXPECT_EQ(r.err.rfind("error: invalid virtual cluster name", 0), 0u) << r.err;
  }
}

TEST_F(CliTest, MistypedKeyNamesFileLineAndSuggestion) {
  const std::string values = home_->path() + "/typo.yaml";
  std::ofstream(values) << "sync:\n  toHost:\n    podz:\n      enabled: true\n";
  auto r = Run({"create", "typo", "-f", values});
  EXPECT_EQ(r.code, 1) << r.Both();
  EXPECT_NE(r.err.find(values + ":3:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("pods"), std::string::npos) << r.err;
  EXPECT_EQ(LeftOnHost("typo"), std::vector<std::string>{});
}

// ConfigMaps are mapped from a host namespace by a Role there; a namespace that does not exist
// is named with the fix before anything is made.
TEST_F(CliTest, AMappedNamespaceThatDoesNotExistIsRefusedBeforeAnythingIsMade) {
  const std::string values = home_->path() + "/mapped.yaml";
  std::ofstream(values) << "sync:\n  fromHost:\n    configMaps:\n      enabled: true\n"
                           "      mappings:\n        byName:\n"
                           "          \"no-such-namespace/*\": \"default/*\"\n";
  auto r = Run({"create", "mapped", "-f", values, "--connect=false"});
  EXPECT_EQ(r.code, 1) << r.Both();
  EXPECT_NE(r.err.find("host namespace no-such-namespace, which does not exist"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("kubectl create namespace no-such-namespace"), std::string::npos) << r.err;
  EXPECT_EQ(LeftOnHost("mapped"), std::vector<std::string>{});
}

TEST_F(CliTest, NamespaceHoldingAnotherVirtualClusterIsRefused) {
  const std::string ns = "vc-it-shared-" + std::to_string(getpid());
  const json namespace_object = {
      {"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}}};
  ASSERT_TRUE(client_->Create(kube::resources::kNamespaces, "", namespace_object).ok());
  // Another tool's virtual cluster (same labels as ours) already lives there.
  const json sts = json::parse(R"({
    "apiVersion": "apps/v1", "kind": "StatefulSet",
    "metadata": {"name": "other", "labels": {"app": "vcluster", "release": "other"}},
    "spec": {"replicas": 0, "serviceName": "other",
             "selector": {"matchLabels": {"app": "vcluster", "release": "other"}},
             "template": {"metadata": {"labels": {"app": "vcluster", "release": "other"}},
                          "spec": {"containers": [{"name": "c", "image": "x"}]}}}})");
  ASSERT_TRUE(client_->Create(kube::resources::kStatefulSets, ns, sts).ok());
  auto r = Run({"create", "mine", "-n", ns, "--connect=false"});
  EXPECT_EQ(r.code, 1) << r.Both();
  EXPECT_NE(r.err.find("already holds virtual cluster other"), std::string::npos) << r.err;
  EXPECT_EQ(LeftOnHost("mine"), std::vector<std::string>{});
  (void)client_->Delete(kube::resources::kNamespaces, "", ns);
}

TEST_F(CliTest, MissingPermissionSaysWhichVerbOnWhichResource) {
  auto r = Run(
      {"create", "nope", "--kubeconfig", ClusterDir() + "/limited.kubeconfig", "--connect=false"});
  EXPECT_EQ(r.code, 1) << r.Both();
  EXPECT_NE(r.err.find("cannot list resource \"statefulsets\""), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("kubectl auth can-i"), std::string::npos) << r.err;
}

TEST_F(CliTest, UnreachableHostNamesTheServer) {
  const std::string dead = home_->path() + "/dead.kubeconfig";
  const int port = FreePort();
  std::ofstream(dead) << "apiVersion: v1\nkind: Config\nclusters:\n- name: dead\n  cluster:\n"
                         "    server: https://127.0.0.1:"
                      << port
                      << "\n"
                         "    insecure-skip-tls-verify: true\n"
                         "contexts:\n- name: dead\n  context:\n    cluster: dead\n    user: u\n"
                         "users:\n- name: u\n  user:\n    token: t\n"
                         "current-context: dead\n";
  auto r = Run({"list", "--kubeconfig", dead, "--request-timeout", "5s"});
  EXPECT_EQ(r.code, 1) << r.Both();
  EXPECT_NE(r.err.find("cannot reach the host cluster"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("127.0.0.1:" + std::to_string(port)), std::string::npos) << r.err;
}

TEST_F(CliTest, InterruptedCreateResumesOrDeletesCleanly) {
  Track("intr");
  // Ctrl-C while create waits for the control plane.
  const std::string log = home_->path() + "/intr.log";
  auto child =
      ChildProcess::Start("kubectl-vc", {VC_KUBECTL_VC_BIN, "create", "intr"}, log, CliEnv());
  ASSERT_TRUE(child.ok()) << child.status().message();
  ASSERT_TRUE(Eventually(
      [&] { return client_->Get(kube::resources::kStatefulSets, "vcluster-intr", "intr").ok(); },
      std::chrono::seconds(60)))
      << (*child)->LogTail();
  ::kill((*child)->pid(), SIGINT);
  auto code = (*child)->WaitForExit(std::chrono::seconds(30));
  ASSERT_TRUE(code.has_value()) << (*child)->LogTail();
  EXPECT_EQ(*code, 1) << (*child)->LogTail();
  const std::string text = ReadAll(log);
  EXPECT_NE(text.find("interrupted"), std::string::npos) << text;
  EXPECT_NE(text.find("kubectl vc delete intr"), std::string::npos) << text;

  // Running create again finishes the job instead of saying it exists.
  auto resumed = Run({"create", "intr", "--connect=false"});
  ASSERT_EQ(resumed.code, 0) << resumed.Both();
  EXPECT_NE(resumed.err.find("resuming"), std::string::npos) << resumed.err;
  // As in the seed: --connect=false returns at once, and kubectl wait finds the pod.
  auto waited = Kubectl({"wait", "--for=condition=ready", "pod", "-l", "app=vcluster", "-n",
                         "vcluster-intr", "--timeout=120s"});
  EXPECT_EQ(waited.code, 0) << waited.Both();

  auto deleted = Run({"delete", "intr", "--wait", "--timeout", "2m"});
  ASSERT_EQ(deleted.code, 0) << deleted.Both();
  EXPECT_EQ(LeftOnHost("intr"), std::vector<std::string>{});
}

TEST_F(CliTest, UnschedulableControlPlaneIsShownWhileWaitingAndDiagnosed) {
  Track("stuck");
  auto r =
      Run({"create", "stuck", "--set",
           "controlPlane.statefulSet.scheduling.nodeSelector.no-such-label=x", "--timeout", "8s"});
  EXPECT_EQ(r.code, 1) << r.Both();
  // Shown as it happened, and again in the diagnosis.
  EXPECT_NE(r.err.find("! Pod stuck-0: FailedScheduling"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("did not become ready within 8s"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("seen: Pod stuck-0: FailedScheduling"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("kubectl -n vcluster-stuck describe pod stuck-0"), std::string::npos)
      << r.err;
  auto listed = Run({"list", "-o", "json"});
  EXPECT_NE(listed.out.find("\"Pending\""), std::string::npos) << listed.out;
}

TEST_F(CliTest, ExposeMakesTheServiceALoadBalancer) {
  Track("exposed");
  auto r = Run({"create", "exposed", "--expose", "--connect=false"});
  ASSERT_EQ(r.code, 0) << r.Both();
  auto service = client_->Get(kube::resources::kServices, "vcluster-exposed", "exposed");
  ASSERT_TRUE(service.ok()) << service.status().message();
  EXPECT_EQ((*service)["spec"]["type"], "LoadBalancer");
  auto described = Run({"describe", "exposed", "-o", "json"});
  auto doc = json::parse(described.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << described.Both();
  EXPECT_EQ(doc["endpoint"]["type"], "LoadBalancer");
  EXPECT_EQ(doc["values"]["controlPlane"]["service"]["spec"]["type"], "LoadBalancer");
}

// GitOps: `create --dry-run -o yaml` reads and writes nothing on the host, and what it prints,
// applied by kubectl (as Argo CD or Flux would), is a virtual cluster kubectl vc can use.
TEST_F(CliTest, DryRunOutputAppliedByKubectlIsAWorkingVirtualCluster) {
  Track("gitops");
  auto rendered = Run({"create", "gitops", "--dry-run", "-o", "yaml", "--set",
                       "networking.serviceCIDR=10.96.0.0/12"});
  ASSERT_EQ(rendered.code, 0) << rendered.Both();
  EXPECT_EQ(rendered.err, "") << "nothing assumed when the range is given";
  EXPECT_EQ(LeftOnHost("gitops"), std::vector<std::string>{});
  const std::string file = home_->path() + "/gitops.yaml";
  std::ofstream(file) << rendered.out;

  // The Tenant kind becomes known only once its definition is established; a GitOps tool
  // retries, and so does this.
  CliResult applied;
  ASSERT_TRUE(Eventually(
      [&] {
        applied = Kubectl({"apply", "--server-side", "--field-manager=gitops", "-f", file});
        return applied.code == 0;
      },
      std::chrono::seconds(60)))
      << applied.Both();
  EXPECT_TRUE(Eventually([&] { return StatusInList(*this, "gitops") == "Running"; },
                         std::chrono::seconds(180)))
      << Run({"describe", "gitops"}).Both();
  auto used =
      Run({"connect", "gitops", "--", bin_ + "/kubectl", "get", "ns", "kube-system", "-o", "name"});
  EXPECT_EQ(used.code, 0) << used.Both();
  EXPECT_NE(used.out.find("namespace/kube-system"), std::string::npos) << used.Both();
}

TEST_F(CliTest, PluginIsFoundByKubectlAndCompletes) {
  auto plugins = Kubectl({"plugin", "list"});
  EXPECT_NE(plugins.out.find("kubectl-vc"), std::string::npos) << plugins.Both();
  const std::string self = std::filesystem::path(VC_KUBECTL_VC_BIN).parent_path().string();
  auto verbs = Exec({self + "/kubectl_complete-vc", "cr"});
  EXPECT_EQ(verbs.out, "create\n:4\n") << verbs.Both();
  auto formats = Exec({self + "/kubectl_complete-vc", "list", "-o", "y"});
  EXPECT_EQ(formats.out, "yaml\n:4\n") << formats.Both();
  auto version = Kubectl({"vc", "version", "--client"});
  EXPECT_EQ(version.code, 0) << version.Both();
  EXPECT_NE(version.out.find("kubectl-vc: 0.1.0"), std::string::npos) << version.out;
}

}  // namespace
}  // namespace vc::testing
