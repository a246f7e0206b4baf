// SPDX-License-Identifier: Apache-2.0
// Typed reads of kubeconfig entries with errors that point at the key. Internal to vc_shared.
#pragma once

#include <string>

#include "vc/kube/kubeconfig.h"

namespace vc::kube::internal {

// Reads keys of one entry; every error names the entry and FILE:LINE:COL of the key.
class EntryReader {
 public:
  EntryReader(const Kubeconfig& config, const KubeconfigEntry& entry, std::string origin)
      : config_(config), entry_(entry), origin_(std::move(origin)) {}

  const std::string& origin() const { return origin_; }
  bool Has(const std::string& key) const;
  StatusOr<std::string> String(const std::string& key) const;  // "" when absent
  StatusOr<bool> Bool(const std::string& key) const;           // false when absent
  // Inline base64 `data_key` or the file `file_key`; "" when neither is set.
  StatusOr<std::string> Pem(const std::string& file_key, const std::string& data_key,
                            bool both_is_error) const;
  // `load kubeconfig: <origin>: <KEY at FILE:L:C>: cause`.
  Status Error(const std::string& key, const std::string& cause,
               Code code = Code::kInvalidArgument) const;

 private:
  const Kubeconfig& config_;
  const KubeconfigEntry& entry_;
  std::string origin_;
};

// The user's `exec` stanza, checked as client-go's validation does.
StatusOr<ExecConfig> ReadExecConfig(const EntryReader& user, const nlohmann::json& exec);

}  // namespace vc::kube::internal
