// SPDX-License-Identifier: Apache-2.0
#include "vc/agent/datapath/libbpf_logging.h"

#include <bpf/libbpf.h>

#include <cstdarg>
#include <cstdio>
#include <string>

#include "vc/log.h"

namespace vc::agent {
namespace {

int Print(enum libbpf_print_level level, const char* format, va_list args) {
  char buf[1024];
  int n = std::vsnprintf(buf, sizeof(buf), format, args);
  if (n < 0) return n;
  std::string line(buf);
  while (!line.empty() && line.back() == '\n') line.pop_back();
  if (line.empty()) return n;
  // libbpf's INFO is chatty (every pinned-map reuse); WARN is what an operator must see,
  // except the kernel's extack text, which libbpf prints at WARN for every expected
  // ENOENT/EEXIST of bpf_tc_query/bpf_tc_hook_create (no qdisc yet, clsact already there).
  // A real failure reaches the log anyway as the Status of the call that failed.
  const bool extack = line.find("Kernel error message") != std::string::npos;
  if (level == LIBBPF_WARN && !extack) {
    VC_LOG(Warning) << line;
  } else {
    VC_LOG(Debug) << line;
  }
  return n;
}

}  // namespace

void RouteLibbpfLogging() { libbpf_set_print(Print); }

}  // namespace vc::agent
