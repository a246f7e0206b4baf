// SPDX-License-Identifier: Apache-2.0
// The flags every snapshot verb shares (snapshot, snapshot inspect, restore, create --restore):
// where the snapshot is and how to reach it, and the encryption key.
#pragma once

#include <CLI/CLI.hpp>

#include "vc/cli/snapshot/snapshot_flow.h"

namespace vc::cli::cmd {

struct SnapshotFlags {
  std::string url;
  std::string key_file;
  bool insecure = false;
  bool plain_http = false;
  std::string ca_file;
  std::string s3_endpoint;
  bool s3_path_style = false;
  std::string timeout = "5m";
};

void AddSnapshotStoreFlags(CLI::App* sub, SnapshotFlags* flags);

// Parses the URL, loads the key, fills the store options from the flags and the environment.
StatusOr<snapshot::TransferOptions> ResolveTransfer(const SnapshotFlags& flags,
                                                    const kube::Environment& env);

}  // namespace vc::cli::cmd
