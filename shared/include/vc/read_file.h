// SPDX-License-Identifier: Apache-2.0
// Reads a whole file with an error a user can act on; strerror text the way our messages read.
#pragma once

#include <string>

#include "vc/status.h"

namespace vc {

// The file's bytes. Errors say "PATH: cause" (lowercase strerror), NotFound when it does not
// exist, InvalidArgument for a directory, Unavailable for other read failures.
StatusOr<std::string> ReadWholeFile(const std::string& path);

// strerror(err), lowercased: messages in this project are lowercase.
std::string ErrnoText(int err);

}  // namespace vc
