// SPDX-License-Identifier: Apache-2.0
// sync.toHost.customResources and sync.fromHost.customResources: the pure translation
// (translate/custom_resources.h), and the syncer's table in the vCluster shape (kind_table.h)
// with cert-manager's Certificate as the kind: a tenant's Certificate goes to the host with
// its secretName translated, its status comes back, and the Secret the host's issuer makes
// under the translated name comes into the tenant's namespace.
#include "vc/syncer/translate/custom_resources.h"

#include <gtest/gtest.h>

#include "kind_table.h"
#include "vc/syncer/sync/custom_resource_syncers.h"
#include "vc/syncer/sync/object_syncer.h"

namespace vc::syncer {
namespace {

using nlohmann::json;
using translate::CustomResourceSync;

const CustomResourceSync kCertificates{
    "certificates.cert-manager.io",
    {{"spec.secretName", "v1", "Secret", ""},
     {"spec.keystores.pkcs12.passwordSecretRef", "v1", "Secret", "name"},
     {"spec.additionalOutputs[*].configMap", "v1", "ConfigMap", ""}}};

const translate::Tenant kTenant{.name = "t1", .host_namespace = "vc-t1"};

json Certificate() {
  return {{"apiVersion", "cert-manager.io/v1"},
          {"kind", "Certificate"},
          {"metadata", {{"name", "web"}, {"namespace", "shop"}, {"uid", "uid-web"}}},
          {"spec",
           {{"secretName", "web-tls"},
            {"dnsNames", {"shop.example.com"}},
            {"issuerRef", {{"name", "ca"}, {"kind", "ClusterIssuer"}}},
            {"keystores", {{"pkcs12", {{"passwordSecretRef", {{"name", "p12"}, {"key", "pw"}}}}}}},
            {"additionalOutputs", {{{"configMap", "ca-a"}}, {{"configMap", "ca-b"}}}}}},
          {"status", {{"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}};
}

TEST(CustomResourceTranslate, ReferencesAreRenamedAndTheRestKept) {
  const json host = translate::TranslateCustomResource(Certificate(), kTenant, kCertificates);
  EXPECT_EQ(host["metadata"]["name"], "web-x-shop-x-t1");
  EXPECT_EQ(host["metadata"]["namespace"], "vc-t1");
  EXPECT_EQ(host["metadata"]["annotations"]["kubectl-vc.dev/object-uid"], "uid-web");
  EXPECT_EQ(host["spec"]["secretName"], "web-tls-x-shop-x-t1");
  EXPECT_EQ(host["spec"]["keystores"]["pkcs12"]["passwordSecretRef"],
            json({{"name", "p12-x-shop-x-t1"}, {"key", "pw"}}));
  EXPECT_EQ(host["spec"]["additionalOutputs"],
            json({{{"configMap", "ca-a-x-shop-x-t1"}}, {{"configMap", "ca-b-x-shop-x-t1"}}}));
  // What no patch names stays as the tenant wrote it: a ClusterIssuer is the host's.
  EXPECT_EQ(host["spec"]["issuerRef"], Certificate()["spec"]["issuerRef"]);
  EXPECT_EQ(host["spec"]["dnsNames"], json({"shop.example.com"}));
  EXPECT_FALSE(host.contains("status"));
  EXPECT_EQ(host["apiVersion"], "cert-manager.io/v1");
}

TEST(CustomResourceTranslate, ReferencedNamesByKind) {
  EXPECT_EQ(translate::ReferencedNames(Certificate(), kCertificates, "Secret"),
            (std::vector<std::string>{"web-tls", "p12"}));
  EXPECT_EQ(translate::ReferencedNames(Certificate(), kCertificates, "ConfigMap"),
            (std::vector<std::string>{"ca-a", "ca-b"}));
  json no_secret = Certificate();
  no_secret["spec"].erase("secretName");
  no_secret["spec"]["keystores"] = 7;  // not an object: nothing to read there
  EXPECT_TRUE(translate::ReferencedNames(no_secret, kCertificates, "Secret").empty());
}

TEST(CustomResourceTranslate, ValuesAreReadAndCheckedByName) {
  const json values = json::parse(R"({
    "certificates.cert-manager.io": {"enabled": true, "patches": [
      {"path": "spec.secretName", "reference": {"apiVersion": "v1", "kind": "Secret"}}]},
    "issuers.cert-manager.io": {"enabled": false}})");
  const auto read = translate::CustomResourcesFromValues(values);
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(read[0].name, "certificates.cert-manager.io");
  ASSERT_EQ(read[0].references.size(), 1u);
  EXPECT_EQ(read[0].references[0].path, "spec.secretName");
  EXPECT_TRUE(translate::CheckCustomResource(read[0], "toHost").ok());
  const Status bad_name = translate::CheckCustomResource({"Certificate", {}}, "toHost");
  EXPECT_NE(bad_name.message().find("not PLURAL.GROUP"), std::string::npos) << bad_name.message();
  const Status bad_path = translate::CheckCustomResource(
      {"certificates.cert-manager.io", {{"spec[0].name", "v1", "Secret", ""}}}, "toHost");
  EXPECT_NE(bad_path.message().find("is not a dotted path"), std::string::npos)
      << bad_path.message();
}

json CertificateCrd(bool webhook) {
  json crd = {{"apiVersion", "apiextensions.k8s.io/v1"},
              {"kind", "CustomResourceDefinition"},
              {"metadata", {{"name", "certificates.cert-manager.io"}, {"uid", "host-uid"}}},
              {"spec",
               {{"group", "cert-manager.io"},
                {"scope", "Namespaced"},
                {"names", {{"plural", "certificates"}, {"kind", "Certificate"}}},
                {"versions",
                 {{{"name", "v1alpha1"}, {"served", true}, {"storage", false}},
                  {{"name", "v1"},
                   {"served", true},
                   {"storage", true},
                   {"subresources", {{"status", json::object()}}}}}}}},
              {"status", {{"acceptedNames", {{"kind", "Certificate"}}}}}};
  if (webhook) {
    crd["spec"]["conversion"] = {{"strategy", "Webhook"},
                                 {"webhook", {{"clientConfig", {{"url", "https://x"}}}}}};
  }
  return crd;
}

TEST(CustomResourceTranslate, TheVirtualCrdIsTheHostsWithoutItsWebhook) {
  const json crd = translate::VirtualCrd(CertificateCrd(true));
  EXPECT_EQ(crd["metadata"], json({{"name", "certificates.cert-manager.io"},
                                   {"labels", {{"kubectl-vc.dev/from-host", "true"}}}}));
  EXPECT_EQ(crd["spec"]["conversion"], json({{"strategy", "None"}}));
  EXPECT_EQ(crd["spec"]["versions"], CertificateCrd(true)["spec"]["versions"]);
  EXPECT_FALSE(crd.contains("status"));
  auto resource = translate::CrdResource(CertificateCrd(false));
  ASSERT_TRUE(resource.ok()) << resource.status().message();
  EXPECT_EQ(resource->ApiVersion(), "cert-manager.io/v1");  // the storage version
  EXPECT_EQ(resource->resource, "certificates");
  EXPECT_TRUE(resource->namespaced);
  EXPECT_TRUE(translate::CrdHasStatusSubresource(CertificateCrd(false)));
  json no_storage = CertificateCrd(false);
  no_storage["spec"]["versions"][1]["storage"] = false;
  EXPECT_FALSE(translate::CrdResource(no_storage).ok());
}

// --- The syncer over two fake API servers --------------------------------------------------

namespace table = sync::table;

const kube::Resource kCertificateResource{"cert-manager.io", "v1", "certificates", "Certificate",
                                          true};

json TenantCertificate() {
  json c = Certificate();
  c.erase("status");
  c["spec"].erase("keystores");
  c["spec"].erase("additionalOutputs");
  return c;
}

json IssuedSecret() {
  return {{"kind", "Secret"},
          {"metadata",
           {{"name", "web-tls-x-shop-x-t1"},
            {"namespace", "vc-t1"},
            {"annotations", {{"cert-manager.io/certificate-name", "web-x-shop-x-t1"}}}}},
          {"type", "kubernetes.io/tls"},
          {"data", {{"tls.crt", "Y2VydA=="}, {"tls.key", "a2V5"}}}};
}

table::KindRows CertificateRows() {
  const json ready = {{"conditions", {{{"type", "Ready"}, {"status", "True"}}}}};
  json host_copy = translate::TranslateCustomResource(TenantCertificate(), kTenant, kCertificates);
  host_copy["status"] = ready;
  return {
      "Certificates",
      &kCertificateResource,
      [](translate::SyncConfig* c) { c->secrets_all = true; },
      [](std::shared_ptr<const sync::SyncContext> ctx) {
        std::vector<std::unique_ptr<sync::KindSyncer>> out;
        // The Secret syncer runs too (secrets.all): it must not copy the imported Secret back
        // over the issuer's.
        out.push_back(std::make_unique<sync::ObjectSyncer>(ctx, sync::SecretKind(ctx->config)));
        out.push_back(std::make_unique<sync::ObjectSyncer>(
            ctx, sync::CustomResourceKind(kCertificateResource, /*status_subresource=*/false,
                                          kCertificates)));  // the fake serves no /status for it
        return out;
      },
      {
          {.name = "ANewCertificateGoesToTheHostWithItsSecretNameTranslated",
           .virtual_before = {TenantCertificate()},
           .host_after = {table::Has(
               "vc-t1", "web-x-shop-x-t1",
               {{"spec", {{"secretName", "web-tls-x-shop-x-t1"}, {"issuerRef", {{"name", "ca"}}}}},
                {"metadata", {{"labels", {{"kubectl-vc.dev/tenant", "t1"}}}}}})}},
          {.name = "StatusComesBackAndTheIssuedSecretIsImported",
           .virtual_before = {TenantCertificate()},
           .host_before = {host_copy, {kube::resources::kSecrets, IssuedSecret()}},
           .host_after = {table::HasOf(
               kube::resources::kSecrets, "vc-t1", "web-tls-x-shop-x-t1",
               {{"metadata", {{"labels", nullptr}}}, {"data", IssuedSecret()["data"]}})},
           .virtual_after =
               {table::Has("shop", "web", {{"status", ready}}),
                table::HasOf(kube::resources::kSecrets, "shop", "web-tls",
                             {{"type", "kubernetes.io/tls"},
                              {"data", IssuedSecret()["data"]},
                              {"metadata",
                               {{"annotations",
                                 {{"kubectl-vc.dev/imported-from", "web-tls-x-shop-x-t1"}}}}}})},
           .then = {{.changes = {{table::Side::kHost,
                                  {kube::resources::kSecrets,
                                   [] {
                                     json renewed = IssuedSecret();
                                     renewed["data"]["tls.crt"] = "bmV3";
                                     return renewed;
                                   }()}},
                                 // The host controller says so: the Certificate changes.
                                 {table::Side::kHost,
                                  [&] {
                                    json c = host_copy;
                                    c["status"]["renewalTime"] = "2027-01-01T00:00:00Z";
                                    return c;
                                  }()}},
                     .virtual_after = {table::HasOf(kube::resources::kSecrets, "shop", "web-tls",
                                                    {{"data", {{"tls.crt", "bmV3"}}}})}}}},
          {.name = "ASecretOfThatNameTheTenantMadeIsLeftAlone",
           .virtual_before = {TenantCertificate(),
                              {kube::resources::kSecrets,
                               {{"kind", "Secret"},
                                {"metadata", {{"name", "web-tls"}, {"namespace", "shop"}}},
                                {"data", {{"mine", "eA=="}}}}}},
           .host_before = {host_copy, {kube::resources::kSecrets, IssuedSecret()}},
           .virtual_after = {table::HasOf(kube::resources::kSecrets, "shop", "web-tls",
                                          {{"data", {{"mine", "eA=="}, {"tls.crt", nullptr}}}})}},
          {.name = "ADeletedCertificateLeavesTheHost",
           .host_before = {host_copy},
           .host_after = {table::Absent("vc-t1", "web-x-shop-x-t1")}},
      }};
}

class CertificateTableTest : public ::testing::TestWithParam<size_t> {};

TEST_P(CertificateTableTest, Converges) {
  static const table::KindRows rows = CertificateRows();
  table::RunKindCase(rows, rows.cases[GetParam()]);
}

INSTANTIATE_TEST_SUITE_P(KindTable, CertificateTableTest, ::testing::Range<size_t>(0, 4),
                         [](const ::testing::TestParamInfo<size_t>& info) {
                           return "Certificates_" + CertificateRows().cases[info.param].name;
                         });

}  // namespace
}  // namespace vc::syncer
