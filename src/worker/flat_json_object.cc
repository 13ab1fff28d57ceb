#include "worker/flat_json_object.h"

#include <cstdint>

namespace mlw::worker {
namespace {

constexpr size_t kMaxDigits = 18;  // always fits uint64_t, so never a double in nlohmann

class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  void SkipWhitespace() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
      ++pos_;
    }
  }

  bool Consume(char c) {
    SkipWhitespace();
    if (pos_ >= text_.size() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }

  bool AtEnd() {
    SkipWhitespace();
    return pos_ == text_.size();
  }

  std::optional<char> Peek() {
    SkipWhitespace();
    if (pos_ >= text_.size()) return std::nullopt;
    return text_[pos_];
  }

  // A string of printable ASCII without escapes; the opening quote is next.
  std::optional<std::string_view> PlainString() {
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
  std::optional<uint64_t> PlainUnsigned() {
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

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

std::optional<nlohmann::json> ParseFlatJsonObject(std::string_view text) {
  Scanner in(text);
  if (!in.Consume('{')) return std::nullopt;
  nlohmann::json object = nlohmann::json::object();
  do {
    std::optional<std::string_view> key = in.PlainString();
    if (!key || !in.Consume(':')) return std::nullopt;
    const std::optional<char> next = in.Peek();
    if (!next) return std::nullopt;
    nlohmann::json value;
    if (*next == '"') {
      std::optional<std::string_view> s = in.PlainString();
      if (!s) return std::nullopt;
      value = std::string(*s);
    } else if (*next >= '0' && *next <= '9') {
      std::optional<uint64_t> n = in.PlainUnsigned();
      if (!n) return std::nullopt;
      value = *n;  // number_unsigned, as nlohmann stores a non-negative integer
    } else {
      return std::nullopt;  // nested values, literals, negative numbers
    }
    // A duplicate key is an error the full parse path reports.
    if (!object.emplace(std::string(*key), std::move(value)).second) return std::nullopt;
  } while (in.Consume(','));
  if (!in.Consume('}') || !in.AtEnd()) return std::nullopt;
  return object;
}

}  // namespace mlw::worker
