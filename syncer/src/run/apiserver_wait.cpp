// SPDX-License-Identifier: Apache-2.0
#include "vc/syncer/run/apiserver_wait.h"

#include "vc/log.h"

namespace vc::syncer::run {

Status WaitForApiserverReady(kube::Client& client, Clock& clock, const CancelToken& stop,
                             const ApiserverWaitOptions& options) {
  const auto start = clock.Now();
  const auto deadline = start + options.timeout;
  auto next_progress = start + options.progress_every;
  const std::string server = client.config().server;
  Status last;
  for (int attempt = 1;; ++attempt) {
    if (stop.cancelled()) {
      return Status(Code::kCancelled, "wait for " + server + "/readyz: stopped");
    }
    auto response = client.Raw({.method = "GET",
                                .path = "/readyz",
                                .accept = "text/plain",
                                .idempotent = true,
                                .timeout = options.request_timeout});
    if (response.ok()) {
      VC_LOG(Info) << "virtual apiserver " << server << " is ready (attempt " << attempt << ", "
                   << std::chrono::duration_cast<std::chrono::seconds>(clock.Now() - start).count()
                   << "s)";
      return Status::Ok();
    }
    last = response.status();
    const auto now = clock.Now();
    if (now >= deadline) {
      return Timeout(
          "wait for virtual apiserver " + server + "/readyz: not ready after " +
          std::to_string(
              std::chrono::duration_cast<std::chrono::seconds>(options.timeout).count()) +
          "s; last answer: " + last.message() +
          " (check the kube-apiserver and kine containers' logs)");
    }
    if (now >= next_progress) {
      VC_LOG(Info) << "waiting for virtual apiserver " << server << "/readyz ("
                   << std::chrono::duration_cast<std::chrono::seconds>(now - start).count()
                   << "s): " << last.message();
      next_progress = now + options.progress_every;
    } else {
      VC_LOG(Debug) << "virtual apiserver not ready yet: " << last.message();
    }
    const auto sleep = std::min<std::chrono::nanoseconds>(options.interval, deadline - now);
    if (!clock.SleepFor(sleep, &stop)) {
      return Status(Code::kCancelled, "wait for " + server + "/readyz: stopped");
    }
  }
}

}  // namespace vc::syncer::run
