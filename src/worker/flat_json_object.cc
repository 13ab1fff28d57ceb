#include "worker/flat_json_object.h"

namespace mlw::worker {
namespace {

constexpr size_t kMaxDigits = 18;  // always fits uint64_t, so never a double in nlohmann

}  // namespace

void FlatJsonObjectReader::SkipWhitespace() {
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
    ++pos_;
  }
}

bool FlatJsonObjectReader::Consume(char c) {
  SkipWhitespace();
  if (pos_ >= text_.size() || text_[pos_] != c) return false;
  ++pos_;
  return true;
}

bool FlatJsonObjectReader::AtEnd() {
  SkipWhitespace();
  return pos_ == text_.size();
}

std::optional<char> FlatJsonObjectReader::Peek() {
  SkipWhitespace();
  if (pos_ >= text_.size()) return std::nullopt;
  return text_[pos_];
}

// A string of printable ASCII without escapes; the opening quote is next.
std::optional<std::string_view> FlatJsonObjectReader::PlainString() {
  if (!Consume('"')) return std::nullopt;
  const size_t start = pos_;
  while (pos_ < text_.size()) {
    const unsigned char c = static_cast<unsigned char>(text_[pos_]);
    if (c == '"') return text_.substr(start, pos_++ - start);
    // Escapes, control characters and UTF-8 (which nlohmann validates) are the full parser's.
    if (c == '\\' || c < 0x20 || c > 0x7e) return std::nullopt;
    ++pos_;
  }
  return std::nullopt;
}

// An unsigned integer without leading zeros, fraction or exponent; a digit is next.
std::optional<uint64_t> FlatJsonObjectReader::PlainUnsigned() {
  const size_t start = pos_;
  uint64_t value = 0;
  while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
    value = value * 10 + static_cast<uint64_t>(text_[pos_] - '0');
    ++pos_;
  }
  const size_t digits = pos_ - start;
  if (digits > kMaxDigits || (digits > 1 && text_[start] == '0')) return std::nullopt;
  // Whatever follows must end the value; '.', 'e' and the like go to the full parser.
  const std::optional<char> next = Peek();
  if (next != ',' && next != '}') return std::nullopt;
  return value;
}

std::optional<FlatJsonMember> FlatJsonObjectReader::Next() {
  switch (state_) {
    case State::kStart:
      if (!Consume('{')) return Reject();
      state_ = State::kMembers;
      break;
    case State::kMembers:
      if (Consume(',')) break;
      if (!Consume('}') || !AtEnd()) return Reject();
      state_ = State::kDone;
      return std::nullopt;
    case State::kDone:
    case State::kRejected:
      return std::nullopt;
  }
  FlatJsonMember member;
  std::optional<std::string_view> key = PlainString();
  if (!key || !Consume(':')) return Reject();
  member.key = *key;
  const std::optional<char> next = Peek();
  if (!next) return Reject();
  if (*next == '"') {
    std::optional<std::string_view> s = PlainString();
    if (!s) return Reject();
    member.is_string = true;
    member.string = *s;
  } else if (*next >= '0' && *next <= '9') {
    std::optional<uint64_t> n = PlainUnsigned();
    if (!n) return Reject();
    member.number = *n;
  } else {
    return Reject();  // nested values, literals, negative numbers
  }
  return member;
}

std::optional<nlohmann::json> ParseFlatJsonObject(std::string_view text) {
  FlatJsonObjectReader reader(text);
  nlohmann::json object = nlohmann::json::object();
  while (std::optional<FlatJsonMember> m = reader.Next()) {
    nlohmann::json value;
    if (m->is_string) {
      value = std::string(m->string);
    } else {
      value = m->number;  // number_unsigned, as nlohmann stores a non-negative integer
    }
    // A duplicate key is an error the full parse path reports.
    if (!object.emplace(std::string(m->key), std::move(value)).second) return std::nullopt;
  }
  if (!reader.ok()) return std::nullopt;
  return object;
}

}  // namespace mlw::worker
