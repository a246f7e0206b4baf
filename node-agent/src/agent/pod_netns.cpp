// SPDX-License-Identifier: Apache-2.0
#include "vc/agent/agent/pod_netns.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "vc/log.h"

namespace vc::agent {

StatusOr<std::unique_ptr<PodNetns>> PodNetns::Open(const std::string& path) {
  const int target = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (target < 0) return Internal("open netns " + path + ": " + std::strerror(errno));
  const int own = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (own < 0) {
    ::close(target);
    return Internal("open own netns: " + std::string(std::strerror(errno)));
  }
  return std::unique_ptr<PodNetns>(new PodNetns(path, target, own));
}

PodNetns::~PodNetns() {
  ::close(target_);
  ::close(own_);
}

Status PodNetns::Enter() {
  if (::setns(target_, CLONE_NEWNET) != 0) {
    return Internal("enter netns " + path_ + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

void PodNetns::Leave() {
  if (::setns(own_, CLONE_NEWNET) != 0) {
    // API calls from this thread would now go to the wrong namespace: no way to continue.
    VC_LOG(Error) << "leave netns " << path_ << ": " << std::strerror(errno);
    std::abort();
  }
}

}  // namespace vc::agent
