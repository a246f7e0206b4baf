// SPDX-License-Identifier: Apache-2.0
// VethLocator: which host-side veth a pod's traffic goes through. NetlinkVethLocator asks
// the kernel (route to the pod IP for routed CNIs, neighbour + bridge FDB for bridge CNIs);
// FakeVethLocator answers from a table.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "vc/agent/datapath/ip_address.h"
#include "vc/status.h"

namespace vc::agent {

struct VethInfo {
  uint32_t ifindex = 0;
  std::string name;
  // The address this node sends from when it connects to the pod (the route's preferred
  // source: a bridge CNI's gateway on the bridge, else the node's own address). kubelet's
  // probes come from it, whatever the Node object lists.
  std::optional<IpAddress> node_source;
};

class VethLocator {
 public:
  virtual ~VethLocator() = default;

  // NotFound while the pod's network is not (fully) set up: the caller retries later.
  virtual StatusOr<VethInfo> Locate(const IpAddress& pod_ip) = 0;
  // The current name of an interface; NotFound when it is gone. Reconcile uses it to tell a
  // recorded veth from a new interface that reused its ifindex.
  virtual StatusOr<std::string> InterfaceName(uint32_t ifindex) = 0;
};

}  // namespace vc::agent
