// SPDX-License-Identifier: Apache-2.0
// Status and StatusOr<T>: how errors cross module boundaries in kubectl-vc, vc-syncer and
// vc-node-agent. Exceptions from libraries are caught where they are thrown and turned into a
// Status. Messages are lowercase "verb noun: cause" and say what the user can do.
#pragma once

#include <cassert>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace vc {

// The codes follow the failure kinds a caller must tell apart; the Kubernetes API's reasons
// map onto them one to one (see kube/errors.h), the rest are for local failures.
enum class Code {
  kOk = 0,
  kInvalidArgument,     // bad input from the user: flags, values files, names
  kNotFound,            // HTTP 404 / missing file
  kAlreadyExists,       // HTTP 409 reason AlreadyExists
  kConflict,            // HTTP 409 (resourceVersion or apply conflict)
  kGone,                // HTTP 410: watch resourceVersion too old, relist
  kUnauthorized,        // HTTP 401: credentials missing or expired
  kForbidden,           // HTTP 403: RBAC says no
  kInvalid,             // HTTP 422: the server rejected the object; causes in details()
  kTooManyRequests,     // HTTP 429: retry after details()["retryAfterSeconds"]
  kTimeout,             // deadline passed (ours or the server's 504)
  kUnavailable,         // connection refused/reset, DNS, TLS handshake, 5xx
  kFailedPrecondition,  // the system is not in a state for this (e.g. cluster paused)
  kCancelled,           // the caller asked to stop
  kInternal,            // a bug or an unexpected answer
  kUnknown,
};

const char* CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // Structured detail, e.g. the Kubernetes Status object of an API error (reason, causes,
  // retryAfterSeconds). Null when there is none.
  const nlohmann::json& details() const { return details_; }
  Status& WithDetails(nlohmann::json details) {
    details_ = std::move(details);
    return *this;
  }

  // Prepends context: "create namespace vcluster-dev: " + message.
  Status Annotate(const std::string& context) const;

  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
  nlohmann::json details_;
};

inline Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
inline Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }
inline Status Unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }
inline Status FailedPrecondition(std::string m) {
  return {Code::kFailedPrecondition, std::move(m)};
}
inline Status Timeout(std::string m) { return {Code::kTimeout, std::move(m)}; }

template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  StatusOr(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).ok() && "StatusOr built from an ok Status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }

  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

namespace internal {
inline Status ToStatus(const Status& s) { return s; }
template <typename T>
Status ToStatus(const StatusOr<T>& s) {
  return s.status();
}
}  // namespace internal

}  // namespace vc

#define VC_CONCAT_INNER(a, b) a##b
#define VC_CONCAT(a, b) VC_CONCAT_INNER(a, b)

#define RETURN_IF_ERROR(expr)                                                   \
  do {                                                                          \
    if (auto _vc_s = ::vc::internal::ToStatus(expr); !_vc_s.ok()) return _vc_s; \
  } while (0)

// lhs is a declaration (`auto x`) or an lvalue: it cannot be put in parentheses.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define VC_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.status();            \
  lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)

#define ASSIGN_OR_RETURN(lhs, expr) \
  VC_ASSIGN_OR_RETURN_IMPL(VC_CONCAT(_vc_statusor_, __LINE__), lhs, expr)
