#include "pipelines/labs/lab_result.h"

#include <cctype>
#include <cmath>
#include <cstdlib>

#include "pipelines/labs/lab_coder.h"

namespace mlw::pipelines::labs {
namespace {

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

// Parses a whole string as a finite decimal number.
std::optional<double> Number(std::string_view s) {
  std::string t = Trim(s);
  if (t.empty()) return std::nullopt;
  for (char c : t) {
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+')) {
      return std::nullopt;
    }
  }
  char* end = nullptr;
  double v = std::strtod(t.c_str(), &end);
  if (end != t.c_str() + t.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

// Splits a leading comparator off `s`.
std::string Comparator(std::string& s) {
  static const std::pair<const char*, const char*> kForms[] = {
      {"<=", "<="},           {">=", ">="}, {"\xE2\x89\xA4", "<="},
      {"\xE2\x89\xA5", ">="}, {"<", "<"},   {">", ">"}};
  for (const auto& [form, op] : kForms) {
    if (s.rfind(form, 0) == 0) {
      s = Trim(s.substr(std::string_view(form).size()));
      return op;
    }
  }
  return "";
}

}  // namespace

Result<LabValue> ParseLabValue(std::string_view text) {
  LabValue v;
  v.text = Trim(text);
  if (v.text.empty()) return InvalidArgument("value is empty");
  if (v.text.size() > 100) return InvalidArgument("value is longer than 100 characters");
  std::string rest = v.text;
  std::string op = Comparator(rest);
  if (auto n = Number(rest)) {
    v.number = n;
    v.comparator = op;
  } else if (!op.empty()) {
    return InvalidArgument("'" + v.text + "' has a comparator but no number after it");
  }
  return v;
}

std::optional<std::string> NormalizeFlag(std::string_view flag) {
  std::string f = NormalizeTestName(flag);
  if (f.empty() && Trim(flag) == "*") return "abnormal";
  static const std::pair<const char*, const char*> kMap[] = {
      {"h", "high"},      {"hh", "high"},       {"high", "high"},  {"critical high", "high"},
      {"l", "low"},       {"ll", "low"},        {"low", "low"},    {"critical low", "low"},
      {"n", "normal"},    {"normal", "normal"}, {"a", "abnormal"}, {"abnormal", "abnormal"},
      {"abn", "abnormal"}};
  for (const auto& [k, v] : kMap) {
    if (f == k) return std::string(v);
  }
  return std::nullopt;
}

std::optional<std::string> DeriveFlag(const LabValue& value, const ReferenceRange& range) {
  if (!range.qualitative.empty()) {
    if (value.number) return std::nullopt;
    return NormalizeTestName(value.text) == NormalizeTestName(range.qualitative)
               ? std::optional<std::string>("normal")
               : std::optional<std::string>("abnormal");
  }
  if (!value.number || (!range.low && !range.high)) return std::nullopt;
  const double v = *value.number;
  if (range.low && (range.low_inclusive ? v < *range.low : v <= *range.low)) return "low";
  if (range.high && (range.high_inclusive ? v > *range.high : v >= *range.high)) return "high";
  return "normal";
}

std::string NormalizeLabUnit(std::string_view unit) {
  std::string u = Trim(unit);
  std::string out;
  for (size_t i = 0; i < u.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(u[i]);
    if ((c == 0xC2 && i + 1 < u.size() && static_cast<unsigned char>(u[i + 1]) == 0xB5) ||
        (c == 0xCE && i + 1 < u.size() && static_cast<unsigned char>(u[i + 1]) == 0xBC)) {
      out.push_back('u');  // µ (micro sign) or μ (Greek mu)
      ++i;
    } else if (c == '^') {
      out.push_back('*');
    } else if (!std::isspace(c)) {
      out.push_back(static_cast<char>(std::tolower(c)));
    }
  }
  size_t at;
  while ((at = out.find("mcg")) != std::string::npos) out.replace(at, 3, "ug");
  if (out.rfind("x10", 0) == 0) out.erase(0, 1);
  return out;
}

std::optional<double> ToCanonical(const LabTestRule& rule, double value, std::string_view unit) {
  const std::string u = NormalizeLabUnit(unit);
  if (u == NormalizeLabUnit(rule.canonical_unit)) return value;
  for (const auto& f : rule.units) {
    if (u == f.unit) return value * f.scale + f.offset;
  }
  return std::nullopt;
}

}  // namespace mlw::pipelines::labs
