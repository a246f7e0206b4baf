// SPDX-License-Identifier: Apache-2.0
// The harness of the syncer's table tests (kind_table*_test.cpp), vCluster's shape: a case is
// {virtual objects before, host objects before} -> the kind's syncer runs against two fake API
// servers (tests/support/fake_apiserver.h) -> {host objects after, virtual objects after}.
// An expectation names only the fields it cares about (a subset match; a null field means
// "absent"), or that an object is absent. A case may go on with more steps (changes made while
// the syncer runs, then what must follow). The harness waits with a deadline until the state
// matches and every controller is idle (nothing queued but keys retrying a failure), so "left
// alone" means the syncer looked and did nothing, not that it had not looked yet.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "support/fake_apiserver.h"
#include "vc/syncer/sync/sync_context.h"

namespace vc::syncer::sync::table {

// An object of the row set's kind, or of `resource` (a Secret an Ingress names, an Event).
struct Obj {
  Obj(nlohmann::json o) : object(std::move(o)) {}  // NOLINT(google-explicit-constructor)
  Obj(const kube::Resource& r, nlohmann::json o) : resource(&r), object(std::move(o)) {}
  const kube::Resource* resource = nullptr;
  nlohmann::json object;
};

struct Expect {
  std::string ns;    // "" for cluster-scoped objects
  std::string name;  // "": some object in `ns` has `fields`
  // The fields the object must have (nested objects compared key by key, a null value: the key
  // is absent); null: there is no such object (name "": no object in `ns` at all).
  nlohmann::json fields;
  const kube::Resource* resource = nullptr;  // null: the row set's kind
};

inline Expect Has(std::string ns, std::string name, nlohmann::json fields) {
  return {std::move(ns), std::move(name), std::move(fields), nullptr};
}
inline Expect Absent(std::string ns, std::string name) {
  return {std::move(ns), std::move(name), nullptr, nullptr};
}
inline Expect HasOf(const kube::Resource& r, std::string ns, std::string name,
                    nlohmann::json fields) {
  return {std::move(ns), std::move(name), std::move(fields), &r};
}

// No object of `r` in `ns` at all.
inline Expect NoneOf(const kube::Resource& r, std::string ns) {
  return {std::move(ns), "", nullptr, &r};
}

enum class Side { kVirtual, kHost };

// Put (seed or replace as it is) or remove an object while the syncer runs.
struct Change {
  Side side;
  Obj obj;
  bool remove = false;
};

struct Step {
  std::vector<Change> changes;
  std::vector<Expect> host_after;
  std::vector<Expect> virtual_after;
};

struct KindCase {
  std::string name;  // a gtest name: letters and digits
  std::vector<Obj> virtual_before;
  std::vector<Obj> host_before;
  std::vector<Expect> host_after;
  std::vector<Expect> virtual_after;
  std::vector<Step> then;  // later steps, each after the previous one converged
  std::function<void(translate::SyncConfig*)> configure;  // on top of the row set's
  std::string trust_level = "high";
  // The informers' resync (SyncContext::resync_period); the default is never within a test.
  std::chrono::milliseconds resync{std::chrono::minutes(5)};
  // Non-empty: what is wrong in the syncer that makes this row fail. Such a row is registered
  // DISABLED_ (--gtest_also_run_disabled_tests runs it) until the syncer is fixed.
  std::string known_bug;
};

using MakeSyncers =
    std::function<std::vector<std::unique_ptr<KindSyncer>>(std::shared_ptr<const SyncContext> ctx)>;

// The cases of one kind, and how to build its syncer(s) (in start order; stopped in reverse).
struct KindRows {
  std::string kind;  // a gtest name
  const kube::Resource* resource;
  std::function<void(translate::SyncConfig*)> configure;
  MakeSyncers make;
  std::vector<KindCase> cases;
};

// The tenant every case syncs for.
inline translate::Tenant TableTenant(const std::string& trust_level) {
  return {.name = "t1", .host_namespace = "vc-t1", .trust_level = trust_level};
}

// Whether `have` has every field of `want` (null in `want`: absent or null in `have`).
bool Subset(const nlohmann::json& want, const nlohmann::json& have);

// Runs one case (gtest assertions inside).
void RunKindCase(const KindRows& rows, const KindCase& c);

// One case of a table, gtest's parameter. The table must outlive the tests (a function's static).
struct CaseRef {
  const std::vector<KindRows>* table;
  size_t kind;
  size_t index;
  const KindRows& rows() const { return (*table)[kind]; }
  const KindCase& row() const { return rows().cases[index]; }
};

// Every case of `table`, for ::testing::ValuesIn.
std::vector<CaseRef> CasesOf(const std::vector<KindRows>& table);
// "KIND_CASE", the test's name ("DISABLED_KIND_CASE" for a row with a known bug).
std::string CaseName(const ::testing::TestParamInfo<CaseRef>& info);
// gtest prints a failing case's parameter: its name, not its bytes.
void PrintTo(const CaseRef& ref, std::ostream* out);

// The test every case runs (kind_table.cpp). A file of rows instantiates it with its table:
//   INSTANTIATE_TEST_SUITE_P(Pods, KindTableTest, ::testing::ValuesIn(CasesOf(Table())),
//                            CaseName);
class KindTableTest : public ::testing::TestWithParam<CaseRef> {};

}  // namespace vc::syncer::sync::table
