// SPDX-License-Identifier: Apache-2.0
// Watch events and the decoder of a watch stream: newline-delimited JSON objects
// {"type": "...", "object": {...}} arriving in chunks that may split an event anywhere.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "vc/status.h"

namespace vc::kube {

enum class WatchEventType { kAdded, kModified, kDeleted, kBookmark, kError };

const char* WatchEventTypeName(WatchEventType type);

struct WatchEvent {
  WatchEventType type = WatchEventType::kAdded;
  nlohmann::json object;  // the object; for kError a Status; for kBookmark only metadata
};

struct WatchOptions {
  std::string resource_version;  // start after this; "" = synthetic ADDs of current state first
  std::string label_selector;
  std::string field_selector;
  int64_t timeout_seconds = 0;  // the server ends the stream after this; 0: server default
  bool allow_bookmarks = true;
};

// Return false to end the watch (Watch then returns Ok).
using WatchHandler = std::function<bool(const WatchEvent& event)>;

class WatchDecoder {
 public:
  // Feeds bytes; calls `emit` for each complete event. Stops (returns Ok) when emit returns
  // false; kInternal when a line is not a watch event.
  Status Feed(std::string_view chunk, const WatchHandler& emit);
  // Bytes of an unfinished event waiting for the rest.
  size_t pending() const { return buffer_.size(); }
  bool stopped() const { return stopped_; }

 private:
  Status EmitLine(std::string_view line, const WatchHandler& emit);

  std::string buffer_;
  bool stopped_ = false;
};

}  // namespace vc::kube
