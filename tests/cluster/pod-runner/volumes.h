// SPDX-License-Identifier: Apache-2.0
// Local directories for a pod's volumes, filled the way kubelet would fill them:
//   persistentVolumeClaim  ROOT/claims/CLAIM-UID (outlives the pod, like the PV behind it)
//   emptyDir               ROOT/pods/NS/NAME-UID/volumes/VOLUME (removed with the pod)
//   projected              the same, with service-account tokens (TokenRequest bound to the
//                          pod), configMap keys and downwardAPI fields written as files
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "vc/kube/client.h"
#include "vc/status.h"

namespace vc::testing {

std::string PodDir(const std::string& root, const nlohmann::json& pod);
// By the claim's uid: a claim deleted and made again under the same name starts empty.
std::string ClaimDir(const std::string& root, const nlohmann::json& claim);

StatusOr<std::map<std::string, std::string>> PrepareVolumes(kube::Client& client,
                                                            const std::string& root,
                                                            const nlohmann::json& pod);

}  // namespace vc::testing
