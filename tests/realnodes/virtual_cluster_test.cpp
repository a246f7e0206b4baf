// SPDX-License-Identifier: Apache-2.0
// `kubectl vc create` on a host whose nodes are real: the control-plane pod runs in containerd
// from the images built from this tree (vc-syncer) and upstream (kube-apiserver, kine), and a
// pod created in the virtual cluster runs as a real container on a real node. Needs root.
#include <signal.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "realnodes/real_virtual_cluster.h"
#include "support/processes.h"

namespace vc::testing {
namespace {

TEST_F(RealVirtualClusterTest, ControlPlaneAndTenantPodRunAsRealContainers) {
  ASSERT_NO_FATAL_FAILURE(Create("vc1"));
  // Its state on a volume of the host's default StorageClass (local-path-provisioner).
  EXPECT_EQ(Get("pvc/data-vc1-0", "{.status.phase}"), "Bound");
  // The control plane is a real pod on a real node, in containerd.
  const std::string node = Get("pod/vc1-0", "{.spec.nodeName}");
  EXPECT_TRUE(node == NodeName(1) || node == NodeName(2)) << node;
  EXPECT_NE(
      Get("pod/vc1-0", "{.status.containerStatuses[0].containerID}").rfind("containerd://", 0),
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
  EXPECT_TRUE(Eventually(
      [&] {
        return Vc({"get", "pod", "web", "-o", "jsonpath={.status.phase}"}, true).out == "Running";
      },
      std::chrono::seconds(60)));
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
  Ran dns_ready =
      Vc({"-n", "kube-system", "rollout", "status", "deployment/coredns", "--timeout=120s"}, true);
  ASSERT_EQ(dns_ready.code, 0) << dns_ready.out;
  Ran dns =
      Vc({"run", "dns", "--image=busybox:1.28", "--rm", "-i", "--restart=Never", "--", "sh", "-c",
          // Polled, up to a minute: a Service just made reaches the node's kube-proxy
          // (and a re-addressed one the virtual DNS) a moment later; once (20 s) was
          // too short on a loaded CI machine.
          "nslookup web.default.svc.cluster.local && for i in $(seq 12); do "
          "timeout 5 wget -qO- http://web/ && exit 0; sleep 5; done; exit 1"},
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

// The kubelet side of a tenant's pod, for real: virtual kube-apiserver -> the syncer's kubelet
// API (the pseudo node) -> the host API server -> the real node's kubelet -> containerd.
TEST_F(RealVirtualClusterTest, LogsExecAttachAndPortForwardReachTheRealContainer) {
  ASSERT_NO_FATAL_FAILURE(Create("relay"));
  ASSERT_EQ(ApplyIn("relay", R"(apiVersion: v1
kind: Pod
metadata: {name: talker, namespace: default}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox:1.36
    stdin: true
    stdinOnce: true
    command: [sh, -c, 'echo line one; echo line two >&2; read l; echo "got $l"']
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: default}
spec:
  terminationGracePeriodSeconds: 1
  containers: [{name: nginx, image: nginx:1.27}]
)")
                .code,
            0);
  ASSERT_TRUE(WaitRunningIn("relay", "talker"));
  ASSERT_TRUE(WaitRunningIn("relay", "web"));

  // logs: both streams of the container, as containerd wrote them.
  Ran logs;
  EXPECT_TRUE(Eventually([&] {
    logs = In("relay", {"logs", "talker"});
    return logs.out.find("line two") != std::string::npos;
  })) << logs.out;
  EXPECT_NE(logs.out.find("line one\n"), std::string::npos) << logs.out;

  // exec: a command in the running container, its output and exit code.
  Ran exec = In("relay", {"exec", "talker", "--", "sh", "-c", "echo $((6*7)); exit 3"});
  EXPECT_EQ(exec.code, 3) << exec.out;
  EXPECT_NE(exec.out.find("42"), std::string::npos) << exec.out;

  // attach: stdin reaches the container's shell, its answer comes back, and it ends.
  Ran attach = Sh("printf 'hello\\n' | kubectl --context " + ContextOf("relay") +
                  " attach -i talker -c main");
  EXPECT_NE(attach.out.find("got hello"), std::string::npos) << attach.out;
  EXPECT_TRUE(Eventually([&] {
    return GetIn("relay", "pod/talker", "{.status.phase}") == "Succeeded";
  })) << In("relay", {"describe", "pod", "talker"}).out;

  // port-forward: nginx's page on a local port, through the relay's streams.
  const int port = FreePort();
  auto forward =
      ChildProcess::Start("port-forward",
                          {ClusterValue(dir_, "BIN") + "/kubectl", "--context", ContextOf("relay"),
                           "port-forward", "pod/web", std::to_string(port) + ":80"},
                          scratch_->path() + "/port-forward.log", UserEnv());
  ASSERT_TRUE(forward.ok()) << forward.status().ToString();
  std::string page;
  EXPECT_TRUE(Eventually(
      [&] {
        page = LoopbackHttpResponse(port, "/");
        return page.find("<title>Welcome to nginx!</title>") != std::string::npos;
      },
      std::chrono::seconds(60)))
      << page << (*forward)->LogTail();
  // A second connection over the same forward.
  EXPECT_NE(LoopbackHttpResponse(port, "/").find("HTTP/1.1 200"), std::string::npos);
  forwards_.push_back(std::move(*forward));
}

// What the kubelet does with a pod's spec: the service-account token it mounts is one the
// virtual API server issued and accepts; runAsUser is the process's user; a failing readiness
// probe keeps the pod out of its Service's endpoints until it passes; a failing liveness
// probe restarts the container. All of it seen from inside the virtual cluster.
TEST_F(RealVirtualClusterTest, TheKubeletRunsTheSpecTheTenantWrote) {
  ASSERT_NO_FATAL_FAILURE(Create("spec"));
  ASSERT_EQ(ApplyIn("spec", R"(apiVersion: v1
kind: Pod
metadata: {name: probed, namespace: default, labels: {app: probed}}
spec:
  terminationGracePeriodSeconds: 1
  securityContext: {runAsUser: 1000, runAsGroup: 3000}
  containers:
  - name: main
    image: busybox:1.36
    command: [sh, -c, 'mkdir -p /tmp/www && echo probed >/tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www']
    readinessProbe:
      exec: {command: [cat, /tmp/ready]}
      periodSeconds: 1
      failureThreshold: 1
---
apiVersion: v1
kind: Service
metadata: {name: probed, namespace: default}
spec:
  selector: {app: probed}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Pod
metadata: {name: dies, namespace: default}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox:1.36
    command: [sleep, '3600']
    livenessProbe:
      exec: {command: [cat, /tmp/never]}
      periodSeconds: 1
      failureThreshold: 1
)")
                .code,
            0);
  ASSERT_TRUE(WaitRunningIn("spec", "probed", /*ready=*/false));

  // Not ready: the virtual pod says so and its Service has no ready endpoint.
  const std::string ready = "{.status.conditions[?(@.type==\"Ready\")].status}";
  auto endpoints = [&] {
    Ran r = In("spec", {"get", "endpointslices", "-l", "kubernetes.io/service-name=probed", "-o",
                        "jsonpath={.items[*].endpoints[*].conditions.ready}"});
    return r.code == 0 ? r.out : "";
  };
  EXPECT_TRUE(Eventually([&] { return endpoints() == "false"; }))
      << In("spec", {"get", "endpointslices", "-o", "yaml"}).out;
  EXPECT_EQ(GetIn("spec", "pod/probed", ready), "False");

  // The user the tenant asked for.
  Ran id = In("spec", {"exec", "probed", "--", "id"});
  EXPECT_NE(id.out.find("uid=1000 gid=3000"), std::string::npos) << id.out;

  // The probe passes: Ready in the virtual cluster, and in its Service's endpoints.
  ASSERT_EQ(In("spec", {"exec", "probed", "--", "touch", "/tmp/ready"}).code, 0);
  EXPECT_TRUE(Eventually([&] { return GetIn("spec", "pod/probed", ready) == "True"; }))
      << In("spec", {"describe", "pod", "probed"}).out;
  EXPECT_TRUE(Eventually([&] { return endpoints() == "true"; }));

  // The token kubelet mounted is the virtual API server's, for this pod's service account.
  Ran token = In("spec", {"exec", "probed", "--", "cat",
                          "/var/run/secrets/kubernetes.io/serviceaccount/token"});
  ASSERT_EQ(token.code, 0) << token.out;
  Ran server = In("spec", {"config", "view", "--minify", "--raw", "-o", "json"});
  ASSERT_EQ(server.code, 0) << server.out;
  const std::string as_pod = scratch_->path() + "/as-pod.kubeconfig";
  ASSERT_TRUE(WriteTokenKubeconfig(server.out, token.out, as_pod)) << server.out;
  Ran whoami =
      Vc({"--kubeconfig", as_pod, "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"},
         true);
  EXPECT_EQ(whoami.out, "system:serviceaccount:default:default") << whoami.out;

  // The liveness probe fails: kubelet restarts the container, and the count comes back.
  EXPECT_TRUE(Eventually(
      [&] {
        const std::string n =
            GetIn("spec", "pod/dies", "{.status.containerStatuses[0].restartCount}");
        return !n.empty() && std::stoi(n) >= 1;
      },
      std::chrono::seconds(120)))
      << In("spec", {"describe", "pod", "dies"}).out;
}

// The seed's DNS between virtual clusters, resolved for real: `front` asks for `backend` and
// reaches the Service of that name in virtual cluster `api` (networking.resolveDNS,
// vClusterService), and a host Service replicated into it by name
// (networking.replicateServices.fromHost); both serve their pages by those names. Its own
// kubernetes.default is the host Service in front of its control plane, not the host's API
// server, with Endpoints and an EndpointSlice naming that pod.
TEST_F(RealVirtualClusterTest, VirtualClustersResolveEachOthersServicesAndTheHosts) {
  ASSERT_EQ(Apply(R"(apiVersion: v1
kind: Pod
metadata: {name: host-web, labels: {app: host-web}}
spec:
  terminationGracePeriodSeconds: 1
  containers: [{name: nginx, image: nginx:1.27}]
---
apiVersion: v1
kind: Service
metadata: {name: host-web}
spec:
  selector: {app: host-web}
  ports: [{port: 80}]
)")
                .code,
            0);
  ASSERT_NO_FATAL_FAILURE(Create("api"));
  ASSERT_EQ(ApplyIn("api", R"(apiVersion: v1
kind: Pod
metadata: {name: backend, namespace: default, labels: {app: backend}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox:1.36
    command: [sh, -c, 'mkdir -p /tmp/www && echo backend-of-api >/tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www']
---
apiVersion: v1
kind: Service
metadata: {name: backend, namespace: default}
spec:
  selector: {app: backend}
  ports: [{port: 80, targetPort: 8080}]
)")
                .code,
            0);
  ASSERT_NO_FATAL_FAILURE(Create("front", R"(networking:
  resolveDNS:
  - service: default/backend
    target: {vClusterService: )" + ns_ + R"(/api/default/backend}
  replicateServices:
    fromHost:
    - {from: )" + ns_ + R"(/host-web, to: default/shared-web}
)"));
  ASSERT_TRUE(WaitRunningIn("api", "backend"));
  Ran dns_ready = In(
      "front", {"-n", "kube-system", "rollout", "status", "deployment/coredns", "--timeout=150s"});
  ASSERT_EQ(dns_ready.code, 0) << dns_ready.out;
  ASSERT_EQ(ApplyIn("front", R"(apiVersion: v1
kind: Pod
metadata: {name: asker, namespace: default}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox:1.28
    command: [sh, -c, 'for i in 1 2 3 4 5 6 7 8 9 10; do
        nslookup backend.default.svc.cluster.local && nslookup shared-web.default.svc.cluster.local && break;
        sleep 2; done;
      nslookup kubernetes.default.svc.cluster.local;
      timeout 20 wget -qO- http://backend.default.svc.cluster.local/ &&
      timeout 20 wget -qO- http://shared-web/']
)")
                .code,
            0);
  EXPECT_TRUE(
      Eventually([&] { return GetIn("front", "pod/asker", "{.status.phase}") == "Succeeded"; },
                 std::chrono::seconds(150)))
      << In("front", {"logs", "asker"}).out << In("front", {"describe", "pod", "asker"}).out;
  const std::string out = In("front", {"logs", "asker"}).out;
  EXPECT_NE(out.find("Name:\tbackend.default.svc.cluster.local"), std::string::npos) << out;
  EXPECT_NE(out.find("backend-of-api"), std::string::npos) << out;
  EXPECT_NE(out.find("<title>Welcome to nginx!</title>"), std::string::npos) << out;

  const std::string front_ns = NamespaceOf("front");
  const std::string host_ip =
      Kubectl({"-n", front_ns, "get", "service", "front", "-o", "jsonpath={.spec.clusterIP}"},
              false)
          .out;
  const std::string pod_ip =
      Kubectl({"-n", front_ns, "get", "pod", "front-0", "-o", "jsonpath={.status.podIP}"}, false)
          .out;
  ASSERT_FALSE(host_ip.empty());
  ASSERT_FALSE(pod_ip.empty());
  EXPECT_EQ(GetIn("front", "service/kubernetes", "{.spec.clusterIP}"), host_ip);
  EXPECT_NE(out.find("Name:\tkubernetes.default.svc.cluster.local\nAddress: " + host_ip + "\n"),
            std::string::npos)
      << out;
  // kubectl warns that v1 Endpoints are deprecated, on the same output: the answer is the end.
  auto ends_with_pod_ip = [&](const std::string& got) {
    return got.size() >= pod_ip.size() &&
           got.compare(got.size() - pod_ip.size(), pod_ip.size(), pod_ip) == 0 &&
           (got.size() == pod_ip.size() || got[got.size() - pod_ip.size() - 1] == '\n');
  };
  EXPECT_TRUE(Eventually(
      [&] {
        return ends_with_pod_ip(
                   GetIn("front", "endpoints/kubernetes", "{.subsets[0].addresses[*].ip}")) &&
               GetIn("front", "endpointslice/kubernetes", "{.endpoints[*].addresses[*]}") == pod_ip;
      },
      std::chrono::seconds(30)))
      << In("front", {"get", "endpoints,endpointslices", "-n", "default", "-o", "yaml"}).out;
}

// The pids of processes whose program is `program` with argument `arg`, in the pod with `uid`.
std::vector<pid_t> PodProcesses(const std::string& uid, const std::string& program,
                                const std::string& arg) {
  return Processes([&](const ProcessInfo& p) {
    return std::filesystem::path(p.argv[0]).filename() == program && p.HasArg(arg) && p.InPod(uid);
  });
}

// The syncer container killed with -9 on its real node: kubelet starts it again, and the
// fresh syncer converges on what changed while it was gone, from the two API servers alone: a
// host pod deleted under it is a deleted pod in the virtual cluster too (its Deployment makes
// another, which runs on the host), and a pod the tenant created meanwhile runs.
TEST_F(RealVirtualClusterTest, ASyncerKilledOnItsNodeIsRestartedAndThePodStopsPromptly) {
  ASSERT_NO_FATAL_FAILURE(Create("rs"));
  ASSERT_EQ(
      In("rs", {"create", "deployment", "steady", "--image=busybox:1.36", "--", "sleep", "3600"})
          .code,
      0);
  auto virtual_steady = [&] {
    Ran r = In("rs", {"get", "pods", "-l", "app=steady", "-o",
                      "jsonpath={range .items[*]}{.metadata.name} {.status.phase}{\"\\n\"}{end}"});
    return r.code == 0 ? r.out : "";
  };
  std::string before;
  ASSERT_TRUE(Eventually(
      [&] {
        before = virtual_steady();
        return before.find(" Running\n") != std::string::npos &&
               before.find('\n') == before.size() - 1;
      },
      std::chrono::seconds(150)))
      << before << In("rs", {"describe", "pods", "-l", "app=steady"}).out;
  const std::string old_pod = before.substr(0, before.find(' '));
  const std::string old_host_pod = "pod/" + old_pod + "-x-default-x-rs";
  ASSERT_EQ(Get(old_host_pod, "{.status.phase}"), "Running");

  const std::string cp_uid = Get("pod/rs-0", "{.metadata.uid}");
  std::vector<pid_t> syncers = PodProcesses(cp_uid, "vc-syncer", "run");
  ASSERT_EQ(syncers.size(), 1u) << "the syncer (vc-syncer run) of rs-0 (uid " << cp_uid << ")";
  const auto restarts = [&] {
    return Get("pod/rs-0", "{.status.containerStatuses[?(@.name==\"syncer\")].restartCount}");
  };
  const std::string restarts_before = restarts();
  ASSERT_EQ(::kill(syncers[0], SIGKILL), 0);
  // While it is down: the host pod goes, and the tenant creates another pod.
  ASSERT_EQ(Kubectl({"delete", old_host_pod, "--wait=false"}).code, 0);
  ASSERT_EQ(In("rs", {"run", "meanwhile", "--image=busybox:1.36", "--", "sleep", "3600"}).code, 0);

  EXPECT_TRUE(Eventually([&] { return restarts() != restarts_before; }, std::chrono::seconds(60)))
      << Kubectl({"describe", "pod", "rs-0"}).out;
  // The deleted pod is gone in the virtual cluster too; its replacement runs on the host.
  std::string after;
  EXPECT_TRUE(Eventually(
      [&] {
        after = virtual_steady();
        if (after.find(old_pod + " ") != std::string::npos ||
            after.find(" Running\n") == std::string::npos || after.find('\n') != after.size() - 1) {
          return false;
        }
        return Get("pod/" + after.substr(0, after.find(' ')) + "-x-default-x-rs",
                   "{.status.phase}") == "Running";
      },
      std::chrono::seconds(150)))
      << after << Kubectl({"get", "pods", "-o", "wide"}).out
      << Kubectl({"logs", "rs-0", "-c", "syncer", "--tail=20"}).out;
  EXPECT_TRUE(WaitRunningIn("rs", "meanwhile"));
  EXPECT_EQ(Get("pod/meanwhile-x-default-x-rs", "{.status.phase}"), "Running");
  EXPECT_EQ(PodProcesses(cp_uid, "vc-syncer", "run").size(), 1u) << "one syncer again";

  // Every container of the control-plane pod ends on SIGTERM: deleting it takes seconds, not
  // its grace period (a syncer whose watches held on kept kube-apiserver waiting until kubelet
  // killed both).
  ASSERT_EQ(Get("pod/rs-0", "{.spec.terminationGracePeriodSeconds}"), "70");
  const auto started = std::chrono::steady_clock::now();
  Ran deleted = Kubectl({"delete", "pod", "rs-0", "--wait=true", "--timeout=90s"});
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_EQ(deleted.code, 0) << deleted.out;
  EXPECT_LT(took, std::chrono::seconds(20))
      << std::chrono::duration_cast<std::chrono::seconds>(took).count() << "s";
}

// Pod security admission on the host namespace: a namespace that enforces `restricted` takes
// the control-plane pod as it is (every process of it runs as 65532, no capabilities, seccomp
// RuntimeDefault), and holds the tenant's pods to the same standard even where the tenant's
// trust level would not: a restricted pod runs, a root one is refused by the host, which the
// tenant sees as an Event on its pod.
TEST_F(RealVirtualClusterTest, AHostNamespaceEnforcingRestrictedTakesTheControlPlane) {
  ASSERT_EQ(
      Kubectl({"label", "namespace", ns_, "pod-security.kubernetes.io/enforce=restricted"}, false)
          .code,
      0);
  ASSERT_NO_FATAL_FAILURE(Create("strict"));
  const std::string cp_uid = Get("pod/strict-0", "{.metadata.uid}");
  for (const auto& [comm, arg] :
       std::vector<std::pair<std::string, std::string>>{{"kube-apiserver", "--profiling=false"},
                                                        {"kine", "--metrics-bind-address=0"},
                                                        {"vc-syncer", "run"}}) {
    const auto pids = PodProcesses(cp_uid, comm, arg);
    ASSERT_EQ(pids.size(), 1u) << comm;
    std::ifstream status("/proc/" + std::to_string(pids[0]) + "/status");
    std::string line, uid_line;
    while (std::getline(status, line)) {
      if (line.rfind("Uid:", 0) == 0) uid_line = line;
    }
    EXPECT_EQ(uid_line, "Uid:\t65532\t65532\t65532\t65532") << comm;
  }

  ASSERT_EQ(ApplyIn("strict", R"(apiVersion: v1
kind: Pod
metadata: {name: fine, namespace: default}
spec:
  securityContext: {runAsNonRoot: true, runAsUser: 1000, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: c
    image: busybox:1.36
    command: [sh, -c, "trap 'exit 0' TERM; sleep 3600 & wait"]
    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
---
apiVersion: v1
kind: Pod
metadata: {name: root, namespace: default}
spec:
  containers:
  - {name: c, image: busybox:1.36, command: [sleep, "3600"]}
)")
                .code,
            0);
  EXPECT_TRUE(WaitRunningIn("strict", "fine"));
  std::string events;
  EXPECT_TRUE(Eventually(
      [&] {
        events = GetIn("strict", "events",
                       "{range .items[?(@.involvedObject.name==\"root\")]}{.reason}: "
                       "{.message}{\"\\n\"}{end}");
        return events.find("SyncError") != std::string::npos &&
               events.find("violates PodSecurity \"restricted") != std::string::npos;
      },
      std::chrono::seconds(60)))
      << events;
  EXPECT_NE(Kubectl({"get", "pod", "root-x-default-x-strict"}).code, 0) << "no such host pod";
}

}  // namespace
}  // namespace vc::testing
