// SPDX-License-Identifier: Apache-2.0
// FakeVethLocator: VethLocator from a table, for tests.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "vc/agent/datapath/veth_locator.h"

namespace vc::agent {

class FakeVethLocator : public VethLocator {
 public:
  std::map<IpAddress, VethInfo> veths;

  StatusOr<VethInfo> Locate(const IpAddress& ip) override {
    auto it = veths.find(ip);
    if (it == veths.end()) return NotFound("no veth for " + ip.ToString());
    return it->second;
  }
  StatusOr<std::string> InterfaceName(uint32_t ifindex) override {
    for (const auto& [ip, veth] : veths) {
      if (veth.ifindex == ifindex) return veth.name;
    }
    return NotFound("no interface " + std::to_string(ifindex));
  }
};

}  // namespace vc::agent
