// SPDX-License-Identifier: Apache-2.0
// SegmentationDatapath: the loaded segmentation object (ebpf/, skeleton
// segmentation.skel.h) with its maps and programs pinned under a pin root.
//
// Open() never starts from scratch when something is pinned: libbpf reuses every pinned map
// by name (their content, the enforced policy, is untouched), and a pinned program whose
// instructions equal the freshly loaded one (same BPF tag) is adopted, so the filters on
// the veths keep running the very same program and reconcile has nothing to re-attach.
// Only a program of another build is re-pinned; the enforcer then swaps the filters in
// place (BPF_TC_F_REPLACE).
//
// Destruction closes our fds only: pins, maps, programs and tc filters stay, which is what
// keeps enforcement up while the agent is down (also after kill -9).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "vc/agent/datapath/bpf_segmentation_maps.h"
#include "vc/agent/datapath/bpffs.h"
#include "vc/agent/datapath/tc_attacher.h"
#include "vc/status.h"

struct segmentation;  // the bpftool skeleton

namespace vc::agent {

struct SegmentationProgram {
  int fd = -1;
  uint32_t id = 0;
};

class SegmentationDatapath {
 public:
  struct Options {
    std::string pin_root = kDefaultPinRoot;
  };

  static StatusOr<std::unique_ptr<SegmentationDatapath>> Open(const Options& options);
  ~SegmentationDatapath();
  SegmentationDatapath(const SegmentationDatapath&) = delete;
  SegmentationDatapath& operator=(const SegmentationDatapath&) = delete;

  SegmentationMaps& maps() { return maps_; }
  const SegmentationProgram& program(TcHook hook) const {
    return hook == TcHook::kFromPod ? from_pod_ : to_pod_;
  }
  // True when both programs were adopted from pins (nothing to re-attach).
  bool adopted_programs() const { return adopted_; }
  // Where a program is pinned: <pin_root>/prog_<name>.
  static std::string ProgramPinPath(const std::string& pin_root, TcHook hook);

 private:
  SegmentationDatapath(segmentation* skel, SegmentationMapFds fds) : skel_(skel), maps_(fds) {}
  Status AdoptOrPin(const std::string& pin_root, TcHook hook, int loaded_fd);

  segmentation* skel_;
  BpfSegmentationMaps maps_;
  SegmentationProgram from_pod_;
  SegmentationProgram to_pod_;
  bool adopted_ = true;
};

}  // namespace vc::agent
