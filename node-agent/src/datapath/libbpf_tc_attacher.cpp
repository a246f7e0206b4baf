// SPDX-License-Identifier: Apache-2.0
#include "vc/agent/datapath/libbpf_tc_attacher.h"

#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace vc::agent {
namespace {

bpf_tc_attach_point Point(TcHook hook) {
  return hook == TcHook::kFromPod ? BPF_TC_INGRESS : BPF_TC_EGRESS;
}

std::string Where(uint32_t ifindex, TcHook hook) {
  return std::string("tc ") + TcHookName(hook) + " filter on ifindex " + std::to_string(ifindex);
}

Status Failed(const char* verb, uint32_t ifindex, TcHook hook, int rc) {
  std::string msg = std::string(verb) + " " + Where(ifindex, hook) + ": " + std::strerror(-rc);
  if (rc == -ENODEV) return NotFound(msg);
  return Unavailable(msg);
}

}  // namespace

const char* TcHookName(TcHook hook) { return hook == TcHook::kFromPod ? "ingress" : "egress"; }

Status LibbpfTcAttacher::Attach(uint32_t ifindex, TcHook hook, int prog_fd) {
  // Field order of the LIBBPF_OPTS initializers follows the structs (g++ insists).
  LIBBPF_OPTS(bpf_tc_hook, tc_hook, .ifindex = static_cast<int>(ifindex),
              .attach_point = Point(hook));
  // The clsact qdisc is shared by both hooks (and maybe by a CNI): EEXIST is the usual case.
  int rc = bpf_tc_hook_create(&tc_hook);
  if (rc != 0 && rc != -EEXIST) return Failed("create clsact for", ifindex, hook, rc);
  LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = prog_fd, .flags = BPF_TC_F_REPLACE, .handle = kHandle,
              .priority = kPriority);
  rc = bpf_tc_attach(&tc_hook, &opts);
  if (rc != 0) return Failed("attach", ifindex, hook, rc);
  return Status::Ok();
}

StatusOr<uint32_t> LibbpfTcAttacher::AttachedProgramId(uint32_t ifindex, TcHook hook) {
  LIBBPF_OPTS(bpf_tc_hook, tc_hook, .ifindex = static_cast<int>(ifindex),
              .attach_point = Point(hook));
  LIBBPF_OPTS(bpf_tc_opts, opts, .handle = kHandle, .priority = kPriority);
  int rc = bpf_tc_query(&tc_hook, &opts);
  // No clsact qdisc or no filter of ours: both mean "nothing attached".
  if (rc == -ENOENT || rc == -EINVAL) return 0u;
  if (rc != 0) return Failed("query", ifindex, hook, rc);
  return opts.prog_id;
}

Status LibbpfTcAttacher::Detach(uint32_t ifindex, TcHook hook) {
  LIBBPF_OPTS(bpf_tc_hook, tc_hook, .ifindex = static_cast<int>(ifindex),
              .attach_point = Point(hook));
  LIBBPF_OPTS(bpf_tc_opts, opts, .handle = kHandle, .priority = kPriority);
  int rc = bpf_tc_detach(&tc_hook, &opts);
  if (rc == 0 || rc == -ENOENT || rc == -ENODEV || rc == -EINVAL) return Status::Ok();
  return Failed("detach", ifindex, hook, rc);
}

}  // namespace vc::agent
