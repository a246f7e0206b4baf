// SPDX-License-Identifier: Apache-2.0
// sleepMode.autoWakeup: a host CronJob NAME-wake that runs `vc-syncer wake` on the schedule,
// as a service account of its own that may read and patch this cluster's StatefulSet and
// nothing else. It is the one piece of a sleeping cluster still scheduled on the host.
#include "render_parts.h"
#include "vc/labels.h"

namespace vc::cli::render {

using nlohmann::json;
namespace r = kube::resources;

namespace {

std::string WakeName(const VirtualCluster& vc) { return "vc-" + vc.name + "-wake"; }

json WakeRole(const VirtualCluster& vc) {
  return {{"apiVersion", "rbac.authorization.k8s.io/v1"},
          {"kind", "Role"},
          {"metadata", Metadata(vc, WakeName(vc), true)},
          {"rules", json::array({{{"apiGroups", {"apps"}},
                                  {"resources", {"statefulsets"}},
                                  {"resourceNames", {vc.name}},
                                  {"verbs", {"get", "patch"}}}})}};
}

json WakeBinding(const VirtualCluster& vc) {
  return {
      {"apiVersion", "rbac.authorization.k8s.io/v1"},
      {"kind", "RoleBinding"},
      {"metadata", Metadata(vc, WakeName(vc), true)},
      {"roleRef",
       {{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "Role"}, {"name", WakeName(vc)}}},
      {"subjects",
       json::array(
           {{{"kind", "ServiceAccount"}, {"name", WakeName(vc)}, {"namespace", vc.namespace_}}})}};
}

json WakeCronJob(const VirtualCluster& vc, const std::string& schedule) {
  json container = {{"name", "wake"},
                    {"image", ImagesFor(vc.values, vc.images).syncer},
                    {"command", {"vc-syncer"}},
                    {"args", {"wake", "--namespace", vc.namespace_, "--name", vc.name}},
                    {"securityContext", RestrictedContainer()},
                    // As the control plane's containers (under ASan the job needs their room).
                    {"resources", Resources("10m", "16Mi", "256Mi")}};
  json labels = TenantLabels(vc);
  labels[labels::kComponent] = "wake";
  json pod = {{"metadata", {{"labels", labels}}},
              {"spec",
               {{"serviceAccountName", WakeName(vc)},
                {"restartPolicy", "OnFailure"},
                {"securityContext",
                 {{"runAsNonRoot", true},
                  {"runAsUser", 65532},
                  {"runAsGroup", 65532},
                  {"seccompProfile", {{"type", "RuntimeDefault"}}}}},
                {"containers", json::array({container})}}}};
  ApplyScheduling(vc, &pod["spec"]);
  json spec = {{"schedule", schedule},
               // A wake-up missed by more than this (the host's controller-manager down) is
               // skipped, not made up hours later.
               {"startingDeadlineSeconds", 300},
               {"concurrencyPolicy", "Forbid"},
               {"successfulJobsHistoryLimit", 1},
               {"failedJobsHistoryLimit", 1},
               {"jobTemplate",
                {{"spec",
                  {{"backoffLimit", 3},
                   {"activeDeadlineSeconds", 300},
                   {"ttlSecondsAfterFinished", 3600},
                   {"template", pod}}}}}};
  const std::string zone = String(vc.values, "/sleepMode/timeZone", "");
  if (!zone.empty()) spec["timeZone"] = zone;
  return {{"apiVersion", "batch/v1"},
          {"kind", "CronJob"},
          {"metadata", Metadata(vc, WakeName(vc), true)},
          {"spec", spec}};
}

}  // namespace

std::vector<HostObject> RenderAutoWakeup(const VirtualCluster& vc) {
  const std::string schedule = String(vc.values, "/sleepMode/autoWakeup/schedule", "");
  if (!Enabled(vc.values, "/sleepMode/enabled") || schedule.empty()) return {};
  return {{r::kServiceAccounts,
           {{"apiVersion", "v1"},
            {"kind", "ServiceAccount"},
            {"metadata", Metadata(vc, WakeName(vc), true)}}},
          {r::kRoles, WakeRole(vc)},
          {r::kRoleBindings, WakeBinding(vc)},
          {r::kCronJobs, WakeCronJob(vc, schedule)}};
}

}  // namespace vc::cli::render
