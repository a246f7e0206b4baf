// SPDX-License-Identifier: Apache-2.0
// The control-plane StatefulSet: one pod with an init container (vc-syncer init) and kine,
// kube-apiserver, kube-controller-manager and the syncer, all sharing /data.
//
// Every port is a container env var referenced as $(VAR) in args, which kubelet expands. The
// test pod runner gives each a free local port and expands the same way, so this spec is what
// the tests run (kubectl-vc/README.md, contracts).
#include <string>

#include "render_parts.h"
#include "values_path.h"
#include "vc/cli/render/host_objects.h"
#include "vc/labels.h"
#include "vc/yaml.h"

namespace vc::cli::render {

using nlohmann::json;

json RestrictedContainer() {
  return {{"allowPrivilegeEscalation", false},
          {"readOnlyRootFilesystem", true},
          {"capabilities", {{"drop", json::array({"ALL"})}}}};
}

json Resources(const std::string& cpu, const std::string& memory, const std::string& limit) {
  return {{"requests", {{"cpu", cpu}, {"memory", memory}}}, {"limits", {{"memory", limit}}}};
}

void ApplyScheduling(const VirtualCluster& vc, json* pod_spec) {
  const json& scheduling = At(vc.values, "/controlPlane/statefulSet/scheduling");
  if (!scheduling.is_object()) return;
  for (const char* key : {"nodeSelector", "tolerations", "affinity", "priorityClassName"}) {
    if (scheduling.contains(key) && !scheduling[key].empty()) (*pod_spec)[key] = scheduling[key];
  }
}

namespace {

constexpr const char* kData = "/data";
constexpr const char* kServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

json PortEnv() {
  return json::array({
      {{"name", "VC_KINE_PORT"}, {"value", "2379"}},
      {{"name", "VC_APISERVER_PORT"}, {"value", "8443"}},
      {{"name", "VC_CONTROLLER_MANAGER_PORT"}, {"value", "10257"}},
      {{"name", "VC_SYNCER_PORT"}, {"value", "8080"}},
      // The syncer's kubelet endpoint: pseudo nodes in the virtual cluster advertise it.
      {{"name", "VC_KUBELET_PORT"}, {"value", "10250"}},
      {{"name", "VC_SNAPSHOT_PORT"}, {"value", std::to_string(kSnapshotPort)}},
      // Where the API server listens: the pod IP on a host; 127.0.0.1 in the test runner.
      {{"name", "VC_BIND_ADDRESS"}, {"value", "0.0.0.0"}},
      {{"name", "POD_NAME"}, {"valueFrom", {{"fieldRef", {{"fieldPath", "metadata.name"}}}}}},
      {{"name", "POD_NAMESPACE"},
       {"valueFrom", {{"fieldRef", {{"fieldPath", "metadata.namespace"}}}}}},
      // The syncer reads its host credentials here (the mount admission adds); named so the
      // test runner can map it like any other path.
      {{"name", "VC_SERVICE_ACCOUNT_DIR"}, {"value", kServiceAccountDir}},
  });
}

// /data (the cluster's state) and a scratch /tmp: the root filesystem is read-only.
json Mounts() {
  return json::array(
      {{{"name", "data"}, {"mountPath", kData}}, {{"name", "tmp"}, {"mountPath", "/tmp"}}});
}

json Container(const std::string& name, const std::string& image, json command, json args) {
  return {{"name", name},
          {"image", image},
          {"command", std::move(command)},
          {"args", std::move(args)},
          {"env", PortEnv()},
          {"volumeMounts", Mounts()},
          {"securityContext", RestrictedContainer()},
          {"resources", Resources("20m", "32Mi", "256Mi")}};
}

// A health endpoint (`path` on the named port) as kubelet probes it.
json HttpGet(const std::string& path, const std::string& port, const std::string& scheme) {
  return {{"httpGet", {{"path", path}, {"port", port}, {"scheme", scheme}}}};
}

// Startup allows a slow first start (kine's first migration, a loaded node) of up to 5 minutes,
// probed every second: kubelet marks a container started (and starts the containers after a
// sidecar) at its first success, so the period is part of create's time. After that, liveness
// restarts a component whose health endpoint fails for 30 s.
void Probe(json* c, const std::string& live, const std::string& port,
           const std::string& scheme = "HTTPS") {
  json startup = HttpGet(live, port, scheme);
  startup["periodSeconds"] = 1;
  startup["failureThreshold"] = 300;
  json liveness = HttpGet(live, port, scheme);
  liveness["periodSeconds"] = 10;
  liveness["failureThreshold"] = 3;
  liveness["timeoutSeconds"] = 5;
  (*c)["startupProbe"] = startup;
  (*c)["livenessProbe"] = liveness;
}

// create fills networking.serviceCIDR in with the host's range (lifecycle/service_range.h);
// the default is for rendering without a host (tests, a dry run).
std::string ServiceCidr(const json& values) {
  const std::string given = String(values, "/networking/serviceCIDR", "");
  return given.empty() ? "10.96.0.0/12" : given;
}

// The issuer of its service-account tokens names the API server by its in-cluster DNS name,
// which ends in the cluster domain the syncer's CoreDNS serves.
std::string ClusterDomain(const json& values) {
  return String(values, "/networking/advanced/clusterDomain", "cluster.local");
}

json Kine(const VirtualCluster& vc) {
  json c =
      Container("kine", vc.images.kine, {"kine"},
                {"--endpoint=sqlite:///data/state.db?_journal=WAL&cache=shared&_busy_timeout=30000",
                 "--listen-address=127.0.0.1:$(VC_KINE_PORT)",
                 // Its default :8080 would collide between pods sharing a network (and
                 // between control planes run as local processes in tests).
                 "--metrics-bind-address=0"});
  // kine has no health endpoint of its own and listens on loopback only: the apiserver's
  // probes (its /livez checks etcd) stand for it.
  c["resources"] = Resources("50m", "64Mi", "1Gi");
  // A sidecar (an init container that keeps running): it starts before the apiserver and
  // kubelet stops it only after every main container has exited, so the apiserver drains its
  // requests against a live datastore instead of one that got SIGTERM at the same moment.
  c["restartPolicy"] = "Always";
  return c;
}

json ApiServer(const VirtualCluster& vc) {
  json c = Container(
      "kube-apiserver", vc.images.apiserver, {"kube-apiserver"},
      {"--etcd-servers=http://127.0.0.1:$(VC_KINE_PORT)", "--bind-address=$(VC_BIND_ADDRESS)",
       "--secure-port=$(VC_APISERVER_PORT)", "--tls-cert-file=/data/pki/apiserver.crt",
       "--tls-private-key-file=/data/pki/apiserver.key", "--client-ca-file=/data/pki/ca.crt",
       "--service-account-issuer=https://kubernetes.default.svc." + ClusterDomain(vc.values),
       "--service-account-key-file=/data/pki/sa.pub",
       "--service-account-signing-key-file=/data/pki/sa.key",
       // The discovery document's keys URL: the name pods reach this API server at (the
       // serving certificate's), not the pod address the API server would put there.
       "--service-account-jwks-uri=https://kubernetes.default.svc." + ClusterDomain(vc.values) +
           "/openid/v1/jwks",
       "--service-cluster-ip-range=" + ServiceCidr(vc.values), "--authorization-mode=RBAC",
       "--allow-privileged=true",
       // The syncer keeps default/kubernetes pointing at the virtual cluster's Service.
       "--endpoint-reconciler-type=none",
       "--kubelet-client-certificate=/data/pki/apiserver-kubelet-client.crt",
       "--kubelet-client-key=/data/pki/apiserver-kubelet-client.key",
       // The syncer's kubelet relay is each virtual node's InternalDNS address (real nodes
       // keep their real InternalIP for pods; syncer/src/translate/node_translator.h).
       "--kubelet-preferred-address-types=InternalDNS,InternalIP,Hostname",
       // The aggregator: it proxies to extension API servers (an APIService) with the
       // front proxy's client certificate and says who the user is in these headers, which an
       // extension API server believes from a certificate of this CA alone (kubeadm's flags).
       "--requestheader-client-ca-file=/data/pki/front-proxy-ca.crt",
       "--requestheader-allowed-names=front-proxy-client",
       "--requestheader-username-headers=X-Remote-User",
       "--requestheader-group-headers=X-Remote-Group",
       "--requestheader-extra-headers-prefix=X-Remote-Extra-",
       "--proxy-client-cert-file=/data/pki/front-proxy-client.crt",
       "--proxy-client-key-file=/data/pki/front-proxy-client.key",
       // On SIGTERM: drain the requests in flight, then give open watches (the syncer's,
       // CoreDNS's, a tenant's kubectl -w) 2s instead of the request timeout (60s).
       "--shutdown-send-retry-after=true", "--profiling=false"});
  if (Enabled(vc.values, "/sleepMode/enabled")) {
    // sleepMode's activity: an audit log of the requests of users and workloads only (the
    // policy vc-syncer init writes; syncer/src/sleep/activity.h), on the pod's shared /tmp
    // where the syncer watches its modification time. 1 MB and one rotated copy at most.
    for (const char* flag :
         {"--audit-policy-file=/data/audit-policy.yaml", "--audit-log-path=/tmp/vc-activity.log",
          "--audit-log-format=json", "--audit-log-maxsize=1", "--audit-log-maxbackup=1"}) {
      c["args"].push_back(flag);
    }
  }
  if (ClusterDomain(vc.values) != "cluster.local") {
    // The issuer of clusters made before it followed the domain, accepted beside it (the first
    // one signs): an upgrade leaves their tokens valid.
    c["args"].push_back("--service-account-issuer=https://kubernetes.default.svc.cluster.local");
  }
  c["ports"] = json::array({{{"name", "https"}, {"containerPort", 8443}}});
  c["readinessProbe"] = HttpGet("/readyz", "https", "HTTPS");
  c["readinessProbe"]["periodSeconds"] = 5;
  Probe(&c, "/livez", "https");
  // A sidecar after kine, started once /readyz answers: the bootstrap RBAC is in place when
  // the controller-manager and the syncer start (before it, the controller-manager's first
  // request was forbidden and it went into a crash-loop back-off), and at the end kubelet
  // stops it only after them.
  c["startupProbe"]["httpGet"]["path"] = "/readyz";
  c["restartPolicy"] = "Always";
  c["resources"] = Resources("100m", "256Mi", "2Gi");
  return c;
}

json ControllerManager(const VirtualCluster& vc) {
  const std::string kubeconfig = "/data/kubeconfig/controller-manager.conf";
  // Controllers for things a virtual cluster does not have (node IPAM and lifecycle, volumes
  // attached by kubelets, cloud routes) stay off: the host does that work.
  // It serves /healthz on the pod's address (always allowed, without credentials) for
  // kubelet's probes; everything else there needs the virtual cluster's credentials.
  json c = Container(
      "kube-controller-manager", vc.images.controller_manager, {"kube-controller-manager"},
      {"--kubeconfig=" + kubeconfig, "--authentication-kubeconfig=" + kubeconfig,
       "--authorization-kubeconfig=" + kubeconfig, "--bind-address=$(VC_BIND_ADDRESS)",
       "--secure-port=$(VC_CONTROLLER_MANAGER_PORT)", "--leader-elect=false",
       "--use-service-account-credentials=true",
       "--service-account-private-key-file=/data/pki/sa.key", "--root-ca-file=/data/pki/ca.crt",
       "--cluster-signing-cert-file=/data/pki/ca.crt",
       "--cluster-signing-key-file=/data/pki/ca.key",
       "--service-cluster-ip-range=" + ServiceCidr(vc.values),
       "--controllers=*,-nodeipam,-nodelifecycle,-persistentvolume-binder,"
       "-attachdetach,-persistentvolume-expander,-cloud-node-lifecycle,-ttl,"
       "-service-lb-controller,-route",
       "--profiling=false"});
  c["ports"] = json::array({{{"name", "kcm-https"}, {"containerPort", 10257}}});
  Probe(&c, "/healthz", "kcm-https");
  c["resources"] = Resources("50m", "64Mi", "1Gi");
  return c;
}

json InitArgs(const VirtualCluster& vc) {
  // The service CIDR's first address is the virtual "kubernetes" Service: the serving
  // certificate must name it.
  return {"init",
          "--name=" + vc.name,
          "--namespace=$(POD_NAMESPACE)",
          "--data-dir=/data",
          "--apiserver-port=$(VC_APISERVER_PORT)",
          "--service-cidr=" + ServiceCidr(vc.values)};
}

// init writes it (syncer/src/init: ControlPlaneKubeconfigs).
constexpr const char* kSchedulerKubeconfig = "/data/kubeconfig/scheduler.conf";

// The virtual scheduler (controlPlane.advanced.virtualScheduler): its configuration comes from
// the config Secret (SchedulerConfiguration), mounted read-only; its client certificate
// (system:kube-scheduler, rights from the bootstrap RBAC) from init.
json Scheduler(const VirtualCluster& vc) {
  const std::string kubeconfig = kSchedulerKubeconfig;
  json c = Container(
      "kube-scheduler", vc.images.scheduler, {"kube-scheduler"},
      {"--config=" + std::string(kSchedulerConfigDir) + "/config.yaml",
       "--authentication-kubeconfig=" + kubeconfig, "--authorization-kubeconfig=" + kubeconfig,
       "--bind-address=$(VC_BIND_ADDRESS)", "--secure-port=10259", "--profiling=false"});
  c["volumeMounts"].push_back(
      {{"name", "scheduler-config"}, {"mountPath", kSchedulerConfigDir}, {"readOnly", true}});
  c["ports"] = json::array({{{"name", "sched-https"}, {"containerPort", 10259}}});
  Probe(&c, "/healthz", "sched-https");
  c["resources"] = Resources("20m", "32Mi", "512Mi");
  return c;
}

json Syncer(const VirtualCluster& vc) {
  // --name turns syncing on: the syncer reads Secret vc-config-NAME in its namespace.
  json args = {"run", "--data-dir=/data", "--name=" + vc.name, "--namespace=$(POD_NAMESPACE)",
               "--health-port=$(VC_SYNCER_PORT)", "--health-address=$(VC_BIND_ADDRESS)",
               "--kubelet-port=$(VC_KUBELET_PORT)",
               // Also the image of the init container that writes a tenant pod's /etc/hosts.
               "--image=" + vc.images.syncer};
  json c = Container("syncer", vc.images.syncer, {"vc-syncer"}, std::move(args));
  c["ports"] = json::array({{{"name", "syncer-health"}, {"containerPort", 8080}}});
  Probe(&c, "/healthz", "syncer-health", "HTTP");
  const json& resources = At(vc.values, "/controlPlane/statefulSet/resources");
  if (resources.is_object() && !resources.empty()) c["resources"] = resources;
  return c;
}

// The snapshot endpoint (vc-syncer snapshot-server): kubectl vc snapshot/restore reach it
// with `kubectl port-forward` and the admin certificate; loopback only inside the pod.
json SnapshotServer(const VirtualCluster& vc) {
  json c = Container(
      "snapshot", vc.images.syncer, {"vc-syncer"},
      {"snapshot-server", "--data-dir=/data", "--address=127.0.0.1", "--port=$(VC_SNAPSHOT_PORT)"});
  c["ports"] = json::array({{{"name", "snapshot"}, {"containerPort", kSnapshotPort}}});
  c["resources"] = Resources("20m", "32Mi", "512Mi");
  return c;
}

json DataVolumes(const VirtualCluster& vc, json* claim_templates);

json Volumes(const VirtualCluster& vc, json* claim_templates) {
  json volumes = DataVolumes(vc, claim_templates);
  if (VirtualScheduler(vc.values)) {
    volumes.push_back(
        {{"name", "scheduler-config"},
         {"secret",
          {{"secretName", ConfigSecretName(vc.name)},
           {"items", json::array({{{"key", kSchedulerConfigKey}, {"path", "config.yaml"}}})}}}});
  }
  return volumes;
}

json DataVolumes(const VirtualCluster& vc, json* claim_templates) {
  const json& claim = At(vc.values, "/controlPlane/statefulSet/persistence/volumeClaim");
  // "auto" (vcluster's default) means a claim, since kine's SQLite is the cluster's state.
  const bool persistent = !(claim.is_object() && claim.contains("enabled") &&
                            claim["enabled"].is_boolean() && !claim["enabled"].get<bool>());
  const json tmp = {{"name", "tmp"}, {"emptyDir", json::object()}};
  if (!persistent) return json::array({{{"name", "data"}, {"emptyDir", json::object()}}, tmp});
  json spec = {{"accessModes", {"ReadWriteOnce"}},
               {"resources",
                {{"requests",
                  {{"storage",
                    claim.is_object() && claim.contains("size") ? claim["size"] : json("5Gi")}}}}}};
  if (claim.is_object() && claim.contains("storageClass") && claim["storageClass"].is_string() &&
      !claim["storageClass"].get<std::string>().empty()) {
    spec["storageClassName"] = claim["storageClass"];
  }
  *claim_templates = json::array(
      {{{"metadata", {{"name", "data"}, {"labels", TenantLabels(vc)}}}, {"spec", spec}}});
  return json::array({tmp});
}

json Containers(const VirtualCluster& vc) {
  json containers = {ControllerManager(vc)};
  if (VirtualScheduler(vc.values)) containers.push_back(Scheduler(vc));
  containers.push_back(Syncer(vc));
  containers.push_back(SnapshotServer(vc));
  return containers;
}

}  // namespace

bool VirtualScheduler(const json& values) {
  const json& enabled = At(values, "/controlPlane/advanced/virtualScheduler/enabled");
  return enabled.is_boolean() && enabled.get<bool>();
}

std::string SchedulerConfiguration(const json& values) {
  json config = {{"apiVersion", "kubescheduler.config.k8s.io/v1"},
                 {"kind", "KubeSchedulerConfiguration"},
                 {"clientConnection", {{"kubeconfig", kSchedulerKubeconfig}}},
                 {"leaderElection", {{"leaderElect", false}}}};
  const json& profiles = At(values, "/controlPlane/advanced/virtualScheduler/profiles");
  if (profiles.is_array() && !profiles.empty()) config["profiles"] = profiles;
  return yaml::Dump(config);
}

json RenderStatefulSet(const VirtualCluster& given) {
  // The images the values ask for, in place of the build's defaults, for every container below.
  VirtualCluster vc = given;
  vc.images = ImagesFor(given.values, given.images);
  json labels = TenantLabels(vc);
  labels[labels::kAppLabel] = labels::kAppValue;
  labels[labels::kReleaseLabel] = vc.name;
  labels[labels::kComponent] = labels::kComponentControlPlane;
  const json selector = {{labels::kAppLabel, labels::kAppValue}, {labels::kReleaseLabel, vc.name}};

  json claim_templates = json::array();
  json pod_spec = {
      {"serviceAccountName", ServiceAccountName(vc)},
      // Every container runs as 65532 (the syncer image's user, syncer/Dockerfile; the
      // upstream images would run as root), so all of them own /data alike; with each
      // container's RestrictedContainer() the pod passes pod security `restricted`.
      {"securityContext",
       {{"runAsNonRoot", true},
        {"runAsUser", 65532},
        {"runAsGroup", 65532},
        {"fsGroup", 65532},
        {"seccompProfile", {{"type", "RuntimeDefault"}}}}},
      // Covers kube-apiserver's shutdown: requests in flight end within its request timeout
      // (60s), watches 2s after them. Every container ends on SIGTERM, so the pod stops in a
      // few seconds (tests/realnodes/virtual_cluster_test.cpp times it).
      {"terminationGracePeriodSeconds", 70},
      {"initContainers",
       json::array({Container("init", vc.images.syncer, {"vc-syncer"}, InitArgs(vc)), Kine(vc),
                    ApiServer(vc)})},
      {"containers", Containers(vc)},
      {"volumes", Volumes(vc, &claim_templates)},
  };
  ApplyScheduling(vc, &pod_spec);

  json sts = {
      {"apiVersion", "apps/v1"},
      {"kind", "StatefulSet"},
      {"metadata", {{"name", vc.name}, {"namespace", vc.namespace_}, {"labels", labels}}},
      {"spec",
       {{"replicas", 1},
        {"serviceName", vc.name + "-headless"},
        {"podManagementPolicy", "Parallel"},
        {"selector", {{"matchLabels", selector}}},
        {"template", {{"metadata", {{"labels", labels}}}, {"spec", pod_spec}}}}},
  };
  if (!claim_templates.empty()) {
    sts["spec"]["volumeClaimTemplates"] = claim_templates;
    // delete --keep-data decides about the claim; the StatefulSet never deletes it itself.
    sts["spec"]["persistentVolumeClaimRetentionPolicy"] = {{"whenDeleted", "Retain"},
                                                           {"whenScaled", "Retain"}};
  }
  return sts;
}

}  // namespace vc::cli::render
