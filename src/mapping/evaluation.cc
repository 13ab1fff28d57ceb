#include "mapping/evaluation.h"

#include <fstream>

#include "mapping/csv_reader.h"

namespace mlw::mapping {

Result<EvalReport> EvaluateFile(const LabTestMapper& mapper, const std::string& path,
                                RowSubset subset) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read " + path);
  CsvReader reader(&in);
  std::vector<std::string> header;
  MLW_ASSIGN_OR_RETURN(bool has_header, reader.Next(&header));
  if (!has_header) return InvalidArgument(path + " is empty");
  int name = ColumnIndex(header, "name"), unit = ColumnIndex(header, "unit"),
      specimen = ColumnIndex(header, "specimen"), code = ColumnIndex(header, "loinc_code"),
      category = ColumnIndex(header, "category"), style = ColumnIndex(header, "source_style"),
      source = ColumnIndex(header, "source");
  if (name < 0 || code < 0) {
    return InvalidArgument(path + ": header needs at least the columns name and loinc_code");
  }
  EvalReport report;
  std::vector<std::string> f;
  size_t row = 0;
  while (true) {
    Result<bool> next = reader.Next(&f);
    if (!next.ok()) return InvalidArgument(path + ": " + next.status().message());
    if (!next.value()) break;
    if (f.size() == 1 && f[0].empty()) continue;
    if (f.size() != header.size()) {
      return InvalidArgument(path + ": line " + std::to_string(reader.record_line()) +
                             ": expected " + std::to_string(header.size()) + " fields");
    }
    ++row;
    if ((subset == RowSubset::kEven && row % 2 != 0) ||
        (subset == RowSubset::kOdd && row % 2 != 1)) {
      continue;
    }
    auto get = [&](int i) { return i < 0 ? std::string() : f[i]; };
    LabTestQuery q{get(name), get(unit), get(specimen), get(source)};
    MappingResult r = mapper.Map(q, 5);
    std::string expected = get(code);
    bool ok1 = r.loinc_code == expected;
    bool ok5 = false;
    for (const MappingCandidate& c : r.candidates) ok5 = ok5 || c.loinc_code == expected;
    bool accepted = r.status == MappingStatus::kMapped;
    for (EvalCounts* c : {&report.overall, &report.by_category[get(category)],
                          &report.by_source_style[get(style)]}) {
      ++c->total;
      c->top1 += ok1;
      c->top5 += ok5;
      c->accepted += accepted;
      c->accepted_correct += accepted && ok1;
    }
    if (!ok1) {
      report.misses.push_back(EvalMiss{reader.record_line(), q.name, q.unit, q.specimen, expected,
                                       r.loinc_code, r.confidence, accepted});
    }
  }
  if (category < 0) report.by_category.clear();
  if (style < 0) report.by_source_style.clear();
  return report;
}

}  // namespace mlw::mapping
