// SPDX-License-Identifier: Apache-2.0
// The host's Service range, which a virtual cluster's API server must share: the syncer gives
// each virtual Service the ClusterIP its host Service got, and an API server refuses an address
// outside its own range (the Service would be deleted and recreated without end).
//
// Found the way the host tells it, first that answers:
//  1. the ServiceCIDR `kubernetes` (networking.k8s.io/v1, Kubernetes 1.33 and later), which the
//     API server makes from its --service-cluster-ip-range;
//  2. the API server's refusal of a ClusterIP outside its range, in a dry-run create of a
//     Service in `dry_run_namespace` ("The range of valid IPs is 10.96.0.0/12"), as vCluster
//     does; hosts before 1.33 name it there;
//  3. dry-run Services in that namespace measuring it (IPv4): one without an address is given
//     the range's network address, and ones at growing offsets from it say where it ends.
// 2 and 3 need only what creating the virtual cluster in that namespace needs.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "vc/kube/client.h"
#include "vc/status.h"

namespace vc::cli::lifecycle {

// "10.96.0.0/12", or "10.96.0.0/12,fd00::/108" on a dual-stack host (the form
// --service-cluster-ip-range takes). An error says what was tried and why it did not answer.
StatusOr<std::string> DetectHostServiceRange(kube::Client& client,
                                             const std::string& dry_run_namespace = "default");

// The range an API server's refusal of an out-of-range ClusterIP names, if it names one.
std::optional<std::string> RangeFromRefusal(std::string_view message);

}  // namespace vc::cli::lifecycle
