#include "mapping/catalog.h"

#include <algorithm>
#include <cctype>

namespace mlw::mapping {

extern const char kBuiltinCatalogTsv[];  // generated from data/catalog.tsv (see CMakeLists.txt)

namespace {

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    out.emplace_back(s.substr(start, pos == std::string_view::npos ? s.npos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return out;
}

constexpr const char* kColumns[] = {"code",  "category",       "component", "property",
                                    "system", "scale",         "method",    "canonical_unit",
                                    "units", "preferred",      "long_name", "names"};
constexpr size_t kNumColumns = std::size(kColumns);

}  // namespace

const std::vector<std::string>& Categories() {
  static const std::vector<std::string> kCategories = {
      "complete_blood_count", "lipid_panel",   "metabolic_electrolytes", "kidney",
      "liver",                "thyroid",       "diabetes",               "iron_studies",
      "vitamins_minerals",    "inflammation",  "cardiac",                "coagulation",
      "hormones",             "urinalysis",    "tumor_markers",          "infectious_serology",
      "blood_gases",          "other"};
  return kCategories;
}

bool IsKnownCategory(std::string_view category) {
  const auto& c = Categories();
  return std::find(c.begin(), c.end(), category) != c.end();
}

bool IsWellFormedLoincCode(std::string_view code) {
  size_t dash = code.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash > 7 || dash + 2 != code.size()) {
    return false;
  }
  for (char c : code.substr(0, dash)) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return std::isdigit(static_cast<unsigned char>(code.back())) != 0;
}

bool IsValidLoincCode(std::string_view code) {
  if (!IsWellFormedLoincCode(code)) return false;
  std::string_view digits = code.substr(0, code.find('-'));
  // LOINC's mod 10 check digit: double every other digit starting from the rightmost.
  int sum = 0;
  bool twice = true;
  for (size_t i = digits.size(); i-- > 0;) {
    int d = digits[i] - '0';
    if (twice) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    twice = !twice;
  }
  int check = (10 - sum % 10) % 10;
  return check == code.back() - '0';
}

Result<Catalog> Catalog::ParseTsv(std::string_view tsv) {
  Catalog catalog;
  size_t line_no = 0;
  bool header_seen = false;
  size_t start = 0;
  while (start < tsv.size()) {
    size_t end = tsv.find('\n', start);
    if (end == std::string_view::npos) end = tsv.size();
    std::string_view line = tsv.substr(start, end - start);
    start = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f = Split(line, '\t');
    auto where = [&] { return "catalog line " + std::to_string(line_no) + ": "; };
    if (!header_seen) {
      if (f.size() != kNumColumns) return InvalidArgument(where() + "header has wrong columns");
      for (size_t i = 0; i < kNumColumns; ++i) {
        if (f[i] != kColumns[i]) {
          return InvalidArgument(where() + "expected column '" + kColumns[i] + "', found '" +
                                 f[i] + "'");
        }
      }
      header_seen = true;
      continue;
    }
    if (f.size() != kNumColumns) {
      return InvalidArgument(where() + "expected " + std::to_string(kNumColumns) +
                             " tab-separated fields, found " + std::to_string(f.size()));
    }
    CatalogEntry e;
    e.code = f[0];
    if (!IsValidLoincCode(e.code)) return InvalidArgument(where() + "bad LOINC code " + e.code);
    e.category = f[1];
    if (!IsKnownCategory(e.category)) {
      return InvalidArgument(where() + "unknown category '" + e.category + "'");
    }
    e.component = f[2];
    e.property = f[3];
    e.system = f[4];
    e.scale = f[5];
    e.method = f[6];
    e.canonical_unit = f[7];
    e.units = Split(f[8], '|');
    if (f[9] != "0" && f[9] != "1") return InvalidArgument(where() + "preferred must be 0 or 1");
    e.preferred = f[9] == "1";
    e.long_name = f[10];
    for (std::string& n : Split(f[11], '|')) {
      if (!n.empty()) e.names.push_back(std::move(n));
    }
    if (e.component.empty() || e.long_name.empty() || e.names.empty()) {
      return InvalidArgument(where() + "component, long_name and names are required");
    }
    if (catalog.Find(e.code) != nullptr) {
      return InvalidArgument(where() + "duplicate code " + e.code);
    }
    catalog.Add(std::move(e));
  }
  if (!header_seen) return InvalidArgument("catalog has no header line");
  return catalog;
}

Result<const Catalog*> Catalog::Builtin() {
  static const Result<Catalog> kBuiltin = ParseTsv(kBuiltinCatalogTsv);
  if (!kBuiltin.ok()) return kBuiltin.status();
  return &kBuiltin.value();
}

void Catalog::Add(CatalogEntry entry) {
  auto it = by_code_.find(entry.code);
  if (it != by_code_.end()) {
    entries_[it->second] = std::move(entry);
    return;
  }
  by_code_.emplace(entry.code, entries_.size());
  entries_.push_back(std::move(entry));
}

void Catalog::AddReplacement(std::string code, std::string replacement) {
  replacements_[std::move(code)] = std::move(replacement);
}

const CatalogEntry* Catalog::Find(std::string_view code) const {
  auto it = by_code_.find(std::string(code));
  return it == by_code_.end() ? nullptr : &entries_[it->second];
}

std::string Catalog::Resolve(std::string_view code) const {
  std::string current(code);
  // Bounded walk: replacement chains are short; a cycle in bad data must not hang.
  for (int hops = 0; hops < 16; ++hops) {
    auto it = replacements_.find(current);
    if (it == replacements_.end() || it->second.empty()) break;
    current = it->second;
  }
  return current;
}

}  // namespace mlw::mapping
