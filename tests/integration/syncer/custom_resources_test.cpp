// SPDX-License-Identifier: Apache-2.0
// sync.toHost.customResources and sync.fromHost.customResources end to end, on real nodes: a
// shared cert-manager on the host, played by a small issuer of ours in this test (it answers
// every host Certificate in the virtual cluster's namespace with the Secret its spec.secretName
// names, and marks it Ready). The tenant writes a Certificate; its Secret comes back into the
// tenant's namespace, a pod mounts it, and the host's ClusterIssuer is visible read-only.
#include <atomic>
#include <thread>

#include "integration/syncer/syncer_e2e_fixture.h"
#include "vc/base64.h"

namespace vc::testing {
namespace {

const kube::Resource kCertificates{"cert-manager.io", "v1", "certificates", "Certificate", true};
const kube::Resource kClusterIssuers{"cert-manager.io", "v1", "clusterissuers", "ClusterIssuer",
                                     false};

// A CRD of ours in cert-manager's group and names (its schema left open): what the host's
// cert-manager would have installed.
json Crd(const std::string& plural, const std::string& kind, const std::string& scope) {
  return {{"apiVersion", "apiextensions.k8s.io/v1"},
          {"kind", "CustomResourceDefinition"},
          {"metadata", {{"name", plural + ".cert-manager.io"}}},
          {"spec",
           {{"group", "cert-manager.io"},
            {"scope", scope},
            {"names",
             {{"plural", plural},
              {"singular", kind == "Certificate" ? "certificate" : "clusterissuer"},
              {"kind", kind},
              {"listKind", kind + "List"}}},
            {"versions",
             {{{"name", "v1"},
               {"served", true},
               {"storage", true},
               {"subresources", {{"status", json::object()}}},
               {"schema",
                {{"openAPIV3Schema",
                  {{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true}}}}}}}}}}};
}

// The host's cert-manager, as far as this test needs one: each Certificate in `ns` gets the
// Secret its spec.secretName names (tls.crt says for which DNS names it was issued) and a
// Ready condition. Runs until destroyed.
class FakeIssuer {
 public:
  FakeIssuer(std::shared_ptr<kube::Client> host, std::string ns)
      : host_(std::move(host)), ns_(std::move(ns)), thread_([this] { Run(); }) {}
  ~FakeIssuer() {
    stop_ = true;
    thread_.join();
  }

 private:
  void Run() {
    while (!stop_) {
      auto listed = host_->List(kCertificates, ns_, {});
      if (listed.ok()) {
        for (const auto& cert : listed->items) Issue(cert);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));  // a controller's poll
    }
  }

  void Issue(const json& cert) {
    const std::string secret = cert["spec"].value("secretName", "");
    if (secret.empty() || cert.contains("/status/conditions"_json_pointer)) return;
    const std::string issued = "issued for " + cert["spec"].value("dnsNames", json::array()).dump();
    const json object = {
        {"apiVersion", "v1"},
        {"kind", "Secret"},
        {"metadata", {{"name", secret}, {"namespace", ns_}}},
        {"type", "kubernetes.io/tls"},
        {"data", {{"tls.crt", Base64Encode(issued)}, {"tls.key", Base64Encode("key")}}}};
    auto created = host_->Create(r::kSecrets, ns_, object);
    if (!created.ok() && created.status().code() != Code::kAlreadyExists) return;
    (void)host_->Patch(kCertificates, ns_, cert["metadata"].value("name", ""),
                       kube::PatchType::kMerge,
                       R"({"status": {"conditions": [{"type": "Ready", "status": "True"}]}})",
                       {.subresource = "status"});
  }

  std::shared_ptr<kube::Client> host_;
  std::string ns_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST_F(SyncerE2eTest, ACertificateOfTheTenantIsIssuedByTheHostAndItsSecretMounted) {
  const std::string name = "sync-certs";
  const std::string hns = "vcluster-" + name;
  struct Cleanup {
    std::shared_ptr<kube::Client> c;
    ~Cleanup() {
      (void)c->Delete(r::kCustomResourceDefinitions, "", "certificates.cert-manager.io");
      (void)c->Delete(r::kCustomResourceDefinitions, "", "clusterissuers.cert-manager.io");
    }
  } cleanup{client_};
  ASSERT_TRUE(client_
                  ->Create(r::kCustomResourceDefinitions, "",
                           Crd("certificates", "Certificate", "Namespaced"))
                  .ok());
  ASSERT_TRUE(client_
                  ->Create(r::kCustomResourceDefinitions, "",
                           Crd("clusterissuers", "ClusterIssuer", "Cluster"))
                  .ok());
  ASSERT_TRUE(Eventually([&] { return client_->List(kClusterIssuers, "", {}).ok(); }));
  ASSERT_TRUE(client_
                  ->Create(kClusterIssuers, "",
                           {{"apiVersion", "cert-manager.io/v1"},
                            {"kind", "ClusterIssuer"},
                            {"metadata", {{"name", "platform-ca"}}},
                            {"spec", {{"ca", {{"secretName", "platform-ca"}}}}}})
                  .ok());
  FakeIssuer issuer(client_, hns);

  ASSERT_NO_FATAL_FAILURE(CreateVirtualCluster(
      name,
      "sync:\n  toHost:\n    customResources:\n      certificates.cert-manager.io:\n"
      "        enabled: true\n        patches:\n        - path: spec.secretName\n"
      "          reference: {apiVersion: v1, kind: Secret}\n"
      "  fromHost:\n    customResources:\n      clusterissuers.cert-manager.io:\n"
      "        enabled: true\n        scope: Cluster\n"));

  // The host's ClusterIssuer, read-only inside.
  json issuer_copy;
  EXPECT_TRUE(Eventually(
      [&] {
        issuer_copy = VirtualJson({"get", "clusterissuer", "platform-ca"});
        return issuer_copy.is_object();
      },
      std::chrono::seconds(60)))
      << SyncerLog(name);
  if (issuer_copy.is_object()) {
    EXPECT_EQ(issuer_copy["metadata"]["labels"].value("kubectl-vc.dev/from-host", ""), "true");
  }

  auto applied = ApplyInVirtual(
      name, "cert.yaml",
      "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: web, namespace: "
      "default}\nspec:\n  secretName: web-tls\n  dnsNames: [shop.example.com]\n  issuerRef: "
      "{name: platform-ca, kind: ClusterIssuer}\n---\n"
      "apiVersion: v1\nkind: Pod\nmetadata: {name: web-0, namespace: default}\nspec:\n"
      "  containers:\n  - {name: web, image: busybox, command: [sh, -c, \"trap 'exit 0' TERM; "
      "sleep 3600 & wait\"], volumeMounts: [{name: tls, mountPath: /tls}]}\n"
      "  volumes: [{name: tls, secret: {secretName: web-tls}}]\n");
  ASSERT_EQ(applied.code, 0) << applied.Both();

  // On the host: the copy names the translated Secret, which the issuer made.
  json host_cert;
  EXPECT_TRUE(Eventually(
      [&] {
        auto got = client_->Get(kCertificates, hns, "web-x-default-x-" + name);
        if (got.ok()) host_cert = *got;
        return got.ok();
      },
      std::chrono::seconds(60)))
      << SyncerLog(name);
  ASSERT_TRUE(host_cert.is_object());
  EXPECT_EQ(host_cert["spec"].value("secretName", ""), "web-tls-x-default-x-" + name);

  // Inside: Ready, the issued Secret imported, and the pod reads it from its mount.
  json cert;
  EXPECT_TRUE(Eventually(
      [&] {
        cert = VirtualJson({"get", "certificate", "web", "-n", "default"});
        return cert.contains("/status/conditions/0/status"_json_pointer) &&
               cert["/status/conditions/0/status"_json_pointer] == "True";
      },
      std::chrono::seconds(60)))
      << cert.dump() << "\n"
      << SyncerLog(name);
  json secret;
  EXPECT_TRUE(Eventually(
      [&] {
        secret = VirtualJson({"get", "secret", "web-tls", "-n", "default"});
        return secret.is_object();
      },
      std::chrono::seconds(60)))
      << SyncerLog(name);
  EXPECT_EQ(secret.value("type", ""), "kubernetes.io/tls");
  CliResult read;
  EXPECT_TRUE(Eventually(
      [&] {
        read = Kubectl({"exec", "web-0", "-n", "default", "--", "cat", "/tls/tls.crt"});
        return read.code == 0;
      },
      std::chrono::seconds(90)))
      << read.Both() << "\n"
      << SyncerLog(name);
  EXPECT_EQ(read.out, "issued for [\"shop.example.com\"]");
}

}  // namespace
}  // namespace vc::testing
