// SPDX-License-Identifier: Apache-2.0
#include "vc/kube/watch.h"

#include <optional>

namespace vc::kube {
namespace {

std::optional<WatchEventType> ParseType(const std::string& type) {
  if (type == "ADDED") return WatchEventType::kAdded;
  if (type == "MODIFIED") return WatchEventType::kModified;
  if (type == "DELETED") return WatchEventType::kDeleted;
  if (type == "BOOKMARK") return WatchEventType::kBookmark;
  if (type == "ERROR") return WatchEventType::kError;
  return std::nullopt;
}

}  // namespace

const char* WatchEventTypeName(WatchEventType type) {
  switch (type) {
    case WatchEventType::kAdded:
      return "ADDED";
    case WatchEventType::kModified:
      return "MODIFIED";
    case WatchEventType::kDeleted:
      return "DELETED";
    case WatchEventType::kBookmark:
      return "BOOKMARK";
    case WatchEventType::kError:
      return "ERROR";
  }
  return "UNKNOWN";
}

Status WatchDecoder::Feed(std::string_view chunk, const WatchHandler& emit) {
  if (stopped_) return Status::Ok();
  buffer_.append(chunk);
  size_t start = 0;
  for (size_t nl = buffer_.find('\n'); nl != std::string::npos; nl = buffer_.find('\n', start)) {
    std::string_view line(buffer_.data() + start, nl - start);
    start = nl + 1;
    Status s = EmitLine(line, emit);
    if (!s.ok() || stopped_) {
      buffer_.erase(0, start);
      return s;
    }
  }
  // Keep only the unfinished tail, so a long watch does not grow the buffer.
  buffer_.erase(0, start);
  return Status::Ok();
}

Status WatchDecoder::EmitLine(std::string_view line, const WatchHandler& emit) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
  if (line.empty()) return Status::Ok();
  nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  std::optional<WatchEventType> type;
  if (j.is_object() && j.contains("type") && j["type"].is_string()) {
    type = ParseType(j["type"].get<std::string>());
  }
  if (!type || !j.contains("object") || !j["object"].is_object()) {
    std::string head(line.substr(0, 120));
    return Internal("decode watch event: not a watch event: " + head);
  }
  WatchEvent event{*type, std::move(j["object"])};
  if (!emit(event)) stopped_ = true;
  return Status::Ok();
}

}  // namespace vc::kube
