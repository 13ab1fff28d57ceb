// A fast path for decoding trigger messages. Triggers are small flat objects such as
// {"job_type":"process_pending_vitals","user_id":123}; nlohmann's general parser spends most of
// its time on them in per-character bookkeeping, more than the rest of the worker runtime takes
// per message. This parser accepts only the plain subset of such objects and builds the same
// document nlohmann::json::parse would; anything else is left to that parser, so error reports
// and every edge case of JSON stay exactly as they were.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

namespace mlw::worker {

// The object `text` denotes, if `text` is a non-empty JSON object whose keys are distinct and
// whose keys and string values hold only printable ASCII without escapes ('"' and '\\' excluded),
// and whose other values are unsigned integers of at most 18 digits without sign, fraction or
// exponent, JSON whitespace anywhere between tokens. std::nullopt for any other text, valid JSON
// or not: the caller then parses it with nlohmann::json::parse, which gives the same document for
// what this accepts (integers as number_unsigned).
std::optional<nlohmann::json> ParseFlatJsonObject(std::string_view text);

}  // namespace mlw::worker
