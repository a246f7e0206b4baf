// SPDX-License-Identifier: Apache-2.0
// TcAttacher: our tc filter on the clsact hooks of a host-side veth. LibbpfTcAttacher is the
// kernel one (netlink through libbpf, in the caller's network namespace); FakeTcAttacher
// is for tests. Filters stay attached when the agent exits: nothing here detaches on
// destruction.
#pragma once

#include <cstdint>

#include "vc/status.h"

namespace vc::agent {

// Named from the pod's side: kFromPod is tc ingress of the host-side veth, kToPod tc egress.
enum class TcHook { kFromPod, kToPod };
const char* TcHookName(TcHook hook);

class TcAttacher {
 public:
  virtual ~TcAttacher() = default;

  // Creates the clsact qdisc if missing and attaches `prog_fd` as our filter, replacing
  // our previous filter in one step if there is one (no moment without a filter).
  virtual Status Attach(uint32_t ifindex, TcHook hook, int prog_fd) = 0;
  // The id of the program in our filter; 0 when there is no filter of ours.
  // NotFound when the interface does not exist.
  virtual StatusOr<uint32_t> AttachedProgramId(uint32_t ifindex, TcHook hook) = 0;
  // Removes our filter; Ok when there was none or the interface is gone.
  virtual Status Detach(uint32_t ifindex, TcHook hook) = 0;
};

}  // namespace vc::agent
