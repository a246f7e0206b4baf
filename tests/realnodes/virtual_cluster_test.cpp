// SPDX-License-Identifier: Apache-2.0
// `kubectl vc create` on a host whose nodes are real: the control-plane pod runs in containerd
// from the images built from this tree (vc-syncer) and upstream (kube-apiserver, kine), and a
// pod created in the virtual cluster runs as a real container on a real node. Needs root.
#include <filesystem>

#include "realnodes/real_cluster.h"

namespace vc::testing {
namespace {

class RealVirtualClusterTest : public RealClusterTest {
 protected:
  void SetUp() override {
    RealClusterTest::SetUp();
    if (HasFatalFailure()) return;
    home_ = std::make_unique<TempDir>("vc-real-home");
    std::filesystem::create_directories(home_->path() + "/.kube");
    std::filesystem::copy_file(dir_ + "/kubeconfig", home_->path() + "/.kube/config");
  }

  void TearDown() override {
    if (created_) Vc({"delete", "vc1", "-n", ns_, "--wait", "--timeout", "90s"});
    RealClusterTest::TearDown();
  }

  // kubectl-vc (or, with kubectl = true, kubectl) as a user runs it: its own HOME and
  // kubeconfig, which `create` and `connect` switch to the virtual cluster.
  Ran Vc(std::vector<std::string> args, bool kubectl = false) {
    const std::string bin = ClusterValue(dir_, "BIN");
    std::string cmd = "HOME='" + home_->path() + "' KUBECONFIG='" + home_->path() +
                      "/.kube/config' KUBECTL_PATH='" + bin + "/kubectl' PATH='" + bin + ":" +
                      Env("PATH") + "' exec '" + (kubectl ? bin + "/kubectl" : VC_KUBECTL_VC_BIN) +
                      "'";
    for (const auto& a : args) cmd += " '" + a + "'";
    return RunCommand({"/bin/sh", "-c", cmd}, scratch_->path(), std::chrono::seconds(300));
  }

  std::unique_ptr<TempDir> home_;
  bool created_ = false;
};

TEST_F(RealVirtualClusterTest, ControlPlaneAndTenantPodRunAsRealContainers) {
  created_ = true;
  Ran created = Vc({"create", "vc1", "-n", ns_, "--timeout", "4m"});
  ASSERT_EQ(created.code, 0) << created.out << Kubectl({"describe", "pod", "vc1-0"}).out;
  // Its state on a volume of the host's default StorageClass (local-path-provisioner).
  EXPECT_EQ(Get("pvc/data-vc1-0", "{.status.phase}"), "Bound");
  // The control plane is a real pod on a real node, in containerd.
  const std::string node = Get("pod/vc1-0", "{.spec.nodeName}");
  EXPECT_TRUE(node == NodeName(1) || node == NodeName(2)) << node;
  EXPECT_NE(Get("pod/vc1-0", "{.status.containerStatuses[0].containerID}").rfind("containerd://", 0),
            std::string::npos);
  // The seed's first look inside: kine's SQLite database, from the syncer container.
  Ran ls = Kubectl({"exec", "vc1-0", "-c", "syncer", "--", "ls", "-l", "/data/state.db"});
  EXPECT_EQ(ls.code, 0) << ls.out;
  EXPECT_NE(ls.out.find("/data/state.db"), std::string::npos) << ls.out;

  // Inside the virtual cluster: a pod that runs nginx for real on the host.
  Ran run = Vc({"run", "web", "--image=nginx:1.27", "--port=80"}, true);
  ASSERT_EQ(run.code, 0) << run.out;
  const std::string host_pod = "pod/web-x-default-x-vc1";
  EXPECT_TRUE(Eventually([&] { return Get(host_pod, "{.status.phase}") == "Running"; },
                         std::chrono::seconds(120)))
      << Kubectl({"describe", host_pod}).out;
  EXPECT_TRUE(Eventually([&] {
    return Vc({"get", "pod", "web", "-o", "jsonpath={.status.phase}"}, true).out == "Running";
  }, std::chrono::seconds(60)));
  // Its logs through the syncer's kubelet relay: nginx's start-up notices.
  Ran logs = Vc({"exec", "web", "--", "cat", "/etc/nginx/nginx.conf"}, true);
  EXPECT_EQ(logs.code, 0) << logs.out;
  EXPECT_NE(logs.out.find("worker_processes"), std::string::npos) << logs.out;

  // DNS inside the virtual cluster, for real: its CoreDNS (a synced pod) answers a tenant pod
  // for the tenant's own Service, which then serves nginx's page by name. And the seed's
  // `kubectl run --rm -i` (attach through the relay; the command may end before kubectl
  // attaches, then kubectl shows its logs), whose connection failing must not break the next
  // command through kubectl vc connect's forwarder.
  ASSERT_EQ(Vc({"expose", "pod", "web", "--port=80"}, true).code, 0);
  Ran dns_ready = Vc({"-n", "kube-system", "rollout", "status", "deployment/coredns",
                      "--timeout=120s"},
                     true);
  ASSERT_EQ(dns_ready.code, 0) << dns_ready.out;
  Ran dns = Vc({"run", "dns", "--image=busybox:1.28", "--rm", "-i", "--restart=Never", "--",
                "sh", "-c",
                "nslookup web.default.svc.cluster.local && timeout 20 wget -qO- http://web/"},
               true);
  EXPECT_EQ(dns.code, 0) << dns.out;
  EXPECT_NE(dns.out.find("Name:\tweb.default.svc.cluster.local"), std::string::npos) << dns.out;
  EXPECT_NE(dns.out.find("<title>Welcome to nginx!</title>"), std::string::npos) << dns.out;
  for (int i = 0; i < 2; ++i) {
    Ran quick = Vc({"run", "quick" + std::to_string(i), "--image=busybox:1.28", "--rm", "-i",
                    "--restart=Never", "--", "echo", "done"},
                   true);
    EXPECT_EQ(quick.code, 0) << quick.out;
    EXPECT_NE(quick.out.find("done"), std::string::npos) << quick.out;
  }
  EXPECT_EQ(Vc({"get", "pods"}, true).code, 0) << "the forward still serves";
}

}  // namespace
}  // namespace vc::testing
