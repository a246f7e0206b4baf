// SPDX-License-Identifier: Apache-2.0
// A pod's /etc/hosts with its virtual FQDN: the rename of the kubelet's file, and what the pod
// translator adds to a host pod with a subdomain (and leaves alone otherwise).
#include <gtest/gtest.h>

#include "vc/labels.h"
#include "vc/syncer/translate/hosts_file.h"
#include "vc/syncer/translate/pod_translator.h"

namespace vc::syncer::translate {
namespace {

using nlohmann::json;

const Tenant kTenant{.name = "t1", .host_namespace = "vcluster-t1", .trust_level = "high"};
const PodEnvironment kEnv{.apiserver_host = "10.96.0.42",
                          .cluster_domain = "tenant.local",
                          .hosts_image = "registry.example/vc-syncer:v1"};

// What the host's kubelet writes a pod with hostname web-0 and subdomain web
// (pkg/kubelet/kubelet_pods.go managedHostsFileContent), with a hostAlias.
constexpr const char* kKubeletHosts =
    "# Kubernetes-managed hosts file.\n"
    "127.0.0.1\tlocalhost\n"
    "::1\tlocalhost ip6-localhost ip6-loopback\n"
    "fe00::0\tip6-localnet\n"
    "10.244.1.7\tweb-0.web.vcluster-t1.svc.cluster.local\tweb-0\n"
    "fd00::7\tweb-0.web.vcluster-t1.svc.cluster.local\tweb-0\n"
    "\n"
    "# Entries added by HostAliases.\n"
    "10.1.2.3\tfoo.local\tweb-0.web.vcluster-t1.svc.elsewhere\n";

TEST(HostsFileTest, TheHostFqdnBecomesTheVirtualOneAndTheRestStays) {
  const HostsRename rename{.host_prefix = "web-0.web.vcluster-t1.svc.",
                           .fqdn = "web-0.web.shop.svc.tenant.local"};
  EXPECT_EQ(RenameInHostsFile(kKubeletHosts, rename),
            "# Kubernetes-managed hosts file.\n"
            "127.0.0.1\tlocalhost\n"
            "::1\tlocalhost ip6-localhost ip6-loopback\n"
            "fe00::0\tip6-localnet\n"
            "10.244.1.7\tweb-0.web.shop.svc.tenant.local\tweb-0\n"
            "fd00::7\tweb-0.web.shop.svc.tenant.local\tweb-0\n"
            "\n"
            "# Entries added by HostAliases.\n"
            "10.1.2.3\tfoo.local\tweb-0.web.shop.svc.tenant.local\n");
  // Only whole names that start with the prefix and go on; never the address field, comments,
  // or the bare prefix.
  EXPECT_EQ(RenameInHostsFile("web-0.web.vcluster-t1.svc.x a # web-0.web.vcluster-t1.svc.x\n"
                              "1.2.3.4 web-0.web.vcluster-t1.svc.\n1.2.3.4  x  ",
                              rename),
            "web-0.web.vcluster-t1.svc.x a # web-0.web.vcluster-t1.svc.x\n"
            "1.2.3.4 web-0.web.vcluster-t1.svc.\n1.2.3.4  x  ");
  EXPECT_EQ(RenameInHostsFile("", rename), "");
}

json VirtualPod(const std::string& extra_spec) {
  return json::parse(R"({"apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "web-0", "namespace": "shop", "uid": "u"},
    "spec": {"subdomain": "web", )" +
                     extra_spec + R"(
      "containers": [{"name": "app", "image": "nginx",
                      "resources": {"requests": {"cpu": "50m", "memory": "32Mi",
                                                 "example.com/gpu": "1"},
                                    "limits": {"memory": "64Mi"}}},
                     {"name": "side", "image": "busybox",
                      "volumeMounts": [{"name": "own", "mountPath": "/etc/hosts"}]}],
      "initContainers": [{"name": "setup", "image": "busybox"}],
      "volumes": [{"name": "own", "emptyDir": {}}]}})");
}

TEST(HostsFileTest, APodWithASubdomainGetsTheInitContainerAndEveryMount) {
  const json h = TranslatePod(VirtualPod(""), kTenant, SyncConfig{}, kEnv).host_pod;
  EXPECT_EQ(h["metadata"]["annotations"].value(labels::kHostsFile, ""), "true");
  const json& spec = h["spec"];
  ASSERT_EQ(spec["initContainers"].size(), 2u) << spec.dump(2);
  const json& ours = spec["initContainers"][0];
  EXPECT_EQ(ours["name"], kHostsContainer);
  EXPECT_EQ(ours["image"], "registry.example/vc-syncer:v1");
  EXPECT_EQ(ours["args"],
            json::array({"hosts-file", "--from=web-0.web.vcluster-t1.svc.",
                         "--to=web-0.web.shop.svc.tenant.local", "--out=/kubectl-vc-hosts/hosts"}));
  EXPECT_EQ(ours["securityContext"]["runAsNonRoot"], true);
  EXPECT_EQ(ours["securityContext"]["allowPrivilegeEscalation"], false);
  EXPECT_EQ(ours["securityContext"]["capabilities"]["drop"], json::array({"ALL"}));
  // CPU and memory of the first container, nothing else: the pod's effective resources stay.
  EXPECT_EQ(ours["resources"], json::parse(R"({"requests": {"cpu": "50m", "memory": "32Mi"},
                            "limits": {"memory": "64Mi"}})"));
  const json mount = {{"name", kHostsVolume}, {"mountPath", "/etc/hosts"}, {"subPath", "hosts"}};
  EXPECT_EQ(spec["initContainers"][1]["name"], "setup");
  EXPECT_EQ(spec["initContainers"][1]["volumeMounts"], json::array({mount}));
  EXPECT_EQ(spec["containers"][0]["volumeMounts"].back(), mount);
  // A container with its own /etc/hosts keeps it.
  EXPECT_EQ(spec["containers"][1]["volumeMounts"].size(), 1u);
  EXPECT_EQ(spec["volumes"].back(),
            json::parse(R"({"name": "kubectl-vc-hosts", "emptyDir": {"sizeLimit": "1Mi"}})"));
}

TEST(HostsFileTest, PodsWithoutASubdomainOrOnTheHostNetworkOrUsingTheNamesKeepTheKubeletsFile) {
  for (const std::string& case_spec :
       {std::string(R"("hostNetwork": true,)"), std::string(R"("subdomain": "",)"),
        std::string("name with a dot")}) {
    json vpod = VirtualPod(case_spec.front() == '"' ? case_spec : "");
    if (case_spec.find(R"("subdomain")") != std::string::npos) vpod["spec"]["subdomain"] = "";
    // A name that cannot be a hostname: the kubelet's is the host pod's, not one we know.
    if (case_spec == "name with a dot") vpod["metadata"]["name"] = "web.0";
    const json h = TranslatePod(vpod, kTenant, SyncConfig{}, kEnv).host_pod;
    EXPECT_EQ(h["spec"]["initContainers"].size(), 1u) << case_spec;
    EXPECT_FALSE(h["metadata"]["annotations"].contains(labels::kHostsFile)) << case_spec;
  }
  json named = VirtualPod("");
  named["spec"]["volumes"].push_back({{"name", kHostsVolume}, {"emptyDir", json::object()}});
  const json h = TranslatePod(named, kTenant, SyncConfig{}, kEnv).host_pod;
  EXPECT_EQ(h["spec"]["initContainers"].size(), 1u);
  EXPECT_FALSE(h["metadata"]["annotations"].contains(labels::kHostsFile));
  // No image given: nothing to run.
  PodEnvironment no_image = kEnv;
  no_image.hosts_image.clear();
  EXPECT_EQ(TranslatePod(VirtualPod(""), kTenant, SyncConfig{}, no_image)
                .host_pod["spec"]["initContainers"]
                .size(),
            1u);
}

TEST(HostsFileTest, TheInitContainersStatusStaysOnTheHost) {
  json host = TranslatePod(VirtualPod(""), kTenant, SyncConfig{}, kEnv).host_pod;
  host["status"] = json::parse(R"({"phase": "Running", "initContainerStatuses": [
      {"name": "kubectl-vc-hosts", "ready": true}, {"name": "setup", "ready": true}]})");
  EXPECT_EQ(VirtualPodStatus(host)["initContainerStatuses"],
            json::parse(R"([{"name": "setup", "ready": true}])"));
  // Without the annotation a tenant's own init container of that name is shown.
  host["metadata"]["annotations"].erase(labels::kHostsFile);
  EXPECT_EQ(VirtualPodStatus(host)["initContainerStatuses"].size(), 2u);
}

}  // namespace
}  // namespace vc::syncer::translate
