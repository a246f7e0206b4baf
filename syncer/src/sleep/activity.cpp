// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/sleep/activity.h"

#include <sys/stat.h>

#include <filesystem>

namespace vc::syncer::sleep {

std::string ActivityAuditPolicy(const std::string& syncer_user) {
  return "# Written by vc-syncer init: sleepMode's activity (syncer/src/sleep/activity.h).\n"
         "apiVersion: audit.k8s.io/v1\n"
         "kind: Policy\n"
         "omitStages: [RequestReceived]\n"
         "rules:\n"
         "- level: None\n"
         "  users: [\"" +
         syncer_user +
         "\", system:kube-controller-manager, system:kube-scheduler,"
         " system:apiserver]\n"
         "- level: None\n"
         "  userGroups: [\"system:serviceaccounts:kube-system\", system:nodes]\n"
         "- level: None\n"
         "  nonResourceURLs: [\"/healthz*\", \"/readyz*\", \"/livez*\", /metrics]\n"
         "- level: Metadata\n";
}

std::chrono::system_clock::time_point LastActivity(const std::string& log,
                                                   std::chrono::system_clock::time_point since) {
  auto newest = since;
  const std::filesystem::path path(log);
  const std::string stem = path.stem().string() + "-";
  std::error_code ec;
  std::filesystem::directory_iterator dir(path.parent_path(), ec);
  if (ec) return newest;
  for (const auto& entry : dir) {
    const std::string name = entry.path().filename().string();
    if (name != path.filename().string() && name.rfind(stem, 0) != 0) continue;
    struct stat st {};
    if (::stat(entry.path().c_str(), &st) != 0) continue;
    const auto mtime = std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::seconds(st.st_mtim.tv_sec) +
            std::chrono::nanoseconds(st.st_mtim.tv_nsec)));
    if (mtime > newest) newest = mtime;
  }
  return newest;
}

}  // namespace vc::syncer::sleep
