#include "mapping/loinc_importer.h"

#include <filesystem>
#include <fstream>
#include <unordered_set>

#include "mapping/csv_reader.h"

namespace mlw::mapping {

Result<ParsedLoincTable> ParseLoincTable(const std::string& path, const ImportOptions& options) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return NotFound("no such file: " + path);
  size_t total = static_cast<size_t>(std::filesystem::file_size(path, ec));
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read " + path);
  CsvReader reader(&in);
  std::vector<std::string> header;
  MLW_ASSIGN_OR_RETURN(bool has_header, reader.Next(&header));
  if (!has_header) return InvalidArgument(path + " is empty");

  struct Col {
    const char* name;
    bool required;
    int index = -1;
  };
  Col cols[] = {{"LOINC_NUM", true},        {"COMPONENT", true},       {"PROPERTY", true},
                {"TIME_ASPCT", false},      {"SYSTEM", true},          {"SCALE_TYP", true},
                {"METHOD_TYP", false},      {"CLASS", false},          {"CLASSTYPE", false},
                {"STATUS", true},           {"SHORTNAME", false},      {"LONG_COMMON_NAME", true},
                {"DISPLAYNAME", false},     {"CONSUMER_NAME", false},  {"EXAMPLE_UCUM_UNITS", false},
                {"EXAMPLE_UNITS", false},   {"COMMON_TEST_RANK", false}, {"MAP_TO", false}};
  std::string missing;
  for (Col& c : cols) {
    c.index = ColumnIndex(header, c.name);
    if (c.required && c.index < 0) missing += std::string(missing.empty() ? "" : ", ") + c.name;
  }
  if (!missing.empty()) {
    return InvalidArgument(path + " is not a LOINC table: header lacks " + missing +
                           " (expected the official Loinc.csv layout)");
  }
  enum { kNum, kComponent, kProperty, kTime, kSystem, kScale, kMethod, kClass, kClassType,
         kStatus, kShort, kLong, kDisplay, kConsumer, kUcum, kUnits, kRank, kMapTo };

  ParsedLoincTable out;
  out.summary.source_file = path;
  std::unordered_set<std::string> seen;
  size_t bad = 0;
  auto report = [&](size_t line, const std::string& why) {
    ++bad;
    if (out.bad_rows.size() < options.max_reported_errors) {
      out.bad_rows.push_back("line " + std::to_string(line) + ": " + why);
    }
  };
  std::vector<std::string> f;
  size_t last_progress = 0;
  while (true) {
    Result<bool> next = reader.Next(&f);
    if (!next.ok()) return InvalidArgument(path + ": " + next.status().message());
    if (!next.value()) break;
    ++out.summary.rows;
    size_t line = reader.record_line();
    if (options.progress && reader.bytes_read() - last_progress > (1 << 20)) {
      last_progress = reader.bytes_read();
      options.progress(reader.bytes_read(), total, out.summary.rows);
    }
    if (f.size() == 1 && f[0].empty()) continue;  // blank line
    if (f.size() != header.size()) {
      report(line, "expected " + std::to_string(header.size()) + " fields, found " +
                       std::to_string(f.size()));
      continue;
    }
    auto get = [&](int which) -> std::string {
      return cols[which].index < 0 ? std::string() : f[cols[which].index];
    };
    LoincRecord r;
    r.code = get(kNum);
    if (!IsWellFormedLoincCode(r.code)) {
      report(line, "LOINC_NUM '" + r.code + "' is not a LOINC code");
      continue;
    }
    if (!seen.insert(r.code).second) {
      report(line, "duplicate LOINC_NUM " + r.code);
      continue;
    }
    r.component = get(kComponent);
    r.long_name = get(kLong);
    r.status = get(kStatus);
    if (r.component.empty()) {
      report(line, "empty COMPONENT for " + r.code);
      continue;
    }
    if (r.status != "ACTIVE" && r.status != "TRIAL" && r.status != "DISCOURAGED" &&
        r.status != "DEPRECATED") {
      report(line, "unknown STATUS '" + r.status + "' for " + r.code);
      continue;
    }
    r.class_type = get(kClassType);
    if (!r.class_type.empty() && r.class_type != "1") continue;  // not a laboratory code
    r.property = get(kProperty);
    r.time_aspect = get(kTime);
    r.system = get(kSystem);
    r.scale = get(kScale);
    r.method = get(kMethod);
    r.loinc_class = get(kClass);
    r.short_name = get(kShort);
    r.display_name = get(kDisplay);
    r.consumer_name = get(kConsumer);
    r.example_units = get(kUcum).empty() ? get(kUnits) : get(kUcum);
    std::string rank = get(kRank);
    if (!rank.empty()) {
      try {
        r.common_rank = std::stoi(rank);
      } catch (const std::exception&) {
        report(line, "COMMON_TEST_RANK '" + rank + "' is not a number");
        continue;
      }
    }
    r.map_to = get(kMapTo);
    if (!r.map_to.empty() && !IsWellFormedLoincCode(r.map_to)) {
      report(line, "MAP_TO '" + r.map_to + "' is not a LOINC code");
      continue;
    }
    ++out.summary.laboratory;
    if (r.status == "DEPRECATED") {
      ++out.summary.deprecated;
      if (!r.map_to.empty()) ++out.summary.replacements;
    } else {
      ++out.summary.active;
    }
    out.records.push_back(std::move(r));
  }
  if (options.progress) options.progress(reader.bytes_read(), total, out.summary.rows);
  if (bad > 0 && !options.skip_bad_rows) {
    std::string msg = path + ": " + std::to_string(bad) + " bad row(s); nothing imported";
    for (const std::string& b : out.bad_rows) msg += "\n  " + b;
    if (bad > out.bad_rows.size()) msg += "\n  ...";
    return InvalidArgument(msg);
  }
  out.summary.skipped_bad = bad;
  if (out.records.empty()) return InvalidArgument(path + ": no laboratory codes found");
  return out;
}

Result<ImportSummary> ImportLoincTable(const std::string& path, CatalogStore* store,
                                       const ImportOptions& options) {
  MLW_ASSIGN_OR_RETURN(ParsedLoincTable table, ParseLoincTable(path, options));
  MLW_RETURN_IF_ERROR(store->ReplaceLoincTable(table.records, table.summary));
  return table.summary;
}

}  // namespace mlw::mapping
