// Typed, validating access to one action's input, in the JSON protocol's shape (the query
// protocol is decoded into the same shape first, see query_decoder.h). Query inputs carry every
// scalar as a string, so integers and booleans are accepted as JSON numbers or as strings.
// Errors carry SQS names: MissingParameter for an absent required member, InvalidParameterValue
// for a member of the wrong type or form.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace mlw::queue::sqs {

class Params {
 public:
  // REQUIRES: `input` is a JSON object and outlives this.
  explicit Params(const nlohmann::json& input) : input_(input) {}

  // The member, or nullptr when absent or null.
  const nlohmann::json* Find(const std::string& name) const;
  Result<std::string> RequiredString(const std::string& name) const;
  Result<std::optional<std::string>> OptionalString(const std::string& name) const;
  Result<int64_t> RequiredInt(const std::string& name) const;
  Result<std::optional<int64_t>> OptionalInt(const std::string& name) const;
  // An optional integer that must lie in [lo, hi] when present.
  Result<std::optional<int64_t>> OptionalIntInRange(const std::string& name, int64_t lo,
                                                    int64_t hi) const;
  // Collections below are empty when absent or given as an empty string (query protocol).
  // A list of strings; empty when absent.
  Result<std::vector<std::string>> StringList(const std::string& name) const;
  // A map of string to string; empty when absent.
  Result<std::map<std::string, std::string>> StringMap(const std::string& name) const;
  // A list of objects; empty when absent.
  Result<std::vector<const nlohmann::json*>> ObjectList(const std::string& name) const;

 private:
  // Like Find(), but an empty string (the query protocol's empty list or map) counts as absent.
  const nlohmann::json* FindCollection(const std::string& name) const;

  const nlohmann::json& input_;
};

Status MissingParameter(const std::string& name);
Status InvalidParameter(const std::string& name, const std::string& value,
                        const std::string& reason);

}  // namespace mlw::queue::sqs
