// SPDX-License-Identifier: Apache-2.0
#include "kind_table.h"

#include <sstream>

#include "support/within.h"

namespace vc::syncer::sync::table {

using nlohmann::json;
using vc::testing::FakeApiServer;

namespace {

constexpr std::chrono::seconds kDeadline{5};

bool NullOrAbsent(const json& object, const std::string& key) {
  return !object.contains(key) || object[key].is_null();
}

std::shared_ptr<kube::Client> ClientOf(const std::string& server,
                                       std::shared_ptr<FakeApiServer> fake) {
  kube::RestConfig config;
  config.server = server;
  return std::make_shared<kube::Client>(config, std::move(fake));
}

// What differs from an expectation without a name ("(any)" in `where`): some object of `r` in
// e.ns has e.fields, or (null fields) there is none at all.
void AnyMismatch(const FakeApiServer& server, const kube::Resource& r, const Expect& e,
                 const std::string& where, std::ostream& out) {
  const std::vector<nlohmann::json> objects = server.List(r, e.ns);
  if (e.fields.is_null()) {
    for (const auto& o : objects) out << where << ": want none, have " << o.dump() << "\n";
    return;
  }
  bool found = false;
  for (const auto& o : objects) found = found || Subset(e.fields, o);
  if (!found) out << where << ": none has " << e.fields.dump() << "\n";
}

// What differs from the expectations on one side; empty when nothing does.
std::string Mismatches(const FakeApiServer& server, const char* side, const kube::Resource& kind,
                       const std::vector<Expect>& expects) {
  std::ostringstream out;
  for (const auto& e : expects) {
    const kube::Resource& r = e.resource != nullptr ? *e.resource : kind;
    const std::string where = std::string(side) + " " + r.resource + " " +
                              (e.ns.empty() ? "" : e.ns + "/") +
                              (e.name.empty() ? "(any)" : e.name);
    if (e.name.empty()) {
      AnyMismatch(server, r, e, where, out);
      continue;
    }
    auto have = server.Get(r, e.ns, e.name);
    if (e.fields.is_null()) {
      if (have) out << where << ": want absent, have " << have->dump() << "\n";
    } else if (!have) {
      out << where << ": want " << e.fields.dump() << ", have none\n";
    } else if (!Subset(e.fields, *have)) {
      out << where << ": want " << e.fields.dump() << ", have " << have->dump() << "\n";
    }
  }
  return out.str();
}

// Nothing left to do: every key queued is one waiting to retry a failure.
bool Idle(const SyncMetrics& metrics) {
  for (const auto& c : metrics.Controllers()) {
    if (c.queued > c.failing) return false;
  }
  return true;
}

uint64_t Reconciles(const SyncMetrics& metrics) {
  uint64_t n = 0;
  for (const auto& c : metrics.Controllers()) n += c.reconciles;
  return n;
}

void Apply(FakeApiServer& server, const kube::Resource& kind, const Obj& obj, bool remove) {
  const kube::Resource& r = obj.resource != nullptr ? *obj.resource : kind;
  if (!remove) {
    server.Put(r, obj.object);
    return;
  }
  const json& meta = obj.object["metadata"];
  server.Remove(r, meta.value("namespace", ""), meta.value("name", ""));
}

}  // namespace

bool Subset(const json& want, const json& have) {
  if (!want.is_object()) return want == have;
  if (!have.is_object()) return false;
  for (const auto& [key, value] : want.items()) {
    if (value.is_null()) {
      if (!NullOrAbsent(have, key)) return false;
    } else if (!have.contains(key) || !Subset(value, have[key])) {
      return false;
    }
  }
  return true;
}

void RunKindCase(const KindRows& rows, const KindCase& c) {
  auto virtual_server = std::make_shared<FakeApiServer>();
  auto host_server = std::make_shared<FakeApiServer>();
  for (const auto& o : c.virtual_before) Apply(*virtual_server, *rows.resource, o, false);
  for (const auto& o : c.host_before) Apply(*host_server, *rows.resource, o, false);

  auto ctx = std::make_shared<SyncContext>();
  ctx->host = ClientOf("https://host.test", host_server);
  ctx->virtual_cluster = ClientOf("https://virtual.test", virtual_server);
  ctx->tenant = TableTenant(c.trust_level);
  ctx->config.trust_level = c.trust_level;
  if (rows.configure) rows.configure(&ctx->config);
  if (c.configure) c.configure(&ctx->config);
  ctx->resync_period = c.resync;
  ctx->metrics = std::make_shared<SyncMetrics>();
  const SyncMetrics& metrics = *ctx->metrics;

  auto syncers = rows.make(ctx);
  for (auto& s : syncers) s->Start();
  for (auto& s : syncers) ASSERT_TRUE(s->WaitForSync(kDeadline)) << s->name();

  std::vector<Step> steps = {{{}, c.host_after, c.virtual_after}};
  steps.insert(steps.end(), c.then.begin(), c.then.end());
  for (size_t i = 0; i < steps.size(); ++i) {
    const Step& step = steps[i];
    const uint64_t reconciles_before = Reconciles(metrics);
    for (const auto& change : step.changes) {
      Apply(change.side == Side::kHost ? *host_server : *virtual_server, *rows.resource, change.obj,
            change.remove);
    }
    std::string mismatches;
    const bool converged = vc::testing::Within(
        [&] {
          // A change made by this step must have been looked at (a reconcile since).
          const bool looked = step.changes.empty() || Reconciles(metrics) > reconciles_before;
          mismatches = Mismatches(*host_server, "host", *rows.resource, step.host_after) +
                       Mismatches(*virtual_server, "virtual", *rows.resource, step.virtual_after);
          if (!looked || !Idle(metrics)) mismatches += "(the syncer is still busy)\n";
          return mismatches.empty();
        },
        kDeadline);
    EXPECT_TRUE(converged) << "step " << i << " did not converge:\n" << mismatches;
    if (!converged) break;
  }
  for (auto it = syncers.rbegin(); it != syncers.rend(); ++it) (*it)->Stop();
}

std::vector<CaseRef> CasesOf(const std::vector<KindRows>& table) {
  std::vector<CaseRef> out;
  for (size_t k = 0; k < table.size(); ++k) {
    for (size_t i = 0; i < table[k].cases.size(); ++i) out.push_back({&table, k, i});
  }
  return out;
}

std::string CaseName(const ::testing::TestParamInfo<CaseRef>& info) {
  const std::string disabled = info.param.row().known_bug.empty() ? "" : "DISABLED_";
  return disabled + info.param.rows().kind + "_" + info.param.row().name;
}

void PrintTo(const CaseRef& ref, std::ostream* out) {
  *out << ref.rows().kind << "/" << ref.row().name;
}

TEST_P(KindTableTest, Converges) { RunKindCase(GetParam().rows(), GetParam().row()); }

}  // namespace vc::syncer::sync::table
