// SPDX-License-Identifier: Apache-2.0
// NetlinkVethLocator: finds a pod's host-side veth with rtnetlink, in the network namespace
// of the calling thread (the agent runs with hostNetwork).
//  - routed CNIs (calico, cilium native routing, ptp): RTM_GETROUTE for the pod IP gives
//    the veth directly (a /32 route "dev caliXXX");
//  - bridge CNIs (bridge, flannel's cni0): the route points at the bridge; the pod's MAC
//    comes from the bridge's neighbour entry for the IP, and the bridge FDB names the port
//    that MAC was learned on. No neighbour entry yet (a pod that has only talked to peers on
//    its bridge) is NotFound, after an empty UDP datagram to the pod made the kernel resolve
//    it, so the agent's retry finds it.
#pragma once

#include <cstdint>
#include <string>

#include "vc/agent/datapath/veth_locator.h"

namespace vc::agent {

class NetlinkVethLocator : public VethLocator {
 public:
  StatusOr<VethInfo> Locate(const IpAddress& pod_ip) override;
  StatusOr<std::string> InterfaceName(uint32_t ifindex) override;
};

}  // namespace vc::agent
