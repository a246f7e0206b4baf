// SPDX-License-Identifier: Apache-2.0
// VerbTest: runs `kubectl vc ARGS...` in-process, as kubectl's command tests do
// (cmdtesting.NewTestFactory, genericiooptions.NewTestIOStreams): the host is an in-process
// FakeApiServer, stdin, stdout and stderr are strings, and HOME is a directory of the test's
// own, so no kubeconfig or local state of the machine is read or written.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "support/fake_apiserver.h"
#include "support/temp_dir.h"
#include "vc/base64.h"
#include "vc/cli/cmd/run.h"
#include "vc/cli/lifecycle/lifecycle.h"
#include "vc/cli/values/resolve.h"
#include "vc/labels.h"
#include "vc/yaml.h"

namespace vc::cli::cmd::testing {

// What a run printed and returned.
struct RunResult {
  int code = -1;
  std::string out;
  std::string err;
};

// Splits `text` into its lines (without the newlines).
inline std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// `t` as the API server writes timestamps ("2026-12-07T08:00:00Z").
inline std::string Timestamp(std::chrono::system_clock::time_point t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

// A virtual cluster on the host as create leaves it.
struct ClusterSpec {
  std::string name = "dev";
  std::string namespace_ = "team";
  std::string version = "v1.35.4";
  std::string trust = "partial";
  std::chrono::hours age{72};
  bool ready = true;
};

// The fake API server, with the one answer it lacks: GET /version (version, create and upgrade
// ask for the host's Kubernetes version).
class FakeHost : public kube::HttpTransport {
 public:
  explicit FakeHost(std::shared_ptr<vc::testing::FakeApiServer> api) : api_(std::move(api)) {}

  StatusOr<kube::HttpResponse> Do(const kube::HttpRequest& request) override {
    const std::string path = "/version";
    const std::string& url = request.url;
    if (url.size() >= path.size() &&
        url.compare(url.size() - path.size(), path.size(), path) == 0) {
      return kube::HttpResponse{.status = 200,
                                .headers = {{"content-type", "application/json"}},
                                .body = nlohmann::json({{"gitVersion", version}}).dump()};
    }
    return api_->Do(request);
  }
  StatusOr<kube::HttpResponse> Stream(const kube::HttpRequest& request,
                                      const kube::ChunkHandler& on_chunk,
                                      const CancelToken* cancel) override {
    return api_->Stream(request, on_chunk, cancel);
  }

  std::string version = "v1.36.2";

 private:
  std::shared_ptr<vc::testing::FakeApiServer> api_;
};

class VerbTest : public ::testing::Test {
 protected:
  VerbTest()
      : api_(std::make_shared<vc::testing::FakeApiServer>()),
        host_(std::make_shared<FakeHost>(api_)) {
    hosts_.env = {{"HOME", home_.path()}, {"PATH", "/usr/bin:/bin"}};
    hosts_.connect = [this](const HostOptions& options) -> StatusOr<HostCluster> {
      ++connects_;
      if (!host_error_.ok()) return host_error_;
      kube::RestConfig config;
      config.server = "https://host.test:6443";
      config.context = "host";
      HostCluster host;
      host.config = config;
      host.context = config.context;
      host.kubeconfig = options.kubeconfig;
      host.namespace_given = !options.namespace_.empty();
      host.namespace_ = host.namespace_given ? options.namespace_ : "default";
      host.client = std::make_shared<kube::Client>(config, host_);
      return host;
    };
  }

  RunResult Run(std::vector<std::string> args, const std::string& stdin_text = "") {
    std::istringstream in(stdin_text);
    std::ostringstream out, err;
    RunResult result;
    result.code = cmd::Run(std::move(args), {.in = in, .out = out, .err = err}, hosts_);
    result.out = out.str();
    result.err = err.str();
    return result;
  }

  // The effective values of a cluster running `version`, as create stores them.
  static nlohmann::json Values(const std::string& version) {
    values::ResolveInput in;
    in.set_entries = {"networking.serviceCIDR=10.96.0.0/12",
                      "controlPlane.distro.k8s.version=" + version};
    auto resolved = values::Resolve(in);
    EXPECT_TRUE(resolved.ok()) << resolved.status().message();
    return resolved.ok() ? resolved->values : nlohmann::json();
  }

  static nlohmann::json OwnedLabels(const ClusterSpec& c) {
    return {{labels::kManagedBy, labels::kManagedByValue},
            {labels::kTenant, c.name},
            {labels::kTenantNamespace, c.namespace_}};
  }

  // Puts what create makes for `c`: its namespace, StatefulSet, Service and config Secret, and
  // the pod the StatefulSet runs (ready unless c.ready is false). The pod has no
  // component=control-plane label: the fake has no StatefulSet controller to remove it when
  // the StatefulSet scales to 0, which delete would wait for.
  void AddCluster(const ClusterSpec& c) {
    using nlohmann::json;
    namespace r = kube::resources;
    const std::string created =
        Timestamp(std::chrono::system_clock::now() - c.age - std::chrono::seconds(30));
    json owned = OwnedLabels(c);
    json ns_labels = owned;
    ns_labels[labels::kCreatedNamespace] = "true";
    api_->Put(r::kNamespaces, {{"metadata", {{"name", c.namespace_}, {"labels", ns_labels}}}});
    json sts_labels = owned;
    sts_labels.update({{labels::kAppLabel, labels::kAppValue},
                       {labels::kReleaseLabel, c.name},
                       {labels::kTrustLevel, c.trust}});
    api_->Put(r::kStatefulSets,
              {{"metadata",
                {{"name", c.name},
                 {"namespace", c.namespace_},
                 {"creationTimestamp", created},
                 {"labels", sts_labels}}},
               {"spec",
                {{"replicas", 1},
                 {"template",
                  {{"spec",
                    {{"containers",
                      {{{"name", "kube-apiserver"},
                        {"image", "registry.k8s.io/kube-apiserver:" + c.version}}}}}}}}}}});
    json pod_labels = owned;
    pod_labels.update({{labels::kAppLabel, labels::kAppValue}, {labels::kReleaseLabel, c.name}});
    api_->Put(r::kPods,
              {{"metadata",
                {{"name", c.name + "-0"}, {"namespace", c.namespace_}, {"labels", pod_labels}}},
               {"spec", {{"nodeName", "node-1"}}},
               {"status",
                {{"phase", "Running"},
                 {"podIP", "10.244.0.7"},
                 {"conditions", {{{"type", "Ready"}, {"status", c.ready ? "True" : "False"}}}}}}});
    api_->Put(r::kServices,
              {{"metadata", {{"name", c.name}, {"namespace", c.namespace_}, {"labels", owned}}},
               {"spec", {{"type", "ClusterIP"}, {"clusterIP", "10.96.0.10"}}}});
    api_->Put(r::kSecrets,
              {{"metadata",
                {{"name", "vc-config-" + c.name},
                 {"namespace", c.namespace_},
                 {"labels", owned},
                 {"annotations", {{lifecycle::kCreatedAtAnnotation, created}}}}},
               {"type", "Opaque"},  // the API server's default
               {"data", {{"config.yaml", Base64Encode(yaml::Dump(Values(c.version)))}}}});
  }

  std::optional<nlohmann::json> StatefulSet(const std::string& name, const std::string& ns) {
    return api_->Get(kube::resources::kStatefulSets, ns, name);
  }

  vc::testing::TempDir home_{"vc-verb-test"};
  std::shared_ptr<vc::testing::FakeApiServer> api_;
  std::shared_ptr<FakeHost> host_;
  HostFactory hosts_;
  Status host_error_ = Status::Ok();  // what connecting to the host returns, when not ok
  int connects_ = 0;                  // how often a command connected to the host
};

}  // namespace vc::cli::cmd::testing
