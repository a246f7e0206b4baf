// SPDX-License-Identifier: Apache-2.0
// What every fuzz target shares: quiet logs, and invariant checks that abort (libFuzzer then
// saves the input as a crash). Exceptions are not caught anywhere in the targets: a parser
// that lets one escape is a finding too.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "vc/log.h"
#include "vc/status.h"
#include "vc/utf8.h"

namespace vc::fuzz {

inline void QuietLogs() {
  static const bool done = [] {
    vc::log::Configure({.level = vc::log::Level::kError});
    return true;
  }();
  (void)done;
}

[[noreturn]] inline void Fail(std::string_view what, std::string_view detail) {
  std::fprintf(stderr, "fuzz invariant violated: %.*s: %.*s\n", static_cast<int>(what.size()),
               what.data(), static_cast<int>(detail.size()), detail.data());
  std::abort();
}

inline void Check(bool ok, std::string_view what, std::string_view detail = "") {
  if (!ok) Fail(what, detail);
}

// Text that will be printed or put into JSON must be UTF-8.
inline void CheckUtf8(std::string_view text, std::string_view what) {
  if (!vc::utf8::IsValid(text)) Fail(what, vc::utf8::Escape(text));
}

// A Status that reaches users: a message, valid UTF-8, and details that dump as JSON.
inline void CheckStatus(const vc::Status& status, std::string_view what) {
  if (status.ok()) return;
  Check(!status.message().empty(), what, "error without a message");
  CheckUtf8(status.message(), what);
  (void)status.details().dump();
}

}  // namespace vc::fuzz
