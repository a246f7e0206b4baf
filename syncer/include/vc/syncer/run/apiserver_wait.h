// SPDX-License-Identifier: Apache-2.0
// Waiting for the virtual apiserver: the containers of the pod start together, and kine and
// kube-apiserver take seconds to tens of seconds to answer. The syncer polls /readyz and says
// what it is waiting for, instead of failing (and crash-looping) or spinning silently.
#pragma once

#include <chrono>

#include "vc/cancel_token.h"
#include "vc/clock.h"
#include "vc/kube/client.h"
#include "vc/status.h"

namespace vc::syncer::run {

struct ApiserverWaitOptions {
  std::chrono::milliseconds timeout{std::chrono::minutes(5)};
  std::chrono::milliseconds interval{std::chrono::seconds(1)};
  std::chrono::milliseconds progress_every{std::chrono::seconds(10)};  // an Info line
  std::chrono::milliseconds request_timeout{std::chrono::seconds(5)};  // one /readyz call
};

// Polls GET /readyz until it answers 200. kTimeout (with the last failure) when the
// deadline passes, kCancelled when `stop` fires.
Status WaitForApiserverReady(kube::Client& client, Clock& clock, const CancelToken& stop,
                             const ApiserverWaitOptions& options = {});

}  // namespace vc::syncer::run
