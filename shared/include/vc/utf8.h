// SPDX-License-Identifier: Apache-2.0
// UTF-8 checks for text that came from outside (files, flags, servers) and will end up in JSON:
// nlohmann::json::dump throws on a string that is not valid UTF-8, so parsers check here and
// say where the bad byte is instead.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace vc::utf8 {

// Offset of the first byte that does not start a well-formed UTF-8 sequence (RFC 3629: no
// overlong forms, no surrogates, nothing above U+10FFFF), or npos when `text` is valid.
size_t FirstInvalid(std::string_view text);
inline bool IsValid(std::string_view text) { return FirstInvalid(text) == std::string_view::npos; }

// The longest prefix of `text` of at most `max_bytes` bytes that does not end inside a
// character (for shortening a value in a message).
std::string_view Truncate(std::string_view text, size_t max_bytes);

// `text` with every byte that is not part of a well-formed character, and every ASCII control
// character (NUL, newline, escape, DEL, ...), written as \xNN: so a message can quote any input
// and still be one line of UTF-8 that does nothing to a terminal.
std::string Escape(std::string_view text);

// "line 3, column 7" style position of byte `offset` (1-based; columns count bytes), for
// messages about input text.
struct TextPosition {
  int line = 1;
  int column = 1;
};
TextPosition PositionOf(std::string_view text, size_t offset);

}  // namespace vc::utf8
