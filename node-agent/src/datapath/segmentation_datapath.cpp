// SPDX-License-Identifier: Apache-2.0
#include "vc/agent/datapath/segmentation_datapath.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "segmentation.skel.h"
#include "vc/agent/datapath/libbpf_logging.h"
#include "vc/log.h"

namespace vc::agent {
namespace {

StatusOr<bpf_prog_info> InfoOf(int fd) {
  bpf_prog_info info{};
  uint32_t len = sizeof(info);
  if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0) {
    return Unavailable(std::string("read bpf program info: ") + std::strerror(errno));
  }
  return info;
}

}  // namespace

std::string SegmentationDatapath::ProgramPinPath(const std::string& pin_root, TcHook hook) {
  return pin_root + (hook == TcHook::kFromPod ? "/prog_vc_from_pod" : "/prog_vc_to_pod");
}

StatusOr<std::unique_ptr<SegmentationDatapath>> SegmentationDatapath::Open(const Options& options) {
  RouteLibbpfLogging();
  RETURN_IF_ERROR(EnsurePinRoot(options.pin_root));

  // Maps declare LIBBPF_PIN_BY_NAME: with pin_root_path set, load() reuses each pinned map
  // (after checking type, key/value size, max_entries and flags) or creates and pins it.
  LIBBPF_OPTS(bpf_object_open_opts, open_opts, .pin_root_path = options.pin_root.c_str());
  segmentation* skel = segmentation__open_opts(&open_opts);
  if (skel == nullptr) {
    return Internal(std::string("open segmentation bpf object: ") + std::strerror(errno));
  }
  if (int rc = segmentation__load(skel); rc != 0) {
    segmentation__destroy(skel);
    return Unavailable(std::string("load segmentation bpf object: ") + std::strerror(-rc) +
                       " (a pinned map of an incompatible layout under " + options.pin_root +
                       " needs a new map version; see the debug log for the verifier)");
  }
  SegmentationMapFds fds;
  fds.pod_addr = bpf_map__fd(skel->maps.vc_pod_addr_v1);
  fds.pod_tenant = bpf_map__fd(skel->maps.vc_pod_tenant_v1);
  fds.tenant_policy = bpf_map__fd(skel->maps.vc_tenant_policy_v1);
  fds.allow = bpf_map__fd(skel->maps.vc_allow_v1);
  fds.iface_tenant = bpf_map__fd(skel->maps.vc_iface_tenant_v1);
  fds.tenant_stats = bpf_map__fd(skel->maps.vc_tenant_stats_v1);
  std::unique_ptr<SegmentationDatapath> dp(new SegmentationDatapath(skel, fds));
  RETURN_IF_ERROR(
      dp->AdoptOrPin(options.pin_root, TcHook::kFromPod, bpf_program__fd(skel->progs.vc_from_pod)));
  RETURN_IF_ERROR(
      dp->AdoptOrPin(options.pin_root, TcHook::kToPod, bpf_program__fd(skel->progs.vc_to_pod)));
  VC_LOG(Info) << "segmentation datapath ready under " << options.pin_root << " (programs "
               << dp->from_pod_.id << "/" << dp->to_pod_.id << ", "
               << (dp->adopted_ ? "adopted from pins" : "newly pinned") << ")";
  return dp;
}

Status SegmentationDatapath::AdoptOrPin(const std::string& pin_root, TcHook hook, int loaded_fd) {
  SegmentationProgram& slot = hook == TcHook::kFromPod ? from_pod_ : to_pod_;
  const std::string path = ProgramPinPath(pin_root, hook);
  ASSIGN_OR_RETURN(bpf_prog_info loaded, InfoOf(loaded_fd));
  int pinned_fd = bpf_obj_get(path.c_str());
  if (pinned_fd >= 0) {
    auto pinned = InfoOf(pinned_fd);
    // The tag hashes the instructions with map references blanked: equal tags mean the
    // same program over the same (reused) maps, so the attached filters can stay as they are.
    if (pinned.ok() && std::memcmp(pinned->tag, loaded.tag, sizeof(loaded.tag)) == 0) {
      slot = {pinned_fd, pinned->id};
      return Status::Ok();
    }
    close(pinned_fd);
    VC_LOG(Info) << "pinned program " << path << " is of another build; replacing it";
    if (unlink(path.c_str()) != 0) {
      return Unavailable("replace pinned program " + path + ": " + std::strerror(errno));
    }
  }
  if (bpf_obj_pin(loaded_fd, path.c_str()) != 0) {
    return Unavailable("pin program at " + path + ": " + std::strerror(errno));
  }
  int fd = dup(loaded_fd);  // ours to close, like an adopted fd
  if (fd < 0) return Unavailable(std::string("dup program fd: ") + std::strerror(errno));
  slot = {fd, loaded.id};
  adopted_ = false;
  return Status::Ok();
}

SegmentationDatapath::~SegmentationDatapath() {
  if (from_pod_.fd >= 0) close(from_pod_.fd);
  if (to_pod_.fd >= 0) close(to_pod_.fd);
  // Closes our fds only: the pins keep maps and programs, the filters keep the programs.
  segmentation__destroy(skel_);
}

}  // namespace vc::agent
