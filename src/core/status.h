// Errors as values. Every fallible operation returns Status or Result<T>; exceptions are caught at
// third-party edges (JSON parsing, libcurl, libpq) and at the request boundary and converted here.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace mlw {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the caller sent something malformed or out of range
  kNotFound,            // the named thing does not exist
  kAlreadyExists,       // creating something that exists with other settings
  kFailedPrecondition,  // the system is not in a state that allows the operation
  kPermissionDenied,    // authenticated but not allowed
  kUnauthenticated,     // missing or wrong credentials
  kResourceExhausted,   // a limit was reached (batch too large, over limit)
  kUnavailable,         // a dependency cannot be reached now; retrying may help
  kDeadlineExceeded,    // gave up waiting
  kInternal,            // a bug or an unexpected failure of a dependency
  kRetryLater,          // not a failure: the work cannot proceed yet; try again after
                        // Status::retry_after_seconds() (e.g. rows leased by another worker)
};

const char* StatusCodeName(StatusCode code);

// An immutable outcome. `reason` is an optional machine-readable sub-code that protocol layers
// translate (for the queue it is the SQS error name such as "ReceiptHandleIsInvalid").
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message, std::string reason = {})
      : code_(code), message_(std::move(message)), reason_(std::move(reason)) {}

  static Status Ok() { return Status(); }
  // kRetryLater with the number of seconds after which trying again makes sense (>= 0).
  static Status RetryLater(std::string message, int retry_after_seconds) {
    Status s(StatusCode::kRetryLater, std::move(message));
    s.retry_after_seconds_ = retry_after_seconds < 0 ? 0 : retry_after_seconds;
    return s;
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::string& reason() const { return reason_; }
  // kRetryLater only: seconds until trying again makes sense; 0 for every other code.
  int retry_after_seconds() const { return retry_after_seconds_; }
  // "InvalidArgument: message" — for logs and CLI output.
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string reason_;
  int retry_after_seconds_ = 0;
};

inline Status InvalidArgument(std::string msg, std::string reason = {}) {
  return {StatusCode::kInvalidArgument, std::move(msg), std::move(reason)};
}
inline Status NotFound(std::string msg, std::string reason = {}) {
  return {StatusCode::kNotFound, std::move(msg), std::move(reason)};
}
inline Status FailedPrecondition(std::string msg, std::string reason = {}) {
  return {StatusCode::kFailedPrecondition, std::move(msg), std::move(reason)};
}
inline Status Unavailable(std::string msg, std::string reason = {}) {
  return {StatusCode::kUnavailable, std::move(msg), std::move(reason)};
}
inline Status Internal(std::string msg, std::string reason = {}) {
  return {StatusCode::kInternal, std::move(msg), std::move(reason)};
}

// Either a value or a non-OK Status. REQUIRES: value() only when ok(), status() any time.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design, like std::expected
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(v_).ok() && "Result built from an OK Status has no value");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }

  const T& value() const& { return std::get<T>(v_); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace mlw

// Returns early from the enclosing function when `expr` (a Status) is not OK.
#define MLW_RETURN_IF_ERROR(expr)              \
  do {                                         \
    ::mlw::Status mlw_status_ = (expr);        \
    if (!mlw_status_.ok()) return mlw_status_; \
  } while (0)

#define MLW_CONCAT_INNER(a, b) a##b
#define MLW_CONCAT(a, b) MLW_CONCAT_INNER(a, b)
// `MLW_ASSIGN_OR_RETURN(auto x, F());` binds the value of a Result or returns its Status.
#define MLW_ASSIGN_OR_RETURN(lhs, expr) \
  MLW_ASSIGN_OR_RETURN_IMPL(MLW_CONCAT(mlw_result_, __LINE__), lhs, expr)
#define MLW_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()
