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
      // Nothing lists the virtual copies: one whose host object went while the syncer was
      // stopped is never looked at (HostClassSyncer does look: its
      // CopyWhoseHostClassWentWhileStoppedIsRemoved).
      {.name = "CopyWhoseHostObjectWentWhileStoppedIsRemoved",
       .virtual_before = {json{{"kind", "ConfigMap"},
                               {"metadata",
                                {{"name", "settings"},
                                 {"namespace", "shared"},
                                 {"labels", {{"kubectl-vc.dev/from-host", "true"}}}}},
                               {"data", {{"region", "eu"}}}}},
       .virtual_after = {Absent("shared", "settings")},
       .known_bug = "HostConfigMapSyncer only watches the host side: a copy without a host "
                    "object left from before a restart stays"},
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
