#include "pipelines/labs/reference_range.h"

#include <cctype>
#include <cmath>
#include <cstdlib>

#include "pipelines/labs/lab_coder.h"

namespace mlw::pipelines::labs {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool ConsumePrefix(std::string_view* s, std::string_view prefix, bool ignore_case) {
  if (s->size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char a = (*s)[i], b = prefix[i];
    if (ignore_case) {
      a = static_cast<char>(std::tolower(static_cast<unsigned char>(a)));
      b = static_cast<char>(std::tolower(static_cast<unsigned char>(b)));
    }
    if (a != b) return false;
  }
  s->remove_prefix(prefix.size());
  *s = Trim(*s);
  return true;
}

// Consumes a decimal number ("12", "-2", "+0.5", ".5") from the front of `s`.
std::optional<double> ConsumeNumber(std::string_view* s) {
  size_t i = 0;
  if (i < s->size() && ((*s)[i] == '-' || (*s)[i] == '+')) ++i;
  const size_t digits_from = i;
  bool any_digit = false, dot = false;
  for (; i < s->size(); ++i) {
    const char c = (*s)[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      any_digit = true;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (!any_digit || i == digits_from) return std::nullopt;
  const std::string number(s->substr(0, i));
  char* end = nullptr;
  const double v = std::strtod(number.c_str(), &end);
  if (end != number.c_str() + number.size() || !std::isfinite(v)) return std::nullopt;
  s->remove_prefix(i);
  *s = Trim(*s);
  return v;
}

// A unit printed after the bounds: one token of unit characters with at least one letter or '%'
// ("mg/dL", "10^9/L", "mL/min/1.73m2", "%"). Anything else is a note, not a unit.
bool IsUnit(std::string_view s) {
  if (s.empty() || s.size() > 30) return false;
  bool letter = false;
  for (char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (std::isalpha(c) || c >= 0x80 || c == '%') {
      letter = true;  // bytes >= 0x80: µ, μ in UTF-8
    } else if (!(std::isdigit(c) || c == '/' || c == '^' || c == '*' || c == '.' || c == '-')) {
      return false;
    }
  }
  return letter;
}

// Strips one pair of enclosing parentheses or brackets.
std::string_view Unwrap(std::string_view s) {
  if (s.size() >= 2 &&
      ((s.front() == '(' && s.back() == ')') || (s.front() == '[' && s.back() == ']'))) {
    return Trim(s.substr(1, s.size() - 2));
  }
  return s;
}

// Comparator forms, symbolic and spelled out: the operator, or "" when `s` starts with none.
std::string ConsumeComparator(std::string_view* s) {
  static const std::pair<const char*, const char*> kForms[] = {
      {"<=", "<="},           {">=", ">="},        {"\xE2\x89\xA4", "<="},
      {"\xE2\x89\xA5", ">="}, {"<", "<"},          {">", ">"},
      {"up to ", "<="},       {"less than ", "<"}, {"greater than ", ">"},
      {"below ", "<"},        {"above ", ">"}};
  for (const auto& [form, op] : kForms) {
    if (ConsumePrefix(s, form, /*ignore_case=*/true)) return op;
  }
  return "";
}

bool IsExpectedFinding(std::string_view text) {
  static const char* kExpected[] = {"negative",
                                    "non reactive",
                                    "nonreactive",
                                    "not detected",
                                    "absent",
                                    "none",
                                    "none seen",
                                    "nil",
                                    "normal",
                                    "clear",
                                    "within normal limits",
                                    "wnl",
                                    "yellow",
                                    "pale yellow",
                                    "straw",
                                    "positive",
                                    "reactive",
                                    "detected",
                                    "present"};
  const std::string folded = NormalizeTestName(text);
  for (const char* w : kExpected) {
    if (folded == w) return true;
  }
  return false;
}

Status Unrecognized(const std::string& text) {
  return InvalidArgument("reference range '" + text +
                         "' is not of the form a-b, <b, >=a (optionally followed by a unit, e.g. "
                         "'0.4-4.0 mIU/L') or an expected finding such as Negative or Not "
                         "detected");
}

}  // namespace

Result<ReferenceRange> ParseReferenceRange(std::string_view text) {
  ReferenceRange r;
  r.text = std::string(Trim(text));
  if (r.text.empty()) return InvalidArgument("reference range is empty");
  std::string_view rest = Unwrap(r.text);

  const std::string op = ConsumeComparator(&rest);
  if (!op.empty()) {
    auto n = ConsumeNumber(&rest);
    if (!n) return InvalidArgument("reference range '" + r.text + "' needs a number after " + op);
    if (!rest.empty() && !IsUnit(rest)) return Unrecognized(r.text);
    r.unit = std::string(rest);
    if (op[0] == '<') {
      r.high = n;
      r.high_inclusive = op == "<=";
    } else {
      r.low = n;
      r.low_inclusive = op == ">=";
    }
    return r;
  }

  std::string_view numeric = rest;
  if (auto lo = ConsumeNumber(&numeric)) {
    // "a-b", "a - b", "a–b" (en dash), "a to b"; a '-' before the first number is its sign.
    for (std::string_view sep : {"-", "\xE2\x80\x93", "to "}) {
      std::string_view after = numeric;
      if (!ConsumePrefix(&after, sep, /*ignore_case=*/true)) continue;
      auto hi = ConsumeNumber(&after);
      if (!hi) break;
      if (!after.empty() && !IsUnit(after)) return Unrecognized(r.text);
      if (*lo > *hi) return InvalidArgument("reference range '" + r.text + "' has low > high");
      r.low = lo;
      r.high = hi;
      r.unit = std::string(after);
      return r;
    }
    return Unrecognized(r.text);
  }

  if (IsExpectedFinding(rest)) {
    r.qualitative = std::string(rest);
    return r;
  }
  return Unrecognized(r.text);
}

}  // namespace mlw::pipelines::labs
