// SPDX-License-Identifier: Apache-2.0
#include "vc/log.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <nlohmann/json.hpp>

namespace vc::log {
namespace {

std::mutex& Mu() {
  static std::mutex mu;
  return mu;
}
Options& Opts() {
  static Options options;
  return options;
}
Sink& CurrentSink() {
  static Sink sink;
  return sink;
}

const char* LevelName(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarning:
      return "warning";
    case Level::kError:
      return "error";
  }
  return "info";
}

std::string Timestamp() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[40];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms.count()));
  return out;
}

std::string_view BaseName(const char* file) {
  std::string_view f(file);
  auto pos = f.rfind('/');
  return pos == std::string_view::npos ? f : f.substr(pos + 1);
}

}  // namespace

void Configure(const Options& options) {
  std::lock_guard lock(Mu());
  Opts() = options;
}

const Options& Current() { return Opts(); }

bool Enabled(Level level) { return static_cast<int>(level) >= static_cast<int>(Opts().level); }

bool ParseLevel(std::string_view text, Level* out) {
  if (text == "debug")
    *out = Level::kDebug;
  else if (text == "info")
    *out = Level::kInfo;
  else if (text == "warning" || text == "warn")
    *out = Level::kWarning;
  else if (text == "error")
    *out = Level::kError;
  else
    return false;
  return true;
}

bool ParseFormat(std::string_view text, Format* out) {
  if (text == "text")
    *out = Format::kText;
  else if (text == "json")
    *out = Format::kJson;
  else
    return false;
  return true;
}

void SetSink(Sink sink) {
  std::lock_guard lock(Mu());
  CurrentSink() = std::move(sink);
}

void Write(Level level, const char* file, int line, std::string_view message) {
  std::string out;
  std::lock_guard lock(Mu());
  const Options& o = Opts();
  if (o.format == Format::kJson) {
    nlohmann::json j = {{"ts", Timestamp()},
                        {"level", LevelName(level)},
                        {"caller", std::string(BaseName(file)) + ":" + std::to_string(line)},
                        {"msg", message}};
    if (!o.component.empty()) j["component"] = o.component;
    out = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    out = Timestamp() + " " + LevelName(level) + " " + std::string(BaseName(file)) + ":" +
          std::to_string(line) + "] " + std::string(message);
  }
  if (CurrentSink()) {
    CurrentSink()(out);
  } else {
    out.push_back('\n');
    std::fwrite(out.data(), 1, out.size(), stderr);
  }
}

}  // namespace vc::log
