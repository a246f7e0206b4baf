// SPDX-License-Identifier: Apache-2.0
// vc-syncer end to end, Endpoints of a selector-less Service: written by hand in the virtual
// cluster (an external address and a synced pod), kept on the host next to the host Service
// (translated, mirrored into an EndpointSlice by the host), following updates, put back when
// changed or deleted behind the syncer's back, removed with the Service or when the Service
// gains a selector.
#include <unistd.h>

#include "integration/syncer/syncer_e2e_fixture.h"

namespace vc::testing {
namespace {

std::vector<std::string> Ips(const json& endpoints) {
  std::vector<std::string> out;
  for (const auto& subset : endpoints.value("subsets", json::array())) {
    for (const auto& a : subset.value("addresses", json::array())) out.push_back(a.value("ip", ""));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string EndpointsYaml(const std::string& name, const std::string& external_ip,
                          const std::string& pod_ip, const std::string& node, int port) {
  return "apiVersion: v1\nkind: Endpoints\nmetadata: {name: " + name +
         ", namespace: default, labels: {role: primary}}\n"
         "subsets:\n- addresses:\n  - ip: " +
         external_ip +
         "\n"
         "  - ip: " +
         pod_ip + "\n    nodeName: " + node +
         "\n"
         "    targetRef: {kind: Pod, name: pg-0, namespace: default}\n"
         "  ports: [{name: pg, port: " +
         std::to_string(port) + ", protocol: TCP}]\n";
}

TEST_F(SyncerE2eTest, SelectorlessServiceEndpointsKeptOnHost) {
  const std::string name = "sync-ep";
  ASSERT_NO_FATAL_FAILURE(CreateVirtualCluster(name, "isolation:\n  trustLevel: high\n"));
  const std::string hns = "vcluster-" + name;
  const std::string host_pod = "pg-0-x-default-x-" + name;
  const std::string host_ep = "external-db-x-default-x-" + name;

  // A synced pod, Running with the host pod's IP, for an address to point at.
  json vpod;
  ASSERT_NO_FATAL_FAILURE(RunPod(name, "pg-0", &vpod));
  const std::string pod_ip = vpod["status"].value("podIP", "");
  const std::string node = vpod["spec"].value("nodeName", "");

  // The Service and its Endpoints, applied together as a user would.
  auto applied = ApplyInVirtual(
      name, "db.yaml",
      "apiVersion: v1\nkind: Service\nmetadata: {name: external-db, namespace: default}\n"
      "spec:\n  ports: [{name: pg, port: 5432}]\n---\n" +
          EndpointsYaml("external-db", "192.0.2.10", pod_ip, node, 5432));
  ASSERT_EQ(applied.code, 0) << applied.Both();

  json hep;
  auto host_endpoints_are = [&](const std::vector<std::string>& ips, int port) {
    return Eventually(
        [&] {
          auto got = client_->Get(r::kEndpoints, hns, host_ep);
          if (!got.ok()) return false;
          hep = *got;
          return Ips(hep) == ips && !hep["subsets"].empty() &&
                 hep["subsets"][0]["ports"][0].value("port", 0) == port;
        },
        std::chrono::seconds(60));
  };
  std::vector<std::string> want_ips = {"192.0.2.10", pod_ip};
  std::sort(want_ips.begin(), want_ips.end());
  ASSERT_TRUE(host_endpoints_are(want_ips, 5432))
      << hep.dump()
      << "\nvirtual: " << VirtualJson({"get", "endpoints", "external-db", "-n", "default"}).dump()
      << "\n"
      << SyncerLog(name);
  const json& meta = hep["metadata"];
  EXPECT_EQ(meta["labels"].value(labels::kTenant, ""), name);
  EXPECT_EQ(meta["labels"].value(labels::kComponent, ""), "workload");
  EXPECT_EQ(meta["labels"].value("label.kubectl-vc.dev/role", ""), "primary");
  EXPECT_EQ(meta["annotations"].value(labels::kVirtualName, ""), "external-db");
  EXPECT_EQ(meta["annotations"].value(labels::kVirtualNamespace, ""), "default");
  const json& subset = hep["subsets"][0];
  EXPECT_EQ(subset["ports"][0].value("name", ""), "pg");
  for (const auto& a : subset["addresses"]) {
    if (a.value("ip", "") == pod_ip) {
      EXPECT_EQ(a["targetRef"].value("kind", ""), "Pod") << a.dump();
      EXPECT_EQ(a["targetRef"].value("name", ""), host_pod) << a.dump();
      EXPECT_EQ(a["targetRef"].value("namespace", ""), hns) << a.dump();
      EXPECT_EQ(a.value("nodeName", ""), node) << a.dump();
    } else {
      EXPECT_FALSE(a.contains("targetRef")) << a.dump();
    }
  }
  // The host Service they serve has no selector, and the host mirrors them into the
  // EndpointSlice kube-proxy reads.
  auto hsvc = client_->Get(r::kServices, hns, host_ep);
  ASSERT_TRUE(hsvc.ok()) << hsvc.status().message();
  EXPECT_FALSE((*hsvc)["spec"].contains("selector")) << (*hsvc)["spec"].dump();
  // The virtual Service has the host's ClusterIP (the host Service asked for the virtual one's),
  // and its Endpoints are in place.
  const std::string host_ip = (*hsvc)["spec"].value("clusterIP", "");
  json vsvc;
  ASSERT_TRUE(Eventually(
      [&] {
        vsvc = VirtualJson({"get", "service", "external-db", "-n", "default"});
        return vsvc.is_object() && vsvc["spec"].value("clusterIP", "") == host_ip;
      },
      std::chrono::seconds(60)))
      << host_ip << " vs " << vsvc.dump() << "\n"
      << SyncerLog(name);
  json vep;
  EXPECT_TRUE(Eventually(
      [&] {
        vep = VirtualJson({"get", "endpoints", "external-db", "-n", "default"});
        return vep.is_object() && Ips(vep) == want_ips &&
               vep["metadata"]["labels"].value("role", "") == "primary";
      },
      std::chrono::seconds(30)))
      << vep.dump() << "\n"
      << SyncerLog(name);
  EXPECT_TRUE(host_endpoints_are(want_ips, 5432)) << hep.dump() << "\n" << SyncerLog(name);
  json slices;
  EXPECT_TRUE(Eventually(
      [&] {
        auto got = client_->ListAll(r::kEndpointSlices, hns,
                                    {.label_selector = "kubernetes.io/service-name=" + host_ep});
        if (!got.ok() || got->items.size() != 1) return false;
        slices = got->items[0];
        std::vector<std::string> ips;
        for (const auto& e : slices.value("endpoints", json::array())) {
          for (const auto& a : e.value("addresses", json::array()))
            ips.push_back(a.get<std::string>());
        }
        std::sort(ips.begin(), ips.end());
        return ips == want_ips;
      },
      std::chrono::seconds(60)))
      << slices.dump();

  // An update in the virtual cluster lands on the host.
  auto updated = ApplyInVirtual(name, "db-ep.yaml",
                                EndpointsYaml("external-db", "192.0.2.11", pod_ip, node, 5433));
  ASSERT_EQ(updated.code, 0) << updated.Both();
  want_ips = {"192.0.2.11", pod_ip};
  std::sort(want_ips.begin(), want_ips.end());
  EXPECT_TRUE(host_endpoints_are(want_ips, 5433)) << hep.dump() << "\n" << SyncerLog(name);

  // Changed behind the syncer's back: put back.
  ASSERT_TRUE(client_
                  ->Patch(r::kEndpoints, hns, host_ep, kube::PatchType::kMerge,
                          R"({"subsets":[{"addresses":[{"ip":"192.0.2.66"}],)"
                          R"("ports":[{"name":"pg","port":1}]}]})")
                  .ok());
  EXPECT_TRUE(host_endpoints_are(want_ips, 5433)) << hep.dump() << "\n" << SyncerLog(name);

  // Deleted behind the syncer's back: made again.
  const std::string old_uid = hep["metadata"].value("uid", "");
  ASSERT_TRUE(client_->Delete(r::kEndpoints, hns, host_ep).ok());
  EXPECT_TRUE(Eventually(
      [&] {
        auto got = client_->Get(r::kEndpoints, hns, host_ep);
        return got.ok() && (*got)["metadata"].value("uid", "") != old_uid && Ips(*got) == want_ips;
      },
      std::chrono::seconds(60)))
      << SyncerLog(name);

  // The virtual Service deleted: the host Endpoints go with it.
  auto deleted = Kubectl({"delete", "service", "external-db", "-n", "default"});
  ASSERT_EQ(deleted.code, 0) << deleted.Both();
  EXPECT_TRUE(Eventually(
      [&] { return client_->Get(r::kEndpoints, hns, host_ep).status().code() == Code::kNotFound; },
      std::chrono::seconds(60)))
      << SyncerLog(name);
}

// A virtual Service whose address the host has given to another Service gets the host's
// address instead: the syncer recreates it, and the virtual endpoints controller deletes the
// Endpoints of a Service it sees deleted: Endpoints applied with their Services, before or
// after the recreation starts, are put back every time.
TEST_F(SyncerE2eTest, EndpointsSurviveTheirServicesRecreation) {
  const std::string name = "sync-ep-many";
  ASSERT_NO_FATAL_FAILURE(CreateVirtualCluster(name, "isolation:\n  trustLevel: high\n"));
  const std::string hns = "vcluster-" + name;
  constexpr int kPairs = 10;
  // Ten addresses the host has taken (free in the virtual cluster, whose allocator is its own).
  const std::string taken_ns = "taken-" + std::to_string(getpid());
  ASSERT_TRUE(
      client_
          ->Create(
              r::kNamespaces, "",
              {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", taken_ns}}}})
          .ok());
  struct Cleanup {
    std::shared_ptr<kube::Client> c;
    std::string ns;
    ~Cleanup() { (void)c->Delete(r::kNamespaces, "", ns); }
  } cleanup{client_, taken_ns};
  std::vector<std::string> taken;
  for (int i = 0; i < kPairs; ++i) {
    auto made = client_->Create(r::kServices, taken_ns,
                                {{"apiVersion", "v1"},
                                 {"kind", "Service"},
                                 {"metadata", {{"name", "taken-" + std::to_string(i)}}},
                                 {"spec", {{"ports", json::array({{{"port", 80}}})}}}});
    ASSERT_TRUE(made.ok()) << made.status().message();
    taken.push_back((*made)["spec"].value("clusterIP", ""));
  }
  std::string yaml;
  for (int i = 0; i < kPairs; ++i) {
    const std::string svc = "ext-" + std::to_string(i);
    const std::string ip = "192.0.2." + std::to_string(100 + i);
    yaml += "apiVersion: v1\nkind: Service\nmetadata: {name: " + svc +
            ", namespace: default}\nspec:\n  clusterIP: " + taken[i] +
            "\n  ports: [{name: pg, port: 5432}]\n---\n"
            "apiVersion: v1\nkind: Endpoints\nmetadata: {name: " +
            svc + ", namespace: default}\nsubsets:\n- addresses: [{ip: " + ip +
            "}]\n  ports: [{name: pg, port: 5432}]\n---\n";
  }
  auto applied = ApplyInVirtual(name, "many.yaml", yaml);
  ASSERT_EQ(applied.code, 0) << applied.Both();
  std::string missing;
  EXPECT_TRUE(Eventually(
      [&] {
        missing.clear();
        for (int i = 0; i < kPairs; ++i) {
          const std::string svc = "ext-" + std::to_string(i);
          const std::vector<std::string> ips = {"192.0.2." + std::to_string(100 + i)};
          auto hsvc = client_->Get(r::kServices, hns, svc + "-x-default-x-" + name);
          auto vsvc = VirtualJson({"get", "service", svc, "-n", "default"});
          auto vep = VirtualJson({"get", "endpoints", svc, "-n", "default"});
          auto hep = client_->Get(r::kEndpoints, hns, svc + "-x-default-x-" + name);
          if (!hsvc.ok() || !vsvc.is_object() ||
              vsvc["spec"].value("clusterIP", "") != (*hsvc)["spec"].value("clusterIP", "") ||
              vsvc["spec"].value("clusterIP", "") == taken[i]) {
            missing += " " + svc + "(ClusterIP)";
          } else if (!vep.is_object() || Ips(vep) != ips) {
            missing += " " + svc + "(virtual)";
          } else if (!hep.ok() || Ips(*hep) != ips) {
            missing += " " + svc + "(host)";
          }
        }
        return missing.empty();
      },
      std::chrono::seconds(90)))
      << "not converged:" << missing << "\n"
      << SyncerLog(name);
}

// A selector-less Service that gains a selector: the host Endpoints the syncer kept give way to
// the host endpoints controller's (over the translated selector); and the way back.
TEST_F(SyncerE2eTest, ServiceGainingASelectorDropsSyncedEndpoints) {
  const std::string name = "sync-ep-sel";
  ASSERT_NO_FATAL_FAILURE(CreateVirtualCluster(name, "isolation:\n  trustLevel: high\n"));
  const std::string hns = "vcluster-" + name;
  const std::string host_ep = "legacy-x-default-x-" + name;
  auto applied = ApplyInVirtual(name, "legacy.yaml", R"(apiVersion: v1
kind: Service
metadata: {name: legacy, namespace: default}
spec:
  ports: [{name: http, port: 80}]
---
apiVersion: v1
kind: Endpoints
metadata: {name: legacy, namespace: default}
subsets:
- addresses: [{ip: 192.0.2.20}]
  ports: [{name: http, port: 8080}]
)");
  ASSERT_EQ(applied.code, 0) << applied.Both();
  json hep;
  ASSERT_TRUE(Eventually(
      [&] {
        auto got = client_->Get(r::kEndpoints, hns, host_ep);
        if (!got.ok()) return false;
        hep = *got;
        return Ips(hep) == std::vector<std::string>{"192.0.2.20"};
      },
      std::chrono::seconds(60)))
      << hep.dump() << "\n"
      << SyncerLog(name);

  auto patched = Kubectl({"patch", "service", "legacy", "-n", "default", "--type=merge", "-p",
                          R"({"spec":{"selector":{"app":"legacy"}}})"});
  ASSERT_EQ(patched.code, 0) << patched.Both();
  // No pod matches: the host controller's Endpoints (if it made them yet) have no addresses,
  // and none of ours remain.
  EXPECT_TRUE(Eventually(
      [&] {
        auto got = client_->Get(r::kEndpoints, hns, host_ep);
        if (!got.ok()) return got.status().code() == Code::kNotFound;
        hep = *got;
        return Ips(hep).empty() &&
               hep["metadata"]["labels"].value("endpoints.kubernetes.io/managed-by", "") ==
                   "endpoint-controller";
      },
      std::chrono::seconds(60)))
      << hep.dump() << "\n"
      << SyncerLog(name);
  auto hsvc = client_->Get(r::kServices, hns, host_ep);
  ASSERT_TRUE(hsvc.ok()) << hsvc.status().message();
  EXPECT_EQ((*hsvc)["spec"]["selector"].value("label.kubectl-vc.dev/app", ""), "legacy");

  // And back: the selector dropped, hand-written Endpoints again. The host Service loses its
  // selector too, and the syncer's Endpoints replace the host controller's.
  auto dropped = Kubectl({"patch", "service", "legacy", "-n", "default", "--type=merge", "-p",
                          R"({"spec":{"selector":null}})"});
  ASSERT_EQ(dropped.code, 0) << dropped.Both();
  auto rewritten = ApplyInVirtual(name, "legacy-ep.yaml", R"(apiVersion: v1
kind: Endpoints
metadata: {name: legacy, namespace: default}
subsets:
- addresses: [{ip: 192.0.2.21}]
  ports: [{name: http, port: 8080}]
)");
  ASSERT_EQ(rewritten.code, 0) << rewritten.Both();
  EXPECT_TRUE(Eventually(
      [&] {
        auto got = client_->Get(r::kEndpoints, hns, host_ep);
        if (!got.ok()) return false;
        hep = *got;
        return Ips(hep) == std::vector<std::string>{"192.0.2.21"} &&
               !hep["metadata"]["labels"].contains("endpoints.kubernetes.io/managed-by");
      },
      std::chrono::seconds(60)))
      << hep.dump() << "\n"
      << SyncerLog(name);
  hsvc = client_->Get(r::kServices, hns, host_ep);
  ASSERT_TRUE(hsvc.ok()) << hsvc.status().message();
  EXPECT_FALSE((*hsvc)["spec"].contains("selector")) << (*hsvc)["spec"].dump();
}

// CVE-2021-25740: a partial-trust tenant's hand-written Endpoints reach the host with its own
// pod's address only; the address outside the tenant is left out and named in an Event.
TEST_F(SyncerE2eTest, BelowHighTrustOnlyTheTenantsOwnPodAddressesReachTheHost) {
  const std::string name = "sync-ep-part";
  ASSERT_NO_FATAL_FAILURE(CreateVirtualCluster(name, "isolation:\n  trustLevel: partial\n"));
  const std::string hns = "vcluster-" + name;
  json vpod;
  ASSERT_NO_FATAL_FAILURE(RunPod(name, "pg-0", &vpod));
  const std::string pod_ip = vpod["status"].value("podIP", "");
  auto applied = ApplyInVirtual(
      name, "db.yaml",
      "apiVersion: v1\nkind: Service\nmetadata: {name: external-db, namespace: default}\n"
      "spec:\n  ports: [{name: pg, port: 5432}]\n---\n" +
          EndpointsYaml("external-db", "192.0.2.10", pod_ip, vpod["spec"].value("nodeName", ""),
                        5432));
  ASSERT_EQ(applied.code, 0) << applied.Both();
  json hep;
  EXPECT_TRUE(Eventually(
      [&] {
        auto got = client_->Get(r::kEndpoints, hns, "external-db-x-default-x-" + name);
        if (!got.ok()) return false;
        hep = *got;
        return Ips(hep) == std::vector<std::string>{pod_ip};
      },
      std::chrono::seconds(60)))
      << hep.dump() << "\n"
      << SyncerLog(name);
  std::string events;
  EXPECT_TRUE(Eventually(
      [&] {
        events = VirtualJson({"get", "events", "-n", "default", "--field-selector",
                              "reason=EndpointAddressRefused"})
                     .dump();
        return events.find("192.0.2.10") != std::string::npos;
      },
      std::chrono::seconds(30)))
      << events;
  EXPECT_NE(events.find("isolation.trustLevel: high"), std::string::npos) << events;
  EXPECT_EQ(events.find(pod_ip + ","), std::string::npos) << "its own pod is not refused";
}

}  // namespace
}  // namespace vc::testing
