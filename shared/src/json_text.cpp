// SPDX-License-Identifier: Apache-2.0
#include "vc/json_text.h"

#include "vc/utf8.h"

namespace vc {

StatusOr<nlohmann::json> ParseJsonText(std::string_view text, std::string_view what,
                                       int max_depth) {
  bool too_deep = false;
  auto limit = [&](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
    if (depth > max_depth) too_deep = true;
    return !too_deep;  // stop keeping values once too deep; the result is refused below
  };
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text, limit);
  } catch (const nlohmann::json::parse_error& e) {
    // Its "last read: '...'" quotes the input, which need not be UTF-8.
    return InvalidArgument(std::string(what) + " is not JSON: " + utf8::Escape(e.what()));
  }
  if (too_deep) {
    return InvalidArgument(std::string(what) + " nests deeper than " + std::to_string(max_depth) +
                           " levels");
  }
  return doc;
}

}  // namespace vc
