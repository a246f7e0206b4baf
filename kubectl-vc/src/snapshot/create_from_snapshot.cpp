// SPDX-License-Identifier: Apache-2.0
#include <ostream>

#include "vc/cli/snapshot/snapshot_flow.h"
#include "vc/cli/snapshot/snapshot_meta.h"

namespace vc::cli::snapshot {

using nlohmann::json;

StatusOr<lifecycle::CreateResult> CreateFromSnapshot(const HostCluster& host,
                                                     lifecycle::CreateOptions options,
                                                     const RestoreOptions& restore,
                                                     const kube::Environment& env,
                                                     output::Progress& progress, std::ostream& err,
                                                     const CancelToken* cancel) {
  progress.Begin("Reading " + restore.transfer.location.url);
  auto meta = InspectSnapshot(restore.transfer, /*verify=*/false, /*side_copy=*/false);
  if (!meta.ok()) {
    progress.Fail();
    return meta.status();
  }
  auto summary = ReadSnapshotMeta(*meta);
  if (!summary.ok()) {
    progress.Fail();
    return summary.status();
  }
  const json& values = summary->values;
  progress.Done(meta->contains("cluster")
                    ? "snapshot of " +
                          (summary->cluster_name.empty() ? "?" : summary->cluster_name) +
                          " taken " + (summary->created_at.empty() ? "?" : summary->created_at)
                    : "");
  if (!values.empty()) {
    options.values.sources.insert(
        options.values.sources.begin(),
        values::ValuesSource::Text("<values of " + restore.transfer.location.url + ">",
                                   values.dump()));
  }
  options.wait = true;
  options.upgrade = false;
  ASSIGN_OR_RETURN(lifecycle::CreateResult created,
                   lifecycle::Create(*host.client, options, progress, cancel));
  auto undo = [&](Status why) -> Status {
    auto info = lifecycle::Find(*host.client, options.name, created.namespace_);
    if (info.ok()) {
      progress.Info("restore failed: deleting virtual cluster " + options.name +
                    " that this create made");
      lifecycle::DeleteOptions d;
      d.wait = true;
      d.timeout = std::chrono::minutes(2);
      if (Status s = lifecycle::Delete(*host.client, *info, d, progress, cancel); !s.ok()) {
        return why.Annotate("(and deleting it again failed: " + s.message() + ")");
      }
    }
    return why;
  };
  auto info = lifecycle::Find(*host.client, options.name, created.namespace_);
  if (!info.ok()) return undo(info.status());
  if (Status s = RestoreInto(host, *info, restore, env, progress, err, cancel); !s.ok()) {
    return undo(s);
  }
  return created;
}

}  // namespace vc::cli::snapshot
