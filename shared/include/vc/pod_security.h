// SPDX-License-Identifier: Apache-2.0
// The Pod Security Standard a tenant's host pods are held to: the stricter of what its trust
// level implies (zero -> restricted, partial -> baseline, high -> privileged) and the values'
// policies.podSecurityStandard. kubectl-vc labels the host namespace it creates with it (pod
// security admission enforces it there), and vc-syncer checks every pod against it before the
// pod reaches the host.
#pragma once

#include <string>
#include <string_view>

namespace vc {

// 0 privileged (or unknown/empty), 1 baseline, 2 restricted.
inline int PodSecurityRank(std::string_view level) {
  if (level == "restricted") return 2;
  if (level == "baseline") return 1;
  return 0;
}

inline std::string PodSecurityLevel(std::string_view trust_level, std::string_view standard) {
  const std::string_view trust = trust_level == "zero"      ? "restricted"
                                 : trust_level == "partial" ? "baseline"
                                                            : "privileged";
  return std::string(PodSecurityRank(standard) > PodSecurityRank(trust) ? standard : trust);
}

}  // namespace vc
