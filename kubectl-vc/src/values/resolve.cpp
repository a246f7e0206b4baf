// SPDX-License-Identifier: Apache-2.0
// Resolve runs in phases and reports every problem of a phase before stopping, so a user fixes
// a file in one round: (1) load and validate the profile and each file on its own, and parse
// every --set entry, (2) merge over the schema defaults and apply --set, then validate the
// result (only --set can make it invalid here), (3) fill defaults, decide "auto", and look for
// contradictions.
#include "vc/cli/values/resolve.h"

#include <string>
#include <vector>

#include "values/layering.h"
#include "values/origins.h"
#include "vc/cli/values/contradictions.h"
#include "vc/cli/values/profiles.h"
#include "vc/cli/values/schema.h"
#include "vc/cli/values/set_entries.h"

namespace vc::cli::values {
namespace {

using nlohmann::json;

Status Failure(Code code, const std::vector<std::string>& errors,
               const std::vector<std::string>& warnings) {
  std::string message;
  for (const std::string& e : errors) message += (message.empty() ? "" : "\n") + e;
  Status status(code, message);
  status.WithDetails({{"errors", errors}, {"warnings", warnings}});
  return status;
}

// vcluster's "auto": the quota and the LimitRange come together (either one switched on brings
// the other), and the /data volume is on because our store is always embedded SQLite. Decided
// here once so that render and the node agent read plain booleans.
void DecideAuto(json& values) {
  json& policies = values["policies"];
  json& quota = policies["resourceQuota"]["enabled"];
  json& limits = policies["limitRange"]["enabled"];
  const bool quota_on = quota == true || (quota == "auto" && limits == true);
  const bool limits_on = limits == true || (limits == "auto" && quota == true);
  quota = quota_on;
  limits = limits_on;
  json& volume = values["controlPlane"]["statefulSet"]["persistence"]["volumeClaim"]["enabled"];
  if (volume == "auto") volume = true;
}

}  // namespace

StatusOr<ResolvedValues> Resolve(const ResolveInput& input) {
  const json& schema = ValuesSchema();
  std::vector<std::string> errors;
  Code code = Code::kInvalidArgument;

  // Phase 1: lowest layer first, as they will be merged.
  std::vector<yaml::Document> docs;
  auto add = [&](StatusOr<yaml::Document> doc) {
    if (!doc.ok()) {
      // A missing file keeps its own code so callers can tell it from a bad one.
      if (errors.empty()) code = doc.status().code();
      errors.push_back(doc.status().message());
      return;
    }
    for (std::string& e : ValidateDocument(*doc)) errors.push_back(std::move(e));
    docs.push_back(std::move(doc).value());
  };
  if (!input.profile.empty()) add(LoadProfile(input.profile));
  for (const ValuesSource& source : input.sources) {
    add(source.text ? yaml::Parse(*source.text, source.name) : yaml::ParseFile(source.name));
  }
  std::vector<SetAssignment> assignments;
  for (const std::string& entry : input.set_entries) {
    auto parsed = ParseSetEntry(entry);
    if (!parsed.ok()) {
      errors.push_back(parsed.status().message());
      continue;
    }
    for (SetAssignment& a : *parsed) assignments.push_back(std::move(a));
  }
  if (!errors.empty()) return Failure(code, errors, {});

  // Phase 2: the schema defaults are the bottom layer, as a chart's values.yaml is for helm, so
  // a file that sets one quota entry keeps the other default entries.
  json values = json::object();
  FillDefaults(schema, values);
  internal::ValueOrigins origins;
  for (const yaml::Document& doc : docs) internal::MergeDocumentInto(values, doc, origins);
  for (const SetAssignment& assignment : assignments) {
    auto touched = ApplySetAssignment(assignment, values);
    if (!touched.ok()) {
      errors.push_back(touched.status().message());
      continue;
    }
    for (const std::string& pointer : *touched) {
      origins.ReplaceWith(pointer, "--set " + assignment.text);
    }
    if (assignment.value.is_null() && !touched->empty()) origins.Erase(touched->back());
  }
  Locator where = [&origins](std::string_view pointer) { return origins.Where(pointer); };
  for (std::string& e : ValidateValues(schema, values, where)) errors.push_back(std::move(e));
  if (!errors.empty()) return Failure(code, errors, {});

  // Phase 3.
  FillDefaults(schema, values);
  DecideAuto(values);
  Findings findings = FindContradictions(values, where);
  if (!findings.errors.empty()) return Failure(code, findings.errors, findings.warnings);
  return ResolvedValues{std::move(values), std::move(findings.warnings)};
}

}  // namespace vc::cli::values
