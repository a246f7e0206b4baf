// SPDX-License-Identifier: Apache-2.0
// FakeTcAttacher: TcAttacher in memory. `prog_ids` maps a program fd to the id Attach
// records; interfaces not in `existing` are NotFound.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "vc/agent/datapath/tc_attacher.h"

namespace vc::agent {

class FakeTcAttacher : public TcAttacher {
 public:
  std::set<uint32_t> existing;
  std::map<int, uint32_t> prog_ids;                          // fd -> id
  std::map<std::pair<uint32_t, TcHook>, uint32_t> attached;  // -> program id
  std::vector<std::string> calls;

  Status Attach(uint32_t ifindex, TcHook hook, int prog_fd) override {
    if (!existing.count(ifindex)) return NotFound("no interface " + std::to_string(ifindex));
    calls.push_back("attach " + std::to_string(ifindex) + " " + TcHookName(hook));
    attached[{ifindex, hook}] = prog_ids[prog_fd];
    return Status::Ok();
  }
  StatusOr<uint32_t> AttachedProgramId(uint32_t ifindex, TcHook hook) override {
    if (!existing.count(ifindex)) return NotFound("no interface " + std::to_string(ifindex));
    auto it = attached.find({ifindex, hook});
    return it == attached.end() ? 0u : it->second;
  }
  Status Detach(uint32_t ifindex, TcHook hook) override {
    calls.push_back("detach " + std::to_string(ifindex) + " " + TcHookName(hook));
    attached.erase({ifindex, hook});
    return Status::Ok();
  }
};

}  // namespace vc::agent
