// SPDX-License-Identifier: Apache-2.0
// VC_REQUIRE(condition, what): a test's prerequisite (root, a binary, docker-registry, moto, a
// cgroup mode). Missing, it FAILS the test with a message that names it: no test passes by
// skipping, in CI or anywhere else. On a developer machine, VC_ALLOW_SKIP=1 turns the failure
// into a skip, except under CI=true. `make deps` installs every prerequisite.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <string_view>

namespace vc::testing {

inline bool SkipAllowed() {
  const char* ci = std::getenv("CI");
  if (ci != nullptr && std::string_view(ci) == "true") return false;
  const char* allow = std::getenv("VC_ALLOW_SKIP");
  return allow != nullptr && std::string_view(allow) == "1";
}

}  // namespace vc::testing

// A statement (return from the calling function on a missing prerequisite), so use it in
// SetUp() or a TEST body, like GTEST_SKIP().
#define VC_REQUIRE(condition, what)                                                       \
  do {                                                                                    \
    if (!(condition)) {                                                                   \
      if (::vc::testing::SkipAllowed()) GTEST_SKIP() << "missing prerequisite: " << what; \
      FAIL() << "missing prerequisite: " << what                                          \
             << " (make deps installs it; VC_ALLOW_SKIP=1 skips on a developer machine)"; \
    }                                                                                     \
  } while (0)
