// SPDX-License-Identifier: Apache-2.0
#include "vc/cli/lifecycle/upgrade.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "lifecycle/owned.h"
#include "vc/cli/lifecycle/version_skew.h"

namespace vc::cli::lifecycle {

using nlohmann::json;

namespace {

std::string Shown(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

void Diff(const json& before, const json& after, const std::string& path,
          std::vector<ValueChange>* out) {
  // A map on one side and nothing on the other: each of its keys is a change of its own.
  if ((before.is_object() || before.is_null()) && (after.is_object() || after.is_null()) &&
      !(before.is_null() && after.is_null())) {
    std::set<std::string> keys;
    if (before.is_object()) {
      for (const auto& [k, v] : before.items()) keys.insert(k);
    }
    if (after.is_object()) {
      for (const auto& [k, v] : after.items()) keys.insert(k);
    }
    for (const auto& k : keys) {
      const std::string child = path.empty() ? k : path + "." + k;
      Diff(before.is_object() && before.contains(k) ? before[k] : json(),
           after.is_object() && after.contains(k) ? after[k] : json(), child, out);
    }
    return;
  }
  if (before == after) return;
  ValueChange change{path, std::nullopt, std::nullopt};
  if (!before.is_null()) change.before = Shown(before);
  if (!after.is_null()) change.after = Shown(after);
  out->push_back(std::move(change));
}

// "v1.36" is this build's default tag when that is a v1.36 one; anything else as given (the
// values' schema checks it is a version).
std::string FullVersion(std::string given, const render::Images& images) {
  if (!given.empty() && std::isdigit(static_cast<unsigned char>(given[0]))) given = "v" + given;
  auto wanted = ParseMinorVersion(given);
  if (!wanted || std::count(given.begin(), given.end(), '.') != 1) return given;
  const std::string tag = VersionToRun(json::object(), images, nullptr);
  auto built = ParseMinorVersion(tag);
  if (built && built->major == wanted->major && built->minor == wanted->minor) return tag;
  return given;
}

}  // namespace

std::vector<ValueChange> DiffValues(const json& before, const json& after) {
  std::vector<ValueChange> out;
  Diff(before, after, "", &out);
  return out;
}

StatusOr<UpgradePlan> PlanUpgrade(const Info& info, const UpgradeOptions& options,
                                  const render::Images& images) {
  if (info.status == "Deleting") {
    return FailedPrecondition("virtual cluster " + info.name + " is being deleted");
  }
  if (!info.values.is_object()) {
    return FailedPrecondition(
        "the values virtual cluster " + info.name + " runs with (Secret " +
        render::ConfigSecretName(info.name) + " in namespace " + info.namespace_ +
        ") cannot be read, so an upgrade cannot start from them\nto give the whole values "
        "instead: kubectl vc create " +
        info.name + " -n " + info.namespace_ + " --upgrade -f VALUES");
  }
  UpgradePlan plan;
  plan.create.name = info.name;
  plan.create.namespace_ = info.namespace_;
  plan.create.upgrade = true;
  plan.create.images = images;
  auto& in = plan.create.values;
  in.sources.push_back(
      values::ValuesSource::Text("<values of " + info.name + " now>", info.values.dump()));
  in.sources.insert(in.sources.end(), options.sources.begin(), options.sources.end());
  in.set_entries = options.set_entries;
  if (!options.version.empty()) {
    in.set_entries.push_back("controlPlane.distro.k8s.version=" +
                             FullVersion(options.version, images));
  }
  ASSIGN_OR_RETURN(render::VirtualCluster vc, PlanCreate(plan.create, &plan.warnings));
  // What runs: the kube-apiserver image's tag, or (a tag that is no version) what the values
  // it runs with say.
  plan.from_version = info.version;
  if (!ParseMinorVersion(plan.from_version)) {
    plan.from_version = Str(info.values, "/controlPlane/distro/k8s/version");
  }
  plan.to_version = VersionToRun(vc.values, images, nullptr);
  // Values that name no version run this build's default: a newer kubectl-vc would move the
  // cluster on without being asked, and that cannot be undone. Only --version moves it.
  if (options.version.empty() && plan.to_version != plan.from_version &&
      Str(vc.values, "/controlPlane/distro/k8s/version").empty() &&
      ParseMinorVersion(plan.from_version)) {
    plan.warnings.push_back("the Kubernetes version stays " + plan.from_version +
                            " (this kubectl-vc's default is " + plan.to_version + "; --version " +
                            plan.to_version + " moves it)");
    in.set_entries.push_back("controlPlane.distro.k8s.version=" + plan.from_version);
    std::vector<std::string> again;
    ASSIGN_OR_RETURN(vc, PlanCreate(plan.create, &again));
    plan.to_version = VersionToRun(vc.values, images, nullptr);
  }
  RETURN_IF_ERROR(CheckUpgradeStep(plan.from_version, plan.to_version, info.name));
  plan.changes = DiffValues(info.values, vc.values);
  return plan;
}

}  // namespace vc::cli::lifecycle
