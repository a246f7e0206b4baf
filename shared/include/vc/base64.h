// SPDX-License-Identifier: Apache-2.0
// Standard base64 (RFC 4648, with padding), as Go encodes []byte fields of a kubeconfig.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vc {

// nullopt on anything that is not valid base64 (whitespace, newlines included, is skipped).
std::optional<std::string> Base64Decode(std::string_view text);
std::string Base64Encode(std::string_view data);

}  // namespace vc
