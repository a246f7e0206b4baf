// SPDX-License-Identifier: Apache-2.0
// LibbpfTcAttacher: TcAttacher over libbpf's bpf_tc_* (netlink). libbpf 1.1 has no tcx
// links, so these are classic cls_bpf filters in direct-action mode: owned by the interface,
// not by our process, which is what keeps enforcement up while the agent is down.
#pragma once

#include <cstdint>

#include "vc/agent/datapath/tc_attacher.h"

namespace vc::agent {

class LibbpfTcAttacher : public TcAttacher {
 public:
  // Our filter's identity on each hook. Priority 1 so we judge a packet before a CNI's own
  // filters (ours pass allowed packets on with TC_ACT_UNSPEC); a handle of our own so we
  // never replace or remove someone else's filter.
  static constexpr uint32_t kHandle = 0x7663;  // "vc"
  static constexpr uint32_t kPriority = 1;

  Status Attach(uint32_t ifindex, TcHook hook, int prog_fd) override;
  StatusOr<uint32_t> AttachedProgramId(uint32_t ifindex, TcHook hook) override;
  Status Detach(uint32_t ifindex, TcHook hook) override;
};

}  // namespace vc::agent
