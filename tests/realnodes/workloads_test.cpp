// SPDX-License-Identifier: Apache-2.0
// Real containers on the real nodes of the local host cluster: what a user of kind expects to
// work, from images built offline (tests/cluster/images) and pulled from the cluster's own
// registry. Needs root; CTest brings the cluster up (fixture real_cluster).
#include "realnodes/real_cluster.h"

namespace vc::testing {
namespace {

// nginx (Debian's, in our image) behind a Service, pinned to node 1.
std::string Nginx(const std::string& node, const std::string& name = "web") {
  return R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: )" +
         name + R"(}
spec:
  replicas: 1
  selector: {matchLabels: {app: )" +
         name + R"(}}
  template:
    metadata: {labels: {app: )" +
         name + R"(}}
    spec:
      nodeName: )" +
         node + R"(
      containers: [{name: nginx, image: nginx:1.27, ports: [{containerPort: 80}]}]
---
apiVersion: v1
kind: Service
metadata: {name: )" +
         name + R"(}
spec:
  selector: {app: )" +
         name + R"(}
  ports: [{port: 80, targetPort: 80}]
)";
}

// A busybox pod that runs `script` once on `node`.
std::string Busybox(const std::string& name, const std::string& node, const std::string& script,
                    const std::string& image = "busybox:1.28",
                    const std::string& pull_policy = "IfNotPresent") {
  return R"(apiVersion: v1
kind: Pod
metadata: {name: )" +
         name + R"(}
spec:
  nodeName: )" +
         node + R"(
  restartPolicy: Never
  terminationGracePeriodSeconds: 0
  containers:
    - name: c
      image: )" +
         image + R"(
      imagePullPolicy: )" +
         pull_policy + R"(
      command: [sh, -c, ')" +
         script + R"(']
)";
}

using RealNodesTest = RealClusterTest;

TEST_F(RealNodesTest, NodesRunContainerd2WithTheControlPlanesVersion) {
  for (int i : {1, 2}) {
    EXPECT_EQ(Get("node/" + NodeName(i), "{.status.nodeInfo.containerRuntimeVersion}")
                  .rfind("containerd://2.", 0),
              0u)
        << NodeName(i);
    const std::string kubelet = Get("node/" + NodeName(i), "{.status.nodeInfo.kubeletVersion}");
    ASSERT_FALSE(kubelet.empty());
    const std::string server = Kubectl({"get", "--raw", "/version"}, false).out;
    EXPECT_NE(server.find("\"gitVersion\": \"" + kubelet + "\""), std::string::npos) << server;
  }
}

TEST_F(RealNodesTest, NginxServesAPodOnTheOtherNodeThroughItsClusterIpAndName) {
  ASSERT_EQ(Apply(Nginx(NodeName(1))).code, 0);
  ASSERT_EQ(Kubectl({"rollout", "status", "deployment/web", "--timeout=90s"}).code, 0)
      << Kubectl({"describe", "pods"}).out;
  const std::string ip = Get("service/web", "{.spec.clusterIP}");
  ASSERT_FALSE(ip.empty());
  // busybox's wget -T crashes in Debian's static build; `timeout` bounds it instead.
  ASSERT_EQ(Apply(Busybox("client", NodeName(2),
                          "timeout 20 wget -qO- http://" + ip +
                              "/ && timeout 20 wget -qO- "
                              "http://web." +
                              ns_ + ".svc.cluster.local/"))
                .code,
            0);
  ASSERT_TRUE(WaitPhase("client", "Succeeded"));
  const std::string page = Kubectl({"logs", "client"}).out;
  // Twice: once through the ClusterIP, once through the name.
  const size_t first = page.find("<title>Welcome to nginx!</title>");
  ASSERT_NE(first, std::string::npos) << page;
  EXPECT_NE(page.find("<title>Welcome to nginx!</title>", first + 1), std::string::npos) << page;
}

TEST_F(RealNodesTest, NginxServesAPodOnTheOtherNodeThroughTheIngressController) {
  ASSERT_EQ(Apply(Nginx(NodeName(1))).code, 0);
  const std::string host = "web." + ns_ + ".test";
  // No class: the cluster's default IngressClass (Traefik) serves it.
  ASSERT_EQ(Kubectl({"create", "ingress", "web", "--rule=" + host + "/*=web:80"}).code, 0);
  ASSERT_EQ(Kubectl({"rollout", "status", "deployment/web", "--timeout=90s"}).code, 0);
  EXPECT_EQ(Get("ingress/web", "{.spec.ingressClassName}"), "traefik");
  // The controller took it: it publishes where it serves in the Ingress's status.
  EXPECT_TRUE(Eventually([&] {
    return Get("ingress/web", "{.status.loadBalancer.ingress[0].hostname}") ==
           "traefik.traefik.svc.cluster.local";
  })) << Kubectl({"get", "ingress", "web", "-o", "yaml"}).out;
  // From node 2, by the controller's name, with the Ingress's Host (polled until the controller
  // has the route), then a Host no Ingress names.
  ASSERT_EQ(Apply(Busybox("client", NodeName(2),
                          "for i in $(seq 60); do timeout 5 wget --header \"Host: " + host +
                              "\" -qO- http://traefik.traefik.svc.cluster.local/ && break; "
                              "sleep 1; done; timeout 5 wget --header \"Host: nobody.test\" "
                              "-qO- http://traefik.traefik.svc.cluster.local/; true"))
                .code,
            0);
  ASSERT_TRUE(WaitPhase("client", "Succeeded", std::chrono::seconds(150)));
  const std::string out = Kubectl({"logs", "client"}).out;
  EXPECT_NE(out.find("<title>Welcome to nginx!</title>"), std::string::npos) << out;
  EXPECT_NE(out.find("404 Not Found"), std::string::npos) << out;
}

TEST_F(RealNodesTest, NslookupAnswersTheClusterDomainAndForwardsNothing) {
  ASSERT_EQ(Apply(Busybox("dns", NodeName(2),
                          "nslookup kubernetes.default.svc.cluster.local; "
                          "nslookup example.com; true"))
                .code,
            0);
  ASSERT_TRUE(WaitPhase("dns", "Succeeded"));
  const std::string out = Kubectl({"logs", "dns"}).out;
  const std::string kubernetes =
      Kubectl({"get", "service", "kubernetes", "-n", "default", "-o", "jsonpath={.spec.clusterIP}"},
              false)
          .out;
  ASSERT_FALSE(kubernetes.empty());
  EXPECT_NE(out.find("Name:\tkubernetes.default.svc.cluster.local\nAddress: " + kubernetes + "\n"),
            std::string::npos)
      << out;
  // Nothing outside the cluster domain resolves: CoreDNS forwards nowhere.
  EXPECT_NE(out.find("can't find example.com: NXDOMAIN"), std::string::npos) << out;
}

TEST_F(RealNodesTest, LogsExecPortForwardAndAttachReachTheContainer) {
  ASSERT_EQ(Apply(Nginx(NodeName(2))).code, 0);
  ASSERT_EQ(Kubectl({"rollout", "status", "deployment/web", "--timeout=90s"}).code, 0);
  // exec: a file only the image has.
  Ran exec = Kubectl({"exec", "deploy/web", "--", "cat", "/etc/debian_version"});
  EXPECT_EQ(exec.code, 0) << exec.out;
  EXPECT_FALSE(exec.out.empty());
  // port-forward, then a request that the access log (logs) records.
  const int port = FreePort();
  TempDir pf_dir("vc-pf");
  auto pf = ChildProcess::Start("port-forward",
                                {kubectl_, "--kubeconfig", dir_ + "/kubeconfig", "-n", ns_,
                                 "port-forward", "deployment/web", std::to_string(port) + ":80"},
                                pf_dir.path() + "/pf.log");
  ASSERT_TRUE(pf.ok());
  std::string page;
  ASSERT_TRUE(Eventually([&] {
    page = LoopbackHttpBody(port, "/from-the-test");
    return !page.empty();
  })) << (*pf)->LogTail();
  EXPECT_NE(page.find("404 Not Found"), std::string::npos) << page;
  EXPECT_TRUE(Eventually([&] {
    return Kubectl({"logs", "deploy/web"}).out.find("GET /from-the-test") != std::string::npos;
  }));
  // attach: what the client sends reaches the container's stdin, and what it prints comes
  // back. stdinOnce: the client's end of input closes the container's stdin, so it exits
  // after answering and the attach ends with its output delivered.
  ASSERT_EQ(Apply(R"(apiVersion: v1
kind: Pod
metadata: {name: echo}
spec:
  nodeName: )" + NodeName(1) +
                  R"(
  restartPolicy: Never
  terminationGracePeriodSeconds: 0
  containers:
    - name: c
      image: busybox:1.36
      stdin: true
      stdinOnce: true
      command: [sh, -c, 'while read line; do echo "got $line"; done']
)")
                .code,
            0);
  ASSERT_TRUE(WaitPhase("echo", "Running"));
  const std::string input = pf_dir.path() + "/input";
  std::ofstream(input) << "hello-attach\n";
  Ran attached = RunCommand({"/bin/sh", "-c",
                             "'" + kubectl_ + "' --kubeconfig '" + dir_ + "/kubeconfig' -n " + ns_ +
                                 " attach -i echo < '" + input + "'"},
                            pf_dir.path());
  EXPECT_NE(attached.out.find("got hello-attach"), std::string::npos) << attached.out;
}

TEST_F(RealNodesTest, AContainerOverItsMemoryLimitIsOomKilledByTheKernel) {
  // tail buffers /dev/zero's endless line in memory.
  ASSERT_EQ(Apply(R"(apiVersion: v1
kind: Pod
metadata: {name: hog}
spec:
  nodeName: )" + NodeName(1) +
                  R"(
  restartPolicy: Never
  containers:
    - name: c
      image: busybox:1.36
      command: [tail, /dev/zero]
      resources: {limits: {memory: 32Mi}}
)")
                .code,
            0);
  ASSERT_TRUE(WaitPhase("hog", "Failed"));
  EXPECT_EQ(Get("pod/hog", "{.status.containerStatuses[0].state.terminated.reason}"), "OOMKilled");
  EXPECT_EQ(Get("pod/hog", "{.status.containerStatuses[0].state.terminated.exitCode}"), "137");
}

TEST_F(RealNodesTest, AFailingReadinessProbeKeepsThePodOutOfItsServicesEndpoints) {
  ASSERT_EQ(Apply(Nginx(NodeName(1))).code, 0);
  // A second pod behind the same Service whose readiness probe never passes.
  ASSERT_EQ(Apply(R"(apiVersion: v1
kind: Pod
metadata: {name: unready, labels: {app: web}}
spec:
  nodeName: )" + NodeName(2) +
                  R"(
  containers:
    - name: nginx
      image: nginx:1.27
      readinessProbe: {exec: {command: ["false"]}, periodSeconds: 1}
)")
                .code,
            0);
  ASSERT_EQ(Kubectl({"rollout", "status", "deployment/web", "--timeout=90s"}).code, 0);
  ASSERT_TRUE(WaitPhase("unready", "Running"));
  const std::string ready_ip =
      Get("pods", "{.items[?(@.metadata.name!=\"unready\")].status.podIP}");
  const std::string unready_ip = Get("pod/unready", "{.status.podIP}");
  ASSERT_FALSE(unready_ip.empty());
  const std::string slices = "endpointslices";
  const std::string ready =
      "{range .items[*].endpoints[?(@.conditions.ready==true)]}{.addresses[0]} {end}";
  const std::string not_ready =
      "{range .items[*].endpoints[?(@.conditions.ready==false)]}{.addresses[0]} {end}";
  ASSERT_TRUE(Eventually(
      [&] {
        return Kubectl({"get", slices, "-l", "kubernetes.io/service-name=web", "-o",
                        "jsonpath=" + not_ready})
                   .out.find(unready_ip) != std::string::npos;
      },
      std::chrono::seconds(60)));
  const std::string serving =
      Kubectl({"get", slices, "-l", "kubernetes.io/service-name=web", "-o", "jsonpath=" + ready})
          .out;
  EXPECT_EQ(serving, ready_ip + " ");
  EXPECT_EQ(Get("pod/unready", "{.status.containerStatuses[0].ready}"), "false");
}

TEST_F(RealNodesTest, AnImageWeDidNotBuildFailsToPullFromTheLocalRegistryOnly) {
  ASSERT_EQ(Apply(Busybox("missing", NodeName(1), "true", "quay.io/nobody/not-built:1")).code, 0);
  std::string events;
  ASSERT_TRUE(Eventually(
      [&] {
        events = Kubectl({"get", "events", "--field-selector", "involvedObject.name=missing", "-o",
                          "jsonpath={range .items[*]}{.reason}: {.message}{\"\\n\"}{end}"})
                     .out;
        return events.find("Failed: ") != std::string::npos;
      },
      std::chrono::seconds(60)))
      << events;
  EXPECT_NE(events.find("not found"), std::string::npos) << events;
  // Asked of the cluster's own registry, under the registry's name (its access log).
  std::ifstream log(dir_ + "/logs/registry.log");
  std::ostringstream registry;
  registry << log.rdbuf();
  EXPECT_NE(registry.str().find("/v2/quay.io/nobody/not-built/manifests/1"), std::string::npos);
}

TEST_F(RealNodesTest, PullPolicyAlwaysPullsFromTheLocalRegistryEveryTime) {
  // Twice on one node: the second pod finds the image present and still asks the registry.
  const std::string image = "docker.io/library/busybox:1.36";
  auto registry_asks = [&] {
    std::ifstream log(dir_ + "/logs/registry.log");
    int n = 0;
    for (std::string line; std::getline(log, line);) {
      if (line.find("/library/busybox/manifests/1.36") != std::string::npos) ++n;
    }
    return n;
  };
  for (const std::string name : {"always-1", "always-2"}) {
    const int before = registry_asks();
    ASSERT_EQ(Apply(Busybox(name, NodeName(1), "echo ran", image, "Always")).code, 0);
    ASSERT_TRUE(WaitPhase(name, "Succeeded"));
    EXPECT_EQ(Kubectl({"logs", name}).out, "ran\n");
    const std::string events =
        Kubectl({"get", "events", "--field-selector", "involvedObject.name=" + name, "-o",
                 "jsonpath={range .items[*]}{.reason}: {.message}{\"\\n\"}{end}"})
            .out;
    EXPECT_NE(events.find("Pulled: Successfully pulled image \"" + image + "\""), std::string::npos)
        << events;
    EXPECT_EQ(events.find("already present"), std::string::npos) << events;
    EXPECT_GT(registry_asks(), before) << name << ": the local registry was not asked";
  }
}

}  // namespace
}  // namespace vc::testing
