// A fast path for decoding trigger messages. Triggers are small flat objects such as
// {"job_type":"process_pending_vitals","user_id":123}; nlohmann's general parser spends most of
// its time on them in per-character bookkeeping, more than the rest of the worker runtime takes
// per message. This parser accepts only the plain subset of such objects and builds the same
// document nlohmann::json::parse would; anything else is left to that parser, so error reports
// and every edge case of JSON stay exactly as they were.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

namespace mlw::worker {

// One member of a flat object: a plain string or an unsigned integer (see below).
struct FlatJsonMember {
  std::string_view key;
  bool is_string = false;
  std::string_view string;  // is_string
  uint64_t number = 0;      // !is_string
};

// Reads the members of a flat object one at a time, without building a document: the worker
// decodes the usual trigger from these views alone. Accepts exactly the text ParseFlatJsonObject
// accepts, except that duplicate keys are not detected (the caller counts what it needs).
// The views point into `text`, which must outlive them.
class FlatJsonObjectReader {
 public:
  explicit FlatJsonObjectReader(std::string_view text) : text_(text) {}
  // The next member, or std::nullopt at the end of the object or at text outside the subset;
  // after std::nullopt, ok() tells which. A text is accepted when ok() holds after the last.
  std::optional<FlatJsonMember> Next();
  bool ok() const { return state_ == State::kDone; }

 private:
  enum class State { kStart, kMembers, kDone, kRejected };
  std::optional<FlatJsonMember> Reject() {
    state_ = State::kRejected;
    return std::nullopt;
  }
  void SkipWhitespace();
  bool Consume(char c);
  bool AtEnd();
  std::optional<char> Peek();
  std::optional<std::string_view> PlainString();
  std::optional<uint64_t> PlainUnsigned();

  std::string_view text_;
  size_t pos_ = 0;
  State state_ = State::kStart;
};

// The object `text` denotes, if `text` is a non-empty JSON object whose keys are distinct and
// whose keys and string values hold only printable ASCII without escapes ('"' and '\\' excluded),
// and whose other values are unsigned integers of at most 18 digits without sign, fraction or
// exponent, JSON whitespace anywhere between tokens. std::nullopt for any other text, valid JSON
// or not: the caller then parses it with nlohmann::json::parse, which gives the same document for
// what this accepts (integers as number_unsigned).
std::optional<nlohmann::json> ParseFlatJsonObject(std::string_view text);

}  // namespace mlw::worker
