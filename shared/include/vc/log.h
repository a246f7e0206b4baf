// SPDX-License-Identifier: Apache-2.0
// Levelled logging to stderr, as text or one JSON object a line (--log-format json).
// Data goes to stdout elsewhere; logs never do.
//
//   VC_LOG(Info) << "synced pod " << name;
//   vc::log::Configure({.level = vc::log::Level::kDebug, .format = vc::log::Format::kJson});
#pragma once

#include <functional>
#include <sstream>
#include <string>
#include <string_view>

namespace vc::log {

enum class Level { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };
enum class Format { kText, kJson };

struct Options {
  Level level = Level::kInfo;
  Format format = Format::kText;
  std::string component;  // "kubectl-vc", "vc-syncer", ...: a field of every JSON line
};

void Configure(const Options& options);
const Options& Current();
bool Enabled(Level level);

// Parses "debug|info|warning|error" and "text|json"; false on anything else.
bool ParseLevel(std::string_view text, Level* out);
bool ParseFormat(std::string_view text, Format* out);

// Where lines go; stderr by default. Tests capture with this.
using Sink = std::function<void(std::string_view line)>;
void SetSink(Sink sink);

void Write(Level level, const char* file, int line, std::string_view message);

class LineBuilder {
 public:
  LineBuilder(Level level, const char* file, int line) : level_(level), file_(file), line_(line) {}
  ~LineBuilder() { Write(level_, file_, line_, stream_.str()); }
  LineBuilder(const LineBuilder&) = delete;
  LineBuilder& operator=(const LineBuilder&) = delete;

  template <typename T>
  LineBuilder& operator<<(const T& v) {
    stream_ << v;
    return *this;
  }

 private:
  Level level_;
  const char* file_;
  int line_;
  std::ostringstream stream_;
};

// glog's trick: a conditional expression, not an if, so `if (x) VC_LOG(Info) << y; else ...`
// means what it says and arguments are not evaluated when the level is off.
struct Voidify {
  void operator&(const LineBuilder&) {}
};

}  // namespace vc::log

// The stream expression continues after the macro (VC_LOG(Info) << ...): no parentheses.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define VC_LOG(severity)                             \
  !::vc::log::Enabled(::vc::log::Level::k##severity) \
      ? (void)0                                      \
      : ::vc::log::Voidify() &                       \
            ::vc::log::LineBuilder(::vc::log::Level::k##severity, __FILE__, __LINE__)
// NOLINTEND(bugprone-macro-parentheses)
