// SPDX-License-Identifier: Apache-2.0
// Table tests of the per-kind syncers (object_syncer.h, host_class_syncer.h) against two fake
// API servers: {virtual before, host before} -> run -> {host after, virtual after}. The
// harness is kind_table.h. A new kind is one more KindRows in AllRows() (or a file of its own,
// kind_table_<kind>_test.cpp, as the pods' and services' are); a new case one more row in its
// kind's list. Expected values come from the translators' contracts (names.h,
// object_translator.h, endpoints_translator.h, host_policy.h), written out here rather than
// computed by the code under test.
#include "kind_table.h"

#include <gtest/gtest.h>

#include "kind_table_objects.h"
#include "vc/syncer/sync/host_class_syncer.h"
#include "vc/syncer/sync/object_syncer.h"

namespace vc::syncer::sync::table {
namespace {

using nlohmann::json;
namespace r = kube::resources;

template <typename Kind>
MakeSyncers One(Kind kind) {
  return [kind](std::shared_ptr<const SyncContext> ctx) {
    std::vector<std::unique_ptr<KindSyncer>> out;
    out.push_back(std::make_unique<ObjectSyncer>(ctx, kind(ctx->config)));
    return out;
  };
}

// --- ConfigMaps and Secrets ------------------------------------------------------------------

json ConfigMap(json meta, json data) {
  return {{"kind", "ConfigMap"}, {"metadata", std::move(meta)}, {"data", std::move(data)}};
}

KindRows ConfigMapRows() {
  return {
      "ConfigMaps",
      &r::kConfigMaps,
      [](translate::SyncConfig* c) { c->config_maps_all = true; },
      One([](const translate::SyncConfig& c) { return ConfigMapKind(c); }),
      {
          {.name = "NewVirtualObjectIsCreatedOnTheHost",
           .virtual_before = {ConfigMap(
               VirtualMeta("shop", "app", {{"tier", "web"}},
                           {{"note", "n"},
                            {"kubectl.kubernetes.io/last-applied-configuration", "{}"},
                            {"kubectl-vc.dev/object-name", "forged"}}),
               {{"k", "v"}})},
           .host_after = {Has(
               "vc-t1", Host("app", "shop"),
               {{"metadata",
                 {{"labels", OurLabels("shop", {{"label.kubectl-vc.dev/tier", "web"}})},
                  {"annotations",
                   {{"note", "n"},
                    {"kubectl.kubernetes.io/last-applied-configuration", nullptr},
                    {"kubectl-vc.dev/object-name", "app"},
                    {"kubectl-vc.dev/object-namespace", "shop"},
                    {"kubectl-vc.dev/object-uid", "uid-app"}}}}},
                {"data", {{"k", "v"}}}})}},
          {.name = "NotCopiedUnlessAllOrNeeded",
           .virtual_before = {ConfigMap(VirtualMeta("shop", "app"), {{"k", "v"}})},
           .host_after = {Absent("vc-t1", Host("app", "shop"))},
           .configure = [](translate::SyncConfig* c) { c->config_maps_all = false; }},
          {.name = "ChangedVirtualObjectUpdatesTheHostCopy",
           .virtual_before = {ConfigMap(VirtualMeta("shop", "app", {{"tier", "db"}}),
                                        {{"k", "new"}})},
           .host_before = {ConfigMap(
               CopyMeta("shop", "app", {{"label.kubectl-vc.dev/tier", "web"}}), {{"k", "old"}})},
           .host_after = {Has("vc-t1", Host("app", "shop"),
                              {{"metadata", {{"labels", {{"label.kubectl-vc.dev/tier", "db"}}}}},
                               {"data", {{"k", "new"}}}})}},
          {.name = "DataKeyRemovedInTheVirtualClusterIsRemovedOnTheHost",
           .virtual_before = {ConfigMap(VirtualMeta("shop", "app"), {{"a", "1"}})},
           .host_before = {ConfigMap(CopyMeta("shop", "app"), {{"a", "1"}, {"b", "2"}})},
           .host_after = {Has("vc-t1", Host("app", "shop"),
                              {{"data", {{"a", "1"}, {"b", nullptr}}}})}},
          {.name = "HostCopyOfADeletedVirtualObjectIsDeleted",
           .host_before = {ConfigMap(CopyMeta("shop", "gone"), {{"k", "v"}})},
           .host_after = {Absent("vc-t1", Host("gone", "shop"))}},
          {.name = "VirtualObjectBeingDeletedLosesItsHostCopy",
           .virtual_before = {ConfigMap(
               [] {
                 json m = VirtualMeta("shop", "app");
                 m["deletionTimestamp"] = "2026-01-01T00:00:00Z";
                 m["finalizers"] = {"example.com/hold"};
                 return m;
               }(),
               {{"k", "v"}})},
           .host_before = {ConfigMap(CopyMeta("shop", "app"), {{"k", "v"}})},
           .host_after = {Absent("vc-t1", Host("app", "shop"))}},
          {.name = "HostObjectThatIsNotOursIsLeftAlone",
           .virtual_before = {ConfigMap(VirtualMeta("shop", "app"), {{"k", "tenant"}})},
           .host_before = {ConfigMap(ForeignMeta(Host("app", "shop")), {{"k", "admin"}}),
                           ConfigMap(ForeignMeta("unrelated"), {{"k", "admin"}})},
           .host_after = {Has("vc-t1", Host("app", "shop"),
                              {{"metadata", {{"labels", {{"kubectl-vc.dev/tenant", nullptr}}}}},
                               {"data", {{"k", "admin"}}}}),
                          Has("vc-t1", "unrelated", {{"data", {{"k", "admin"}}}})}},
          {.name = "AVirtualObjectChangedWhileRunningIsFollowed",
           .virtual_before = {ConfigMap(VirtualMeta("shop", "app"), {{"k", "v1"}})},
           .host_after = {Has("vc-t1", Host("app", "shop"), {{"data", {{"k", "v1"}}}})},
           .then = {{.changes = {{Side::kVirtual,
                                  ConfigMap(VirtualMeta("shop", "app"), {{"k", "v2"}})}},
                     .host_after = {Has("vc-t1", Host("app", "shop"), {{"data", {{"k", "v2"}}}})}},
                    {.changes = {{Side::kVirtual, ConfigMap(VirtualMeta("shop", "app"), {}), true}},
                     .host_after = {Absent("vc-t1", Host("app", "shop"))}}}},
      }};
}

json Secret(json meta, json data, const std::string& type = "Opaque") {
  return {{"kind", "Secret"}, {"metadata", std::move(meta)}, {"type", type}, {"data", data}};
}

KindRows SecretRows() {
  return {
      "Secrets",
      &r::kSecrets,
      [](translate::SyncConfig* c) { c->secrets_all = true; },
      One([](const translate::SyncConfig& c) { return SecretKind(c); }),
      {
          {.name = "NewVirtualObjectIsCreatedOnTheHost",
           .virtual_before = {Secret(VirtualMeta("shop", "db"), {{"password", "cw=="}})},
           .host_after = {Has("vc-t1", Host("db", "shop"),
                              {{"metadata", {{"labels", OurLabels("shop")}}},
                               {"type", "Opaque"},
                               {"data", {{"password", "cw=="}}}})}},
          {.name = "ServiceAccountTokenIsCopiedAsOpaque",
           .virtual_before = {Secret(VirtualMeta("shop", "tok"), {{"token", "dA=="}},
                                     "kubernetes.io/service-account-token")},
           .host_after = {Has("vc-t1", Host("tok", "shop"),
                              {{"type", "Opaque"}, {"data", {{"token", "dA=="}}}})}},
          {.name = "NotCopiedUnlessAllOrNeeded",
           .virtual_before = {Secret(VirtualMeta("shop", "db"), {{"password", "cw=="}})},
           .host_after = {Absent("vc-t1", Host("db", "shop"))},
           .configure = [](translate::SyncConfig* c) { c->secrets_all = false; }},
          {.name = "ChangedVirtualObjectUpdatesTheHostCopy",
           .virtual_before = {Secret(VirtualMeta("shop", "db"), {{"password", "bmV3"}})},
           .host_before = {Secret(CopyMeta("shop", "db"), {{"password", "b2xk"}})},
           .host_after = {Has("vc-t1", Host("db", "shop"), {{"data", {{"password", "bmV3"}}}})}},
          {.name = "DataKeyRemovedInTheVirtualClusterIsRemovedOnTheHost",
           .virtual_before = {Secret(VirtualMeta("shop", "db"), {{"user", "dQ=="}})},
           .host_before = {Secret(CopyMeta("shop", "db"),
                                  {{"user", "dQ=="}, {"password", "cw=="}})},
           .host_after = {Has("vc-t1", Host("db", "shop"),
                              {{"data", {{"user", "dQ=="}, {"password", nullptr}}}})}},
          {.name = "HostCopyOfADeletedVirtualObjectIsDeleted",
           .host_before = {Secret(CopyMeta("shop", "db"), {{"password", "cw=="}})},
           .host_after = {Absent("vc-t1", Host("db", "shop"))}},
          {.name = "HostObjectThatIsNotOursIsLeftAlone",
           .virtual_before = {Secret(VirtualMeta("shop", "db"), {{"password", "dGVuYW50"}})},
           .host_before = {Secret(ForeignMeta(Host("db", "shop")), {{"password", "YWRtaW4="}})},
           .host_after = {Has("vc-t1", Host("db", "shop"),
                              {{"data", {{"password", "YWRtaW4="}}}})}},
      }};
}

// --- PersistentVolumeClaims --------------------------------------------------------------------

json Pvc(json meta, json spec, const json& status = nullptr) {
  json pvc = {{"kind", "PersistentVolumeClaim"}, {"metadata", meta}, {"spec", spec}};
  if (!status.is_null()) pvc["status"] = status;
  return pvc;
}

const json kPvcSpec = {{"accessModes", {"ReadWriteOnce"}},
                       {"resources", {{"requests", {{"storage", "1Gi"}}}}},
                       {"storageClassName", "fast"}};

KindRows PvcRows() {
  json bound_spec = kPvcSpec;
  bound_spec["volumeName"] = "pv-virtual";
  const json bound = {{"phase", "Bound"}, {"capacity", {{"storage", "1Gi"}}}};
  return {
      "PersistentVolumeClaims",
      &r::kPersistentVolumeClaims,
      nullptr,
      One([](const translate::SyncConfig&) { return PvcKind(); }),
      {
          {.name = "NewVirtualObjectIsCreatedOnTheHostWithoutItsVolume",
           .virtual_before = {Pvc(VirtualMeta("shop", "data"), bound_spec)},
           .host_after = {Has("vc-t1", Host("data", "shop"),
                              {{"metadata", {{"labels", OurLabels("shop")}}},
                               {"spec",
                                {{"accessModes", {"ReadWriteOnce"}},
                                 {"storageClassName", "fast"},
                                 {"resources", {{"requests", {{"storage", "1Gi"}}}}},
                                 {"volumeName", nullptr}}}})}},
          {.name = "HostStatusFlowsBack",
           .virtual_before = {Pvc(VirtualMeta("shop", "data"), kPvcSpec, {{"phase", "Pending"}})},
           .host_before = {Pvc(CopyMeta("shop", "data"), kPvcSpec, bound)},
           .virtual_after = {Has("shop", "data", {{"status", bound}})}},
          {.name = "HostStatusChangeWhileRunningFlowsBack",
           .virtual_before = {Pvc(VirtualMeta("shop", "data"), kPvcSpec)},
           .host_after = {Has("vc-t1", Host("data", "shop"), {{"spec", kPvcSpec}})},
           .then = {{.changes = {{Side::kHost, Pvc(CopyMeta("shop", "data"), kPvcSpec, bound)}},
                     .virtual_after = {Has("shop", "data", {{"status", bound}})}}}},
          {.name = "LabelChangeReachesTheHost",
           .virtual_before = {Pvc(VirtualMeta("shop", "data", {{"tier", "db"}}), kPvcSpec)},
           .host_before = {Pvc(CopyMeta("shop", "data"), kPvcSpec)},
           .host_after = {Has(
               "vc-t1", Host("data", "shop"),
               {{"metadata", {{"labels", {{"label.kubectl-vc.dev/tier", "db"}}}}}})}},
          {.name = "HostCopyOfADeletedVirtualObjectIsDeleted",
           .host_before = {Pvc(CopyMeta("shop", "data"), kPvcSpec, bound)},
           .host_after = {Absent("vc-t1", Host("data", "shop"))}},
          {.name = "HostObjectThatIsNotOursIsLeftAlone",
           .virtual_before = {Pvc(VirtualMeta("shop", "data"), kPvcSpec)},
           .host_before = {Pvc(ForeignMeta(Host("data", "shop")), kPvcSpec, bound)},
           .host_after = {Has("vc-t1", Host("data", "shop"),
                              {{"metadata", {{"labels", {{"owner", "host-admin"}}}}}})},
           .virtual_after = {Has("shop", "data", {{"status", nullptr}})}},
      }};
}

// --- Ingresses -----------------------------------------------------------------------------------

json Ingress(json meta, json spec, const json& status = nullptr) {
  json ingress = {{"kind", "Ingress"}, {"metadata", meta}, {"spec", spec}};
  if (!status.is_null()) ingress["status"] = status;
  return ingress;
}

json IngressSpec(const std::string& service, const std::string& secret) {
  return {
      {"ingressClassName", "nginx"},
      {"rules",
       {{{"host", "shop.example.com"},
         {"http",
          {{"paths",
            {{{"path", "/"},
              {"pathType", "Prefix"},
              {"backend", {{"service", {{"name", service}, {"port", {{"number", 80}}}}}}}}}}}}}}},
      {"tls", {{{"hosts", {"shop.example.com"}}, {"secretName", secret}}}}};
}

// The Secrets an Ingress's TLS names are copied by the Secret syncer, without secrets.all.
std::vector<std::unique_ptr<KindSyncer>> IngressSyncers(std::shared_ptr<const SyncContext> ctx) {
  auto secrets = std::make_unique<ObjectSyncer>(ctx, SecretKind(ctx->config));
  auto ingresses = std::make_unique<ObjectSyncer>(ctx, IngressKind());
  ingresses->SetSecrets(secrets.get());
  std::vector<std::unique_ptr<KindSyncer>> out;
  out.push_back(std::move(secrets));
  out.push_back(std::move(ingresses));
  return out;
}

KindRows IngressRows() {
  const json lb = {{"loadBalancer", {{"ingress", {{{"ip", "203.0.113.7"}}}}}}};
  const json snippet = {{"nginx.ingress.kubernetes.io/configuration-snippet", "return 200;"}};
  const json rewrite = {{"nginx.ingress.kubernetes.io/rewrite-target", "/"}};
  return {
      "Ingresses",
      &r::kIngresses,
      [](translate::SyncConfig* c) { c->ingresses = true; },
      IngressSyncers,
      {
          {.name = "NewVirtualObjectIsCreatedWithBackendsAndTlsTranslated",
           .virtual_before = {Ingress(VirtualMeta("shop", "web"), IngressSpec("web", "cert")),
                              {r::kSecrets, Secret(VirtualMeta("shop", "cert"),
                                                   {{"tls.crt", "Yw=="}}, "kubernetes.io/tls")}},
           .host_after = {Has("vc-t1", Host("web", "shop"),
                              {{"metadata", {{"labels", OurLabels("shop")}}},
                               {"spec", IngressSpec(Host("web", "shop"), Host("cert", "shop"))}}),
                          HasOf(r::kSecrets, "vc-t1", Host("cert", "shop"),
                                {{"type", "kubernetes.io/tls"}, {"data", {{"tls.crt", "Yw=="}}}})}},
          {.name = "ChangedSpecUpdatesTheHostCopy",
           .virtual_before = {Ingress(VirtualMeta("shop", "web"), IngressSpec("web-v2", "cert"))},
           .host_before = {Ingress(CopyMeta("shop", "web"),
                                   IngressSpec(Host("web", "shop"), Host("cert", "shop")))},
           .host_after = {Has(
               "vc-t1", Host("web", "shop"),
               {{"spec", IngressSpec(Host("web-v2", "shop"), Host("cert", "shop"))}})}},
          {.name = "TlsTheTenantRemovedGoesOnTheHost",
           .virtual_before = {Ingress(
               VirtualMeta("shop", "web"),
               {{"ingressClassName", "nginx"}, {"rules", IngressSpec("web", "cert")["rules"]}})},
           .host_before = {Ingress(CopyMeta("shop", "web"),
                                   IngressSpec(Host("web", "shop"), Host("cert", "shop")))},
           .host_after = {Has(
               "vc-t1", Host("web", "shop"),
               {{"spec",
                 {{"tls", nullptr}, {"rules", IngressSpec(Host("web", "shop"), "")["rules"]}}}})}},
          {.name = "HostStatusFlowsBack",
           .virtual_before = {Ingress(VirtualMeta("shop", "web"), IngressSpec("web", "cert"))},
           .host_before = {Ingress(CopyMeta("shop", "web"),
                                   IngressSpec(Host("web", "shop"), Host("cert", "shop")), lb)},
           .virtual_after = {Has("shop", "web", {{"status", lb}})}},
          {.name = "SnippetAnnotationIsRefusedAtEveryTrustLevel",
           .virtual_before = {Ingress(VirtualMeta("shop", "web", {}, snippet),
                                      IngressSpec("web", "cert"))},
           .host_after = {Absent("vc-t1", Host("web", "shop"))},
           .virtual_after = {HasOf(r::kEvents, "shop", "", Refused("web"))}},
          {.name = "RefusedIngressLosesItsHostCopy",
           .virtual_before = {Ingress(VirtualMeta("shop", "web", {}, snippet),
                                      IngressSpec("web", "cert"))},
           .host_before = {Ingress(CopyMeta("shop", "web"),
                                   IngressSpec(Host("web", "shop"), Host("cert", "shop")))},
           .host_after = {Absent("vc-t1", Host("web", "shop"))},
           .virtual_after = {HasOf(r::kEvents, "shop", "", Refused("web"))}},
          {.name = "ControllerAnnotationIsRefusedBelowTrustHigh",
           .virtual_before = {Ingress(VirtualMeta("shop", "web", {}, rewrite),
                                      IngressSpec("web", "cert"))},
           .host_after = {Absent("vc-t1", Host("web", "shop"))},
           .virtual_after = {HasOf(r::kEvents, "shop", "", Refused("web"))},
           .trust_level = "partial"},
          {.name = "ControllerAnnotationIsCopiedAtTrustHigh",
           .virtual_before = {Ingress(VirtualMeta("shop", "web", {}, rewrite),
                                      IngressSpec("web", "cert"))},
           .host_after = {Has("vc-t1", Host("web", "shop"),
                              {{"metadata", {{"annotations", rewrite}}}})}},
          {.name = "HostCopyOfADeletedVirtualObjectIsDeleted",
           .host_before = {Ingress(CopyMeta("shop", "web"), IngressSpec("x", "y"))},
           .host_after = {Absent("vc-t1", Host("web", "shop"))}},
          {.name = "HostObjectThatIsNotOursIsLeftAlone",
           .virtual_before = {Ingress(VirtualMeta("shop", "web"), IngressSpec("web", "cert"))},
           .host_before = {Ingress(ForeignMeta(Host("web", "shop")), IngressSpec("admin", "a"),
                                   lb)},
           .host_after = {Has("vc-t1", Host("web", "shop"), {{"spec", IngressSpec("admin", "a")}})},
           .virtual_after = {Has("shop", "web", {{"status", nullptr}})}},
      }};
}

// --- EndpointSlices written by hand ----------------------------------------------------------

json Slice(json meta, const std::string& ip, const std::string& pod = "db-0") {
  return {
      {"kind", "EndpointSlice"},
      {"metadata", meta},
      {"addressType", "IPv4"},
      {"endpoints",
       {{{"addresses", {ip}},
         {"targetRef", {{"kind", "Pod"}, {"name", pod}, {"namespace", "shop"}, {"uid", "p"}}}}}},
      {"ports", {{{"port", 5432}, {"protocol", "TCP"}}}}};
}

json SliceLabels(const std::string& service) { return {{"kubernetes.io/service-name", service}}; }

// What the host copy of a slice for `service` with one endpoint `ip` (pod db-0) carries.
json HostSlice(const std::string& ip) {
  return {
      {"metadata",
       {{"labels",
         OurLabels("shop", {{"kubernetes.io/service-name", Host("db", "shop")},
                            {"endpointslice.kubernetes.io/managed-by", "vc-syncer.kubectl-vc.dev"},
                            {"label.kubectl-vc.dev/kubernetes.io_service-name", "db"}})}}},
      {"addressType", "IPv4"},
      {"endpoints",
       {{{"addresses", {ip}},
         {"targetRef",
          {{"kind", "Pod"}, {"name", Host("db-0", "shop")}, {"namespace", "vc-t1"}}}}}},
      {"ports", {{{"port", 5432}, {"protocol", "TCP"}}}}};
}

KindRows EndpointSliceRows() {
  const json managed = {
      {"kubernetes.io/service-name", "db"},
      {"endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io"}};
  json host_copy = Slice(CopyMeta("shop", "db-1"), "10.0.0.5");
  host_copy["metadata"]["labels"]["kubernetes.io/service-name"] = Host("db", "shop");
  return {
      "EndpointSlices",
      &r::kEndpointSlices,
      nullptr,
      One([](const translate::SyncConfig&) { return EndpointSliceKind(); }),
      {
          {.name = "HandWrittenSliceIsCreatedOnTheHost",
           .virtual_before = {Slice(VirtualMeta("shop", "db-1", SliceLabels("db")), "10.0.0.5")},
           .host_after = {Has("vc-t1", Host("db-1", "shop"), HostSlice("10.0.0.5"))}},
          {.name = "ControllerManagedSliceIsNotCopied",
           .virtual_before = {Slice(VirtualMeta("shop", "db-abc", managed), "10.0.0.5")},
           .host_after = {Absent("vc-t1", Host("db-abc", "shop"))}},
          {.name = "SliceWithoutAServiceIsNotCopied",
           .virtual_before = {Slice(VirtualMeta("shop", "db-1"), "10.0.0.5")},
           .host_after = {Absent("vc-t1", Host("db-1", "shop"))}},
          {.name = "SliceIsRefusedBelowTrustHigh",
           .virtual_before = {Slice(VirtualMeta("shop", "db-1", SliceLabels("db")), "10.0.0.5")},
           .host_after = {Absent("vc-t1", Host("db-1", "shop"))},
           .virtual_after = {HasOf(r::kEvents, "shop", "", Refused("db-1"))},
           .trust_level = "zero"},
          {.name = "ChangedEndpointsUpdateTheHostCopy",
           .virtual_before = {Slice(VirtualMeta("shop", "db-1", SliceLabels("db")), "10.0.0.9")},
           .host_before = {host_copy},
           .host_after = {Has("vc-t1", Host("db-1", "shop"), HostSlice("10.0.0.9"))}},
          {.name = "SliceNoLongerSelectedLosesItsHostCopy",
           .virtual_before = {Slice(VirtualMeta("shop", "db-1", managed), "10.0.0.5")},
           .host_before = {host_copy},
           .host_after = {Absent("vc-t1", Host("db-1", "shop"))}},
          {.name = "HostCopyOfADeletedVirtualObjectIsDeleted",
           .host_before = {host_copy},
           .host_after = {Absent("vc-t1", Host("db-1", "shop"))}},
      }};
}

// --- PriorityClasses to the host -------------------------------------------------------------

json PriorityClass(json meta, int value, bool global_default = false) {
  return {{"kind", "PriorityClass"},
          {"metadata", meta},
          {"value", value},
          {"globalDefault", global_default},
          {"preemptionPolicy", "Never"},
          {"description", "batch"}};
}

KindRows PriorityClassRows() {
  json other_tenant = PriorityClass(CopyMeta("", "batch"), 5);
  other_tenant["metadata"]["name"] = "batch-x-t1-othertenant";
  other_tenant["metadata"]["labels"]["kubectl-vc.dev/tenant-namespace"] = "vc-elsewhere";
  return {
      "PriorityClasses",
      &r::kPriorityClasses,
      [](translate::SyncConfig* c) { c->priority_classes = true; },
      One([](const translate::SyncConfig&) { return PriorityClassKind(); }),
      {
          {.name = "NewVirtualClassIsCreatedNeverAsGlobalDefault",
           .virtual_before = {PriorityClass(VirtualMeta("", "batch"), 1000, true)},
           .host_after = {Has("", HostCluster("batch"),
                              {{"metadata",
                                {{"namespace", nullptr},
                                 {"labels", OurLabels("")},
                                 {"annotations", OurAnnotations("", "batch", "uid-batch")}}},
                               {"value", 1000},
                               {"globalDefault", false},
                               {"preemptionPolicy", "Never"},
                               {"description", "batch"}})}},
          {.name = "SystemClassesAreNotCopied",
           .virtual_before = {PriorityClass(VirtualMeta("", "system-cluster-critical"),
                                            2000000000)},
           .host_after = {Absent("", HostCluster("system-cluster-critical")),
                          Absent("", "system-cluster-critical")}},
          {.name = "ChangedVirtualClassUpdatesTheHostCopy",
           .virtual_before = {[] {
             json pc = PriorityClass(VirtualMeta("", "batch"), 1000);
             pc["description"] = "nightly";
             return pc;
           }()},
           .host_before = {PriorityClass(CopyMeta("", "batch"), 1000)},
           .host_after = {Has("", HostCluster("batch"), {{"description", "nightly"}})}},
          // The value cannot change (the API server refuses it): a class made anew with
          // another value (a new uid) needs a new host copy, not a patch of the old one.
          {.name = "RecreatedVirtualClassWithAnotherValueReplacesTheHostCopy",
           .virtual_before = {PriorityClass(VirtualMeta("", "batch"), 2000)},
           .host_before = {[] {
             json old = PriorityClass(CopyMeta("", "batch"), 1000);
             old["metadata"]["annotations"]["kubectl-vc.dev/object-uid"] = "uid-before";
             return old;
           }()},
           .host_after = {Has(
               "", HostCluster("batch"),
               {{"value", 2000},
                {"metadata", {{"annotations", {{"kubectl-vc.dev/object-uid", "uid-batch"}}}}}})}},
          {.name = "HostCopyOfADeletedVirtualClassIsDeleted",
           .host_before = {PriorityClass(CopyMeta("", "batch"), 1000)},
           .host_after = {Absent("", HostCluster("batch"))}},
          {.name = "AnotherTenantsCopyIsLeftAlone",
           .host_before = {other_tenant},
           .host_after = {Has("", "batch-x-t1-othertenant", {{"value", 5}})}},
      }};
}

// --- Host classes shown in the virtual cluster -----------------------------------------------

json StorageClass(json meta, const std::string& provisioner) {
  return {{"kind", "StorageClass"},
          {"metadata", meta},
          {"provisioner", provisioner},
          {"parameters", {{"type", "ssd"}}},
          {"reclaimPolicy", "Delete"}};
}

json HostClassMeta(const std::string& name) {
  return {{"name", name},
          {"labels", {{"tier", "gold"}}},
          {"annotations", {{"storageclass.kubernetes.io/is-default-class", "true"}}}};
}

// The labels of a mirrored class: the host's plus the mark.
json Mirrored(json labels = {{"tier", "gold"}}) {
  labels["kubectl-vc.dev/from-host"] = "true";
  return labels;
}

KindRows StorageClassRows() {
  json tenant_edit = StorageClass(HostClassMeta("fast"), "tenant.example.com/evil");
  tenant_edit["metadata"]["labels"]["kubectl-vc.dev/from-host"] = "true";
  tenant_edit["parameters"] = {{"type", "hdd"}};
  json tenants_own = StorageClass({{"name", "fast"}}, "tenant.example.com/own");
  json other_tenants = StorageClass(CopyMeta("", "fast"), "x");
  return {
      "StorageClassesFromHost",
      &r::kStorageClasses,
      nullptr,
      [](const std::shared_ptr<const SyncContext>& ctx) {
        std::vector<std::unique_ptr<KindSyncer>> out;
        out.push_back(std::make_unique<HostClassSyncer>(ctx, r::kStorageClasses));
        return out;
      },
      {
          {.name = "HostClassAppearsInTheVirtualCluster",
           .host_before = {StorageClass(HostClassMeta("fast"), "csi.example.com")},
           .virtual_after = {Has(
               "", "fast",
               {{"metadata",
                 {{"labels", Mirrored()}, {"annotations", HostClassMeta("fast")["annotations"]}}},
                {"provisioner", "csi.example.com"},
                {"parameters", {{"type", "ssd"}}},
                {"reclaimPolicy", "Delete"}})}},
          {.name = "TenantEditsAreUndoneAndNotCopiedBack",
           .virtual_before = {tenant_edit},
           .host_before = {StorageClass(HostClassMeta("fast"), "csi.example.com")},
           .host_after = {Has(
               "", "fast",
               {{"provisioner", "csi.example.com"}, {"parameters", {{"type", "ssd"}}}})},
           .virtual_after = {Has(
               "", "fast",
               {{"provisioner", "csi.example.com"}, {"parameters", {{"type", "ssd"}}}})}},
          {.name = "TenantEditWhileRunningIsUndoneAtResync",
           .host_before = {StorageClass(HostClassMeta("fast"), "csi.example.com")},
           .virtual_after = {Has("", "fast", {{"parameters", {{"type", "ssd"}}}})},
           .then = {{.changes = {{Side::kVirtual, tenant_edit}},
                     .host_after = {Has("", "fast", {{"parameters", {{"type", "ssd"}}}})},
                     .virtual_after = {Has("", "fast",
                                           {{"provisioner", "csi.example.com"},
                                            {"parameters", {{"type", "ssd"}}}})}}},
           .resync = std::chrono::milliseconds(100)},
          // A provisioner cannot change: the copy of a class the host made anew is made again.
          {.name = "HostClassMadeAnewIsCopiedAgain",
           .virtual_before = {[] {
             json old = StorageClass(HostClassMeta("fast"), "old.example.com");
             old["metadata"]["labels"]["kubectl-vc.dev/from-host"] = "true";
             return old;
           }()},
           .host_before = {StorageClass(HostClassMeta("fast"), "csi.example.com")},
           .virtual_after = {Has("", "fast", {{"provisioner", "csi.example.com"}})}},
          {.name = "TenantsOwnClassOfTheSameNameIsLeftAlone",
           .virtual_before = {tenants_own},
           .host_before = {StorageClass(HostClassMeta("fast"), "csi.example.com")},
           .virtual_after = {Has(
               "", "fast",
               {{"metadata", {{"labels", nullptr}}}, {"provisioner", "tenant.example.com/own"}})}},
          {.name = "RemovalOnTheHostRemovesIt",
           .host_before = {StorageClass(HostClassMeta("fast"), "csi.example.com")},
           .virtual_after = {Has("", "fast", {{"provisioner", "csi.example.com"}})},
           .then = {{.changes = {{Side::kHost, StorageClass(HostClassMeta("fast"), ""), true}},
                     .virtual_after = {Absent("", "fast")}}}},
          {.name = "CopyWhoseHostClassWentWhileStoppedIsRemoved",
           .virtual_before = {StorageClass(
               {{"name", "gone"}, {"labels", {{"kubectl-vc.dev/from-host", "true"}}}},
               "csi.example.com")},
           .virtual_after = {Absent("", "gone")}},
          {.name = "ATenantsSyncedCopyIsNotMirrored",
           .host_before = {other_tenants},
           .virtual_after = {Absent("", HostCluster("fast"))}},
      }};
}

json IngressClass(json meta, const std::string& controller) {
  return {{"kind", "IngressClass"}, {"metadata", meta}, {"spec", {{"controller", controller}}}};
}

KindRows IngressClassRows() {
  return {
      "IngressClassesFromHost",
      &r::kIngressClasses,
      nullptr,
      [](const std::shared_ptr<const SyncContext>& ctx) {
        std::vector<std::unique_ptr<KindSyncer>> out;
        out.push_back(std::make_unique<HostClassSyncer>(ctx, r::kIngressClasses));
        return out;
      },
      {
          {.name = "HostClassAppearsInTheVirtualCluster",
           .host_before = {IngressClass({{"name", "nginx"}}, "k8s.io/ingress-nginx")},
           .virtual_after = {Has("", "nginx",
                                 {{"metadata", {{"labels", Mirrored(json::object())}}},
                                  {"spec", {{"controller", "k8s.io/ingress-nginx"}}}})}},
          {.name = "TenantEditsAreUndoneAndNotCopiedBack",
           .virtual_before = {IngressClass(
               {{"name", "nginx"}, {"labels", {{"kubectl-vc.dev/from-host", "true"}}}},
               "tenant.example.com/mine")},
           .host_before = {IngressClass({{"name", "nginx"}}, "k8s.io/ingress-nginx")},
           .host_after = {Has("", "nginx", {{"spec", {{"controller", "k8s.io/ingress-nginx"}}}})},
           .virtual_after = {Has("", "nginx",
                                 {{"spec", {{"controller", "k8s.io/ingress-nginx"}}}})}},
          {.name = "RemovalOnTheHostRemovesIt",
           .host_before = {IngressClass({{"name", "nginx"}}, "k8s.io/ingress-nginx")},
           .virtual_after = {Has("", "nginx",
                                 {{"spec", {{"controller", "k8s.io/ingress-nginx"}}}})},
           .then = {{.changes = {{Side::kHost, IngressClass({{"name", "nginx"}}, ""), true}},
                     .virtual_after = {Absent("", "nginx")}}}},
      }};
}

KindRows HostPriorityClassRows() {
  json host_default = PriorityClass({{"name", "standard"}}, 100, true);
  json other_tenants = PriorityClass(CopyMeta("", "batch"), 5);
  return {"PriorityClassesFromHost",
          &r::kPriorityClasses,
          nullptr,
          [](const std::shared_ptr<const SyncContext>& ctx) {
            std::vector<std::unique_ptr<KindSyncer>> out;
            out.push_back(std::make_unique<HostClassSyncer>(ctx, r::kPriorityClasses));
            return out;
          },
          {
              {.name = "HostDefaultIsNoDefaultInTheVirtualCluster",
               .host_before = {host_default},
               .virtual_after = {Has("", "standard", {{"value", 100}, {"globalDefault", false}})}},
              {.name = "ATenantsSyncedCopyIsNotMirrored",
               .host_before = {other_tenants},
               .virtual_after = {Absent("", HostCluster("batch"))}},
          }};
}

// --- PodDisruptionBudgets --------------------------------------------------------------------

json Budget(json meta, json spec, const json& status = nullptr) {
  json budget = {{"kind", "PodDisruptionBudget"}, {"metadata", meta}, {"spec", spec}};
  if (!status.is_null()) budget["status"] = status;
  return budget;
}

// The host selector of virtual selector {app: web} in namespace shop.
json HostWebSelector() {
  return {{"matchLabels",
           {{"label.kubectl-vc.dev/app", "web"},
            {"kubectl-vc.dev/tenant", "t1"},
            {"kubectl-vc.dev/component", "workload"},
            {"kubectl-vc.dev/object-namespace", "shop"}}}};
}

KindRows PodDisruptionBudgetRows() {
  const json web = {{"matchLabels", {{"app", "web"}}}};
  json counted_meta = VirtualMeta("shop", "web");
  counted_meta["generation"] = 1;
  return {"PodDisruptionBudgets",
          &r::kPodDisruptionBudgets,
          nullptr,
          One([](const translate::SyncConfig&) { return PodDisruptionBudgetKind(); }),
          {
              {.name = "NewBudgetGuardsExactlyTheTenantsPodsOfItsNamespace",
               .virtual_before = {Budget(VirtualMeta("shop", "web"),
                                         {{"minAvailable", 2}, {"selector", web}})},
               .host_after = {Has("vc-t1", Host("web", "shop"),
                                  {{"metadata", {{"labels", OurLabels("shop")}}},
                                   {"spec",
                                    {{"minAvailable", 2},
                                     {"maxUnavailable", nullptr},
                                     {"selector", HostWebSelector()}}}})}},
              {.name = "MaxUnavailableBecomesTheMinimumTheVirtualClusterCounted",
               .virtual_before = {Budget(counted_meta, {{"maxUnavailable", 1}, {"selector", web}},
                                         {{"observedGeneration", 1}, {"desiredHealthy", 2}})},
               .host_after = {Has("vc-t1", Host("web", "shop"),
                                  {{"spec", {{"minAvailable", 2}, {"maxUnavailable", nullptr}}}})}},
              {.name = "ASelectorKeyTheTenantDroppedGoesOnTheHost",
               .virtual_before = {Budget(VirtualMeta("shop", "web"),
                                         {{"minAvailable", 1}, {"selector", web}})},
               .host_before = {Budget(CopyMeta("shop", "web"),
                                      {{"minAvailable", 1},
                                       {"selector",
                                        {{"matchLabels",
                                          {{"label.kubectl-vc.dev/app", "web"},
                                           {"label.kubectl-vc.dev/tier", "db"},
                                           {"kubectl-vc.dev/tenant", "t1"},
                                           {"kubectl-vc.dev/component", "workload"},
                                           {"kubectl-vc.dev/object-namespace", "shop"}}}}}})},
               .host_after = {Has("vc-t1", Host("web", "shop"),
                                  {{"spec",
                                    {{"selector",
                                      {{"matchLabels",
                                        {{"label.kubectl-vc.dev/tier", nullptr},
                                         {"label.kubectl-vc.dev/app", "web"}}}}}}}})}},
              {.name = "HostCopyOfADeletedBudgetIsDeleted",
               .host_before = {Budget(CopyMeta("shop", "web"),
                                      {{"minAvailable", 1}, {"selector", HostWebSelector()}})},
               .host_after = {Absent("vc-t1", Host("web", "shop"))}},
          }};
}

// --- The table ---------------------------------------------------------------------------------

const std::vector<KindRows>& AllRows() {
  static const std::vector<KindRows> rows = {ConfigMapRows(),
                                             SecretRows(),
                                             PvcRows(),
                                             IngressRows(),
                                             EndpointSliceRows(),
                                             PriorityClassRows(),
                                             StorageClassRows(),
                                             IngressClassRows(),
                                             HostPriorityClassRows(),
                                             PodDisruptionBudgetRows()};
  return rows;
}

INSTANTIATE_TEST_SUITE_P(KindTable, KindTableTest, ::testing::ValuesIn(CasesOf(AllRows())),
                         CaseName);

}  // namespace
}  // namespace vc::syncer::sync::table
