// `mlworker loinc map|import|accept|correct|eval|calibrate`: the lab test -> LOINC mapping engine
// from the command line. Output that shows LOINC content carries the LOINC notice (on stderr, so
// JSON on stdout stays machine-readable).
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "mapping/calibration.h"
#include "mapping/catalog_store.h"
#include "mapping/csv_reader.h"
#include "mapping/evaluation.h"
#include "mapping/loinc_importer.h"
#include "mapping/mapping_engine.h"

namespace mlw::cli {
namespace {

using mapping::MappingResult;

constexpr const char* kLoincNotice =
    "This material contains content from LOINC (http://loinc.org). LOINC is copyright (c) "
    "1995-2024, Regenstrief Institute, Inc. and the Logical Observation Identifiers Names and "
    "Codes (LOINC) Committee and is available at no cost under the license at "
    "http://loinc.org/license. LOINC(R) is a registered United States trademark of Regenstrief "
    "Institute, Inc.";

struct Common {
  std::string data_dir;
  std::string StorePath() const { return data_dir + "/loinc.db"; }
};

std::string DefaultDataDir() {
  const char* env = std::getenv("MLW_DATA_DIR");  // parsed only here, at the edge
  return env != nullptr && *env != '\0' ? env : "data";
}

[[noreturn]] void Fail(const Status& s) {
  std::cerr << "error: " << s.ToString() << "\n";
  throw CommandExit{s.code() == StatusCode::kInvalidArgument || s.code() == StatusCode::kNotFound
                        ? 2
                        : 1};
}

std::unique_ptr<mapping::MappingEngine> LoadEngine(const Common& c) {
  auto engine = mapping::OpenEngine(c.StorePath());
  if (!engine.ok()) Fail(engine.status());
  return std::move(engine).value();
}

nlohmann::json ToJson(const std::string& name, const MappingResult& r) {
  nlohmann::json candidates = nlohmann::json::array();
  for (const auto& c : r.candidates) {
    candidates.push_back({{"loinc_code", c.loinc_code},
                          {"loinc_name", c.loinc_name},
                          {"category", c.category},
                          {"score", std::round(c.score * 1e4) / 1e4},
                          {"confidence", std::round(c.confidence * 1e4) / 1e4}});
  }
  return {{"name", name},
          {"loinc_code", r.loinc_code},
          {"loinc_name", r.loinc_name},
          {"category", r.category},
          {"canonical_unit", r.canonical_unit},
          {"confidence", std::round(r.confidence * 1e4) / 1e4},
          {"status", mapping::MappingStatusName(r.status)},
          {"match", r.match_type},
          {"candidates", candidates}};
}

void PrintHuman(const mapping::LabTestQuery& q, const MappingResult& r) {
  std::cout << q.name;
  if (!q.unit.empty()) std::cout << " [" << q.unit << "]";
  if (!q.specimen.empty()) std::cout << " (" << q.specimen << ")";
  std::cout << "\n";
  if (r.loinc_code.empty()) {
    std::cout << "  no candidate found; status: needs_review\n";
    return;
  }
  std::cout << "  -> " << r.loinc_code << "  " << r.loinc_name << "\n"
            << "     category: " << r.category << "  confidence: " << std::fixed
            << std::setprecision(3) << r.confidence
            << "  status: " << mapping::MappingStatusName(r.status) << " (" << r.match_type
            << ")\n";
  if (r.status != mapping::MappingStatus::kMapped || r.candidates.size() > 1) {
    std::cout << "  candidates:\n";
    int i = 0;
    for (const auto& c : r.candidates) {
      std::cout << "    " << ++i << ". " << c.loinc_code << "  " << c.loinc_name << "  ("
                << c.confidence << ")\n";
    }
  }
}

void AddMap(CLI::App* loinc, std::shared_ptr<Common> common) {
  auto* cmd = loinc->add_subcommand("map", "Map a lab test name (or a CSV of them) to LOINC");
  auto q = std::make_shared<mapping::LabTestQuery>();
  auto csv = std::make_shared<std::string>();
  auto top = std::make_shared<int>(5);
  auto json = std::make_shared<bool>(false);
  cmd->add_option("name", q->name, "Test name as printed on the report");
  cmd->add_option("--unit", q->unit, "Unit as printed, e.g. mg/dL");
  cmd->add_option("--specimen", q->specimen, "Specimen as printed, e.g. serum, urine");
  cmd->add_option("--source", q->source, "Lab/source id (selects per-source learned synonyms)");
  cmd->add_option("--top", *top, "Number of candidates")->check(CLI::Range(1, 50));
  cmd->add_flag("--json", *json, "Print one JSON object");
  cmd->add_option("--csv", *csv,
                  "Map every row of a CSV (columns name, unit, specimen[, source]); JSON lines");
  cmd->callback([=] {
    if (csv->empty() == q->name.empty()) {
      Fail(InvalidArgument("give either a NAME or --csv FILE"));
    }
    std::cerr << kLoincNotice << "\n";
    auto engine = LoadEngine(*common);
    if (q->name.size() > 0) {
      MappingResult r = engine->Map(*q, *top);
      if (*json) {
        std::cout << ToJson(q->name, r).dump() << "\n";
      } else {
        PrintHuman(*q, r);
      }
      return;
    }
    std::ifstream in(*csv, std::ios::binary);
    if (!in) Fail(NotFound("cannot read " + *csv));
    mapping::CsvReader reader(&in);
    std::vector<std::string> header, f;
    auto head = reader.Next(&header);
    if (!head.ok()) Fail(head.status());
    int name = mapping::ColumnIndex(header, "name"), unit = mapping::ColumnIndex(header, "unit"),
        specimen = mapping::ColumnIndex(header, "specimen"),
        source = mapping::ColumnIndex(header, "source");
    if (!head.value() || name < 0) Fail(InvalidArgument(*csv + ": header needs a name column"));
    while (true) {
      auto next = reader.Next(&f);
      if (!next.ok()) Fail(InvalidArgument(*csv + ": " + next.status().message()));
      if (!next.value()) break;
      if (f.size() == 1 && f[0].empty()) continue;
      if (f.size() != header.size()) {
        Fail(InvalidArgument(*csv + ": line " + std::to_string(reader.record_line()) +
                             ": expected " + std::to_string(header.size()) + " fields"));
      }
      auto get = [&](int i) { return i < 0 ? std::string() : f[i]; };
      mapping::LabTestQuery row{get(name), get(unit), get(specimen), get(source)};
      std::cout << ToJson(row.name, engine->Map(row, *top)).dump() << "\n";
    }
  });
}

void AddImport(CLI::App* loinc, std::shared_ptr<Common> common) {
  auto* cmd = loinc->add_subcommand("import", "Import the official LOINC table (Loinc.csv)");
  auto file = std::make_shared<std::string>();
  auto skip = std::make_shared<bool>(false);
  cmd->add_option("file", *file, "Path to Loinc.csv")->required();
  cmd->add_flag("--skip-bad-rows", *skip, "Import good rows and report bad ones");
  cmd->callback([=] {
    std::cerr << kLoincNotice << "\n";
    std::error_code ec;
    std::filesystem::create_directories(common->data_dir, ec);
    if (ec) Fail(Unavailable("cannot create data dir " + common->data_dir + ": " + ec.message()));
    mapping::ImportOptions opts;
    opts.skip_bad_rows = *skip;
    opts.progress = [](size_t done, size_t total, size_t rows) {
      int pct = total ? static_cast<int>(100.0 * done / total) : 100;
      int bars = pct / 4;
      std::cerr << "\r[" << std::string(bars, '#') << std::string(25 - bars, ' ') << "] "
                << std::setw(3) << pct << "% " << rows << " rows" << std::flush;
    };
    auto parsed = mapping::ParseLoincTable(*file, opts);
    std::cerr << "\n";
    if (!parsed.ok()) Fail(parsed.status());
    for (const std::string& b : parsed->bad_rows) std::cerr << "skipped " << b << "\n";
    auto store = mapping::CatalogStore::Open(common->StorePath());
    if (!store.ok()) Fail(store.status());
    Status s = (*store)->ReplaceLoincTable(parsed->records, parsed->summary);
    if (!s.ok()) Fail(s);
    const auto& sum = parsed->summary;
    std::cout << "imported " << sum.laboratory << " laboratory codes (" << sum.active
              << " active, " << sum.deprecated << " deprecated, " << sum.replacements
              << " with replacements) from " << sum.rows << " rows into "
              << common->StorePath() << "\n";
    if (sum.skipped_bad) std::cout << "skipped " << sum.skipped_bad << " bad rows\n";
  });
}

void AddAccept(CLI::App* loinc, std::shared_ptr<Common> common, const char* name,
               const char* help) {
  auto* cmd = loinc->add_subcommand(name, help);
  auto syn = std::make_shared<mapping::LearnedSynonym>();
  cmd->add_option("name", syn->name, "Test name as printed")->required();
  cmd->add_option("code", syn->code, "The correct LOINC code")->required();
  cmd->add_option("--unit", syn->unit, "Apply only to results with this unit");
  cmd->add_option("--source", syn->source, "Apply only to this lab/source (default: global)");
  cmd->callback([=] {
    auto engine = LoadEngine(*common);
    mapping::LearnedSynonym resolved = *syn;
    resolved.code = engine->catalog().Resolve(syn->code);
    Status s = engine->AddSynonym(resolved);  // validates name and code before persisting
    if (!s.ok()) Fail(s);
    std::error_code ec;
    std::filesystem::create_directories(common->data_dir, ec);
    auto store = mapping::CatalogStore::Open(common->StorePath());
    if (!store.ok()) Fail(store.status());
    s = (*store)->AddSynonym(resolved);
    if (!s.ok()) Fail(s);
    const auto* e = engine->catalog().Find(resolved.code);
    std::cout << "learned: \"" << syn->name << "\"" << (syn->unit.empty() ? "" : " [" + syn->unit + "]")
              << " -> " << resolved.code << " " << e->long_name
              << (syn->source.empty() ? " (global)" : " (source " + syn->source + ")") << "\n";
  });
}

void PrintCounts(const std::string& label, const mapping::EvalCounts& c) {
  std::cout << std::left << std::setw(24) << label << std::right << std::setw(5) << c.total
            << std::fixed << std::setprecision(1) << std::setw(8) << 100 * c.top1_accuracy()
            << std::setw(8) << 100 * c.top5_accuracy() << std::setw(11)
            << 100 * c.precision() << std::setw(10) << 100 * c.coverage() << "\n";
}

void AddEval(CLI::App* loinc, std::shared_ptr<Common> common) {
  auto* cmd = loinc->add_subcommand(
      "eval", "Accuracy on a labelled CSV (name, unit, specimen, loinc_code[, category, "
              "source_style])");
  auto file = std::make_shared<std::string>();
  auto subset = std::make_shared<std::string>("all");
  auto misses = std::make_shared<bool>(false);
  auto json = std::make_shared<bool>(false);
  cmd->add_option("file", *file, "Labelled CSV")->required();
  cmd->add_option("--rows", *subset, "all | even | odd data rows (for held-out checks)")
      ->check(CLI::IsMember({"all", "even", "odd"}));
  cmd->add_flag("--misses", *misses, "List wrong top-1 answers");
  cmd->add_flag("--json", *json, "Print the summary as JSON");
  cmd->callback([=] {
    std::cerr << kLoincNotice << "\n";
    auto engine = LoadEngine(*common);
    mapping::RowSubset rows = *subset == "even"  ? mapping::RowSubset::kEven
                              : *subset == "odd" ? mapping::RowSubset::kOdd
                                                 : mapping::RowSubset::kAll;
    auto report = mapping::EvaluateFile(*engine, *file, rows);
    if (!report.ok()) Fail(report.status());
    const auto& o = report->overall;
    if (*json) {
      std::cout << nlohmann::json{{"file", *file},
                                  {"rows", *subset},
                                  {"total", o.total},
                                  {"top1", o.top1_accuracy()},
                                  {"top5", o.top5_accuracy()},
                                  {"threshold", engine->auto_accept_threshold()},
                                  {"precision", o.precision()},
                                  {"coverage", o.coverage()}}
                       .dump()
                << "\n";
      return;
    }
    std::cout << "auto-accept threshold " << engine->auto_accept_threshold() << "\n"
              << std::left << std::setw(24) << "" << std::right << std::setw(5) << "n"
              << std::setw(8) << "top1%" << std::setw(8) << "top5%" << std::setw(11)
              << "precision%" << std::setw(10) << "coverage%" << "\n";
    PrintCounts("overall", o);
    if (!report->by_category.empty()) std::cout << "by category:\n";
    for (const auto& [k, c] : report->by_category) PrintCounts("  " + k, c);
    if (!report->by_source_style.empty()) std::cout << "by source style:\n";
    for (const auto& [k, c] : report->by_source_style) PrintCounts("  " + k, c);
    if (*misses) {
      for (const auto& m : report->misses) {
        std::cout << "miss line " << m.line << ": " << m.name << " [" << m.unit << "] ("
                  << m.specimen << ") expected " << m.expected << " got " << m.got
                  << " conf " << m.confidence << (m.accepted ? " ACCEPTED" : "") << "\n";
      }
    }
  });
}

void AddCalibrate(CLI::App* loinc) {
  auto* cmd = loinc->add_subcommand(
      "calibrate", "Fit the confidence model on the synthetic calibration set (docs/mapping.md)");
  auto seed = std::make_shared<uint32_t>(42);
  cmd->add_option("--seed", *seed, "Random seed of the perturbations");
  cmd->callback([=] {
    auto engine = mapping::MappingEngine::CreateBuiltin();
    if (!engine.ok()) Fail(engine.status());
    auto samples = mapping::GenerateCalibrationSet(**engine, *seed);
    auto fitted = mapping::FitConfidenceWeights(samples);
    const mapping::ConfidenceWeights* variants[] = {&fitted, &mapping::DefaultConfidenceWeights()};
    for (const mapping::ConfidenceWeights* w : variants) {
      auto r = mapping::EvaluateCalibration(samples, *w, 0.99);
      nlohmann::json bins = nlohmann::json::array();
      for (const auto& b : r.bins) {
        nlohmann::json bin;
        bin["range"] = nlohmann::json::array({b.lower, b.upper});
        bin["n"] = b.count;
        bin["confidence"] = b.mean_confidence;
        bin["accuracy"] = b.accuracy;
        bins.push_back(bin);
      }
      nlohmann::json out;
      out["weights_kind"] = w == &fitted ? "fitted" : "compiled_in";
      out["weights"] = r.weights;
      out["samples"] = r.samples;
      out["threshold_for_99pct_precision"] = r.threshold;
      out["precision"] = r.precision_at_threshold;
      out["coverage_of_correct"] = r.coverage_at_threshold;
      out["ece"] = r.expected_calibration_error;
      out["bins"] = bins;
      std::cout << out.dump() << "\n";
    }
  });
}

}  // namespace

void AddLoincCommand(CLI::App& app) {
  auto* loinc = app.add_subcommand("loinc", "Lab test name -> LOINC mapping engine");
  loinc->require_subcommand(1);
  loinc->footer(std::string("\n") + kLoincNotice);
  auto common = std::make_shared<Common>();
  common->data_dir = DefaultDataDir();
  loinc->add_option("--data-dir", common->data_dir,
                    "Directory of loinc.db (imported table, learned synonyms); env MLW_DATA_DIR")
      ->capture_default_str();
  AddMap(loinc, common);
  AddImport(loinc, common);
  AddAccept(loinc, common, "accept", "Store a confirmed mapping as a synonym (review loop)");
  AddAccept(loinc, common, "correct", "Store a corrected mapping as a synonym (review loop)");
  AddEval(loinc, common);
  AddCalibrate(loinc);
  // Let --data-dir follow the subcommand too: `mlworker loinc eval FILE --data-dir D`.
  for (CLI::App* sub : loinc->get_subcommands({})) sub->fallthrough();
}

}  // namespace mlw::cli
