// SPDX-License-Identifier: Apache-2.0
// PodNetns: the DatapathNamespace (node_agent.h) of --pod-netns, when the pods' veths are in
// another network namespace than the agent's (nested labs, tests). setns(2) of the calling
// thread into that namespace and back into the thread's own.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "vc/agent/agent/node_agent.h"
#include "vc/status.h"

namespace vc::agent {

class PodNetns : public DatapathNamespace {
 public:
  static StatusOr<std::unique_ptr<PodNetns>> Open(const std::string& path);
  ~PodNetns() override;
  PodNetns(const PodNetns&) = delete;
  PodNetns& operator=(const PodNetns&) = delete;

  Status Enter() override;
  // Aborts when it cannot go back: API calls from this thread would go to the wrong namespace.
  void Leave() override;

 private:
  PodNetns(std::string path, int target, int own)
      : path_(std::move(path)), target_(target), own_(own) {}
  std::string path_;
  int target_;
  int own_;
};

}  // namespace vc::agent
