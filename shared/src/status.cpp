// SPDX-License-Identifier: Apache-2.0
#include "vc/status.h"

namespace vc {

const char* CodeName(Code code) {
  switch (code) {
    case Code::kOk:
      return "Ok";
    case Code::kInvalidArgument:
      return "InvalidArgument";
    case Code::kNotFound:
      return "NotFound";
    case Code::kAlreadyExists:
      return "AlreadyExists";
    case Code::kConflict:
      return "Conflict";
    case Code::kGone:
      return "Gone";
    case Code::kUnauthorized:
      return "Unauthorized";
    case Code::kForbidden:
      return "Forbidden";
    case Code::kInvalid:
      return "Invalid";
    case Code::kTooManyRequests:
      return "TooManyRequests";
    case Code::kTimeout:
      return "Timeout";
    case Code::kUnavailable:
      return "Unavailable";
    case Code::kFailedPrecondition:
      return "FailedPrecondition";
    case Code::kCancelled:
      return "Cancelled";
    case Code::kInternal:
      return "Internal";
    case Code::kUnknown:
      return "Unknown";
  }
  return "Unknown";
}

Status Status::Annotate(const std::string& context) const {
  if (ok()) return *this;
  Status s(code_, context + ": " + message_);
  s.details_ = details_;
  return s;
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return message_;
}

}  // namespace vc
