// SPDX-License-Identifier: Apache-2.0
// Table tests of HostConfigMapSyncer (host_config_map_syncer.h) in the harness of
// kind_table.h: a host ConfigMap a mapping names (one by name, or every one of a namespace) is
// copied into the virtual cluster with the from-host mark, follows the host object's changes
// and goes with it; ConfigMaps no mapping names stay on the host. Not here: a data key the
// host removed (the fake's apply merges, so the key would stay there whatever the syncer does;
// the real API server's apply removes what the field manager no longer applies).
#include <gtest/gtest.h>

#include "kind_table.h"
#include "kind_table_objects.h"
#include "vc/syncer/sync/host_config_map_syncer.h"

namespace vc::syncer::sync::table {
namespace {

using nlohmann::json;
namespace r = kube::resources;

json HostConfigMap(const std::string& ns, const std::string& name, json data) {
  return {{"kind", "ConfigMap"},
          {"metadata", {{"name", name}, {"namespace", ns}, {"labels", {{"owner", "platform"}}}}},
          {"data", std::move(data)}};
}

// The virtual copy: only the mark as labels, the host's data.
json Copy(json data) {
  return {{"metadata", {{"labels", {{"kubectl-vc.dev/from-host", "true"}, {"owner", nullptr}}}}},
          {"data", std::move(data)}};
}

std::vector<KindCase> Cases() {
  const json settings = HostConfigMap("platform", "settings", {{"region", "eu"}});
  json binary = HostConfigMap("platform", "settings", {{"region", "eu"}});
  binary["binaryData"] = {{"logo", "iVBORw=="}};
  return {
      {.name = "MappedConfigMapIsCopiedIntoTheVirtualCluster",
       .host_before = {settings},
       .virtual_after = {Has("shared", "settings", Copy({{"region", "eu"}})),
                         Absent("platform", "settings")}},
      {.name = "BinaryDataIsCopiedToo",
       .host_before = {binary},
       .virtual_after = {Has("shared", "settings", {{"binaryData", {{"logo", "iVBORw=="}}}})}},
      {.name = "NamespaceMappingCopiesEveryConfigMapOfIt",
       .host_before = {HostConfigMap("team", "a", {{"k", "1"}}),
                       HostConfigMap("team", "b", {{"k", "2"}})},
       .virtual_after = {Has("apps", "a", Copy({{"k", "1"}})),
                         Has("apps", "b", Copy({{"k", "2"}}))}},
      {.name = "ConfigMapNoMappingNamesStaysOnTheHost",
       .host_before = {HostConfigMap("platform", "other", {{"k", "v"}}),
                       HostConfigMap("elsewhere", "settings", {{"k", "v"}})},
       .virtual_after = {NoneOf(r::kConfigMaps, "shared"), NoneOf(r::kConfigMaps, "platform"),
                         NoneOf(r::kConfigMaps, "elsewhere")}},
      {.name = "HostChangeIsFollowed",
       .host_before = {settings},
       .virtual_after = {Has("shared", "settings", Copy({{"region", "eu"}}))},
       .then = {{.changes = {{Side::kHost,
                              HostConfigMap("platform", "settings", {{"region", "us"}})}},
                 .virtual_after = {Has("shared", "settings", Copy({{"region", "us"}}))}}}},
      {.name = "RemovalOnTheHostRemovesTheCopy",
       .host_before = {settings},
       .virtual_after = {Has("shared", "settings", Copy({{"region", "eu"}}))},
       .then = {{.changes = {{Side::kHost, settings, true}},
                 .virtual_after = {Absent("shared", "settings")}}}},
      // Looked at once at start: no host event names it.
      {.name = "CopyWhoseHostObjectWentWhileStoppedIsRemoved",
       .virtual_before = {json{{"kind", "ConfigMap"},
                               {"metadata",
                                {{"name", "settings"},
                                 {"namespace", "shared"},
                                 {"labels", {{"kubectl-vc.dev/from-host", "true"}}}}},
                               {"data", {{"region", "eu"}}}}},
       .virtual_after = {Absent("shared", "settings")}},
      // A mapping taken out of the values: its copy goes. One a custom resource's reference
      // imported is not this syncer's.
      {.name = "CopyNoMappingMakesAnyMoreIsRemovedAndAnImportedOneStays",
       .virtual_before = {json{{"kind", "ConfigMap"},
                               {"metadata",
                                {{"name", "old"},
                                 {"namespace", "gone"},
                                 {"labels", {{"kubectl-vc.dev/from-host", "true"}}}}},
                               {"data", {{"a", "b"}}}},
                          json{{"kind", "ConfigMap"},
                               {"metadata",
                                {{"name", "ca"},
                                 {"namespace", "shop"},
                                 {"labels", {{"kubectl-vc.dev/from-host", "true"}}},
                                 {"annotations",
                                  {{"kubectl-vc.dev/imported-from", "ca-x-shop-x-t1"}}}}},
                               {"data", {{"ca.crt", "c"}}}}},
       .virtual_after = {Absent("gone", "old"), Has("shop", "ca", {{"data", {{"ca.crt", "c"}}}})}},
  };
}

const std::vector<KindRows>& Table() {
  static const std::vector<KindRows> table = {
      {"ConfigMapsFromHost", &r::kConfigMaps,
       [](translate::SyncConfig* c) {
         c->config_map_mappings = {{"platform/settings", "shared/settings"}, {"team/*", "apps/*"}};
       },
       [](const std::shared_ptr<const SyncContext>& ctx) {
         std::vector<std::unique_ptr<KindSyncer>> out;
         out.push_back(std::make_unique<HostConfigMapSyncer>(ctx));
         return out;
       },
       Cases()}};
  return table;
}

INSTANTIATE_TEST_SUITE_P(ConfigMapsFromHost, KindTableTest, ::testing::ValuesIn(CasesOf(Table())),
                         CaseName);

}  // namespace
}  // namespace vc::syncer::sync::table
