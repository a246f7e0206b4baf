// SPDX-License-Identifier: Apache-2.0
// create --dry-run: the objects create would apply, rendered without the host (lifecycle.h).
#include "lifecycle/owned.h"
#include "vc/cli/lifecycle/lifecycle.h"

namespace vc::cli::lifecycle {

using nlohmann::json;

StatusOr<std::vector<json>> RenderOffline(const CreateOptions& options,
                                          std::vector<std::string>* notes) {
  std::vector<std::string> warnings;
  ASSIGN_OR_RETURN(render::VirtualCluster vc, PlanCreate(options, &warnings));
  for (const auto& w : warnings) notes->push_back("warning: " + w);
  if (Str(vc.values, "/networking/serviceCIDR").empty()) {
    notes->push_back(
        "networking.serviceCIDR is not set, so the virtual API server gets Kubernetes' default "
        "Service range 10.96.0.0/12; it must be the host's range (create finds it, a dry run "
        "cannot): set it, e.g. --set networking.serviceCIDR=10.96.0.0/12");
  }
  if (!vc.create_namespace) {
    notes->push_back("namespace " + vc.namespace_ +
                     " is taken to exist (-n); create it before applying");
  }
  std::vector<json> out = {render::TenantCustomResourceDefinition()};
  for (auto& o : render::RenderHostObjects(vc)) out.push_back(std::move(o.object));
  return out;
}

}  // namespace vc::cli::lifecycle
