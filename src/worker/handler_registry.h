// The one table of job types the worker knows: for each `job_type` a handler, a validator for the
// fields it adds to the trigger message, and optionally a sweep that finds users with pending work
// (aggregation mode). Messages are decoded and validated here, strictly, before any work: a
// message that fails is dead-lettered at once by the runtime, never retried.
//
// Thread-safety: register everything before the runtime starts; after that the registry is only
// read, and concurrent reads are safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/job.h"
#include "core/status.h"

namespace mlw::worker {

// Checks the fields a job type adds beyond job_type, user_id and priority. Gets the whole message
// object; returns InvalidArgument whose message names the field and what is accepted.
using FieldValidator = std::function<Status(const nlohmann::json& body)>;

// Aggregation mode: returns up to `limit` ids of users that have pending work for the job type
// (rows whose trigger may have been lost). The runtime then runs the job's handler for each of
// them under the per-user lease. Must be cheap to call every sweep interval.
using PendingUsersFinder = std::function<Result<std::vector<int64_t>>(int limit)>;

// reason() values of Decode() errors, also used as the dead-letter reason code.
inline constexpr const char* kReasonInvalidJson = "invalid_json";
inline constexpr const char* kReasonNotObject = "not_an_object";
inline constexpr const char* kReasonUnknownJobType = "unknown_job_type";
inline constexpr const char* kReasonInvalidUserId = "invalid_user_id";
inline constexpr const char* kReasonInvalidPriority = "invalid_priority";
inline constexpr const char* kReasonInvalidField = "invalid_field";

class HandlerRegistry {
 public:
  HandlerRegistry() = default;
  HandlerRegistry(const HandlerRegistry&) = delete;
  HandlerRegistry& operator=(const HandlerRegistry&) = delete;

  // Registers a job type. A null `validator` means the message may carry no fields besides
  // job_type, user_id and priority. Fails with AlreadyExists for a duplicate job_type and
  // InvalidArgument for an empty name or a null handler.
  Status Register(const std::string& job_type, JobHandler handler,
                  FieldValidator validator = nullptr);
  // REQUIRES: job_type registered (FailedPrecondition otherwise).
  Status RegisterSweep(const std::string& job_type, PendingUsersFinder finder);

  // Parses and validates a message body into a Job (message_id and receive_count left default).
  // On failure returns InvalidArgument with reason() one of the kReason* codes and a message that
  // names the field; the message never contains field values (they may be personal data).
  Result<Job> Decode(std::string_view body) const;

  // nullptr when the job type is unknown. The pointer lives as long as the registry.
  const JobHandler* FindHandler(const std::string& job_type) const;

  struct Sweep {
    std::string job_type;
    PendingUsersFinder finder;
  };
  std::vector<Sweep> Sweeps() const;
  std::vector<std::string> JobTypes() const;

 private:
  struct Entry {
    JobHandler handler;
    FieldValidator validator;
    PendingUsersFinder sweep;
  };
  // The usual trigger (a flat object of job_type, user_id and maybe priority, all valid, of a type
  // without a validator), decoded from views of the text without building a document: the
  // runtime's most frequent step per message. std::nullopt for anything else, valid or not, which
  // Decode's general path then decodes or rejects with its messages.
  std::optional<Job> DecodeUsualTrigger(std::string_view body) const;

  std::map<std::string, Entry, std::less<>> entries_;  // transparent: found by string_view
};

// Helpers for FieldValidators.
// InvalidArgument unless every member of `body` is a base field or one of `allowed`.
Status RejectUnknownFields(const nlohmann::json& body, const std::vector<std::string>& allowed);
// The value of `body[field]` when it is a JSON integer in 1..INT64_MAX; strings, floats (even 5.0),
// negatives, zero and overflowing numbers are rejected with InvalidArgument naming the field.
Result<int64_t> PositiveIntField(const nlohmann::json& body, std::string_view field);

}  // namespace mlw::worker
