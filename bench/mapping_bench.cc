// Mapping engine benchmark: names mapped per second on one core and resident memory, with the
// built-in catalog, after importing a LOINC table, and with a table scaled to the size of the full
// LOINC laboratory set. Prints one JSON object per line. Usage:
//   mapping_bench [--names lab_names.csv] [--table Loinc.csv] [--scale-codes 70000] [--seconds 3]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "mapping/catalog_store.h"
#include "mapping/csv_reader.h"
#include "mapping/loinc_importer.h"
#include "mapping/mapping_engine.h"

namespace {

using namespace mlw::mapping;

long StatusKb(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(std::strlen(field)));
  }
  return -1;
}

void Memory(const std::string& stage, const MappingEngine* engine) {
  nlohmann::json j{{"bench", "mapping_memory"},
                   {"stage", stage},
                   {"vmrss_mb", StatusKb("VmRSS:") / 1024.0},
                   {"vmhwm_mb", StatusKb("VmHWM:") / 1024.0}};
  if (engine != nullptr) {
    j["catalog_codes"] = engine->catalog().size();
    j["engine_estimated_mb"] = engine->MemoryBytes() / 1048576.0;
  }
  std::cout << j.dump() << std::endl;
}

std::vector<LabTestQuery> LoadQueries(const std::string& path, const Catalog& catalog) {
  std::vector<LabTestQuery> out;
  std::ifstream in(path, std::ios::binary);
  if (in) {
    CsvReader reader(&in);
    std::vector<std::string> header, f;
    if (reader.Next(&header).value()) {
      int n = ColumnIndex(header, "name"), u = ColumnIndex(header, "unit"),
          s = ColumnIndex(header, "specimen");
      while (true) {
        auto next = reader.Next(&f);
        if (!next.ok() || !next.value()) break;
        if (n < 0 || f.size() != header.size()) continue;
        out.push_back({f[n], u < 0 ? "" : f[u], s < 0 ? "" : f[s], ""});
      }
    }
  }
  if (out.empty()) {  // no file: every catalog name with its first unit, upper-cased
    for (const CatalogEntry& e : catalog.entries()) {
      for (const std::string& name : e.names) {
        std::string upper = name;
        for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        out.push_back({upper, e.units.empty() ? "" : e.units[0], "", ""});
      }
    }
  }
  return out;
}

// CPU time of this process (user + system), so results are per core even on a busy machine.
double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec +
         u.ru_stime.tv_usec / 1e6;
}

void Throughput(const std::string& stage, const MappingEngine& engine,
                const std::vector<LabTestQuery>& queries, double seconds) {
  using Clock = std::chrono::steady_clock;
  // Bounded in count and time.
  const size_t max_maps = 5'000'000;
  size_t done = 0, mapped = 0;
  auto start = Clock::now();
  double cpu_start = CpuSeconds();
  auto deadline = start + std::chrono::duration<double>(seconds);
  while (done < max_maps && Clock::now() < deadline) {
    for (size_t i = 0; i < queries.size() && done < max_maps; ++i, ++done) {
      mapped += engine.Map(queries[i], 5).status == MappingStatus::kMapped;
    }
  }
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  double cpu = CpuSeconds() - cpu_start;
  std::cout << nlohmann::json{{"bench", "mapping_throughput"},
                              {"stage", stage},
                              {"threads", 1},
                              {"distinct_names", queries.size()},
                              {"maps", done},
                              {"wall_seconds", elapsed},
                              {"cpu_seconds", cpu},
                              {"names_per_wall_second", done / elapsed},
                              {"names_per_cpu_second", done / cpu},
                              {"cpu_us_per_name", 1e6 * cpu / done},
                              {"auto_accepted_share", double(mapped) / done}}
                   .dump()
            << std::endl;
}

}  // namespace

int main(int argc, char** argv) {
  std::string names = "/work/shared/data/benchmarks/lab_names_dev.csv";
  std::string table = "/work/shared/data/loinc/loinc_table_sample.csv";
  size_t scale_codes = 70000;
  double seconds = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--names") names = argv[i + 1];
    if (a == "--table") table = argv[i + 1];
    if (a == "--scale-codes") scale_codes = std::stoul(argv[i + 1]);
    if (a == "--seconds") seconds = std::stod(argv[i + 1]);
  }
  Memory("process_start", nullptr);
  auto builtin = MappingEngine::CreateBuiltin();
  if (!builtin.ok()) {
    std::cerr << builtin.status().ToString() << "\n";
    return 1;
  }
  Memory("builtin_catalog", builtin->get());
  std::vector<LabTestQuery> queries = LoadQueries(names, (*builtin)->catalog());
  Throughput("builtin_catalog", **builtin, queries, seconds);

  // Import the given table into a temporary store and load it.
  std::string dir = (std::filesystem::temp_directory_path() / "mlw_mapping_bench").string();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::vector<LoincRecord> records;
  if (std::filesystem::exists(table)) {
    auto parsed = ParseLoincTable(table, {});
    if (parsed.ok()) {
      records = parsed->records;
      auto store = CatalogStore::Open(dir + "/loinc.db");
      if (store.ok() && (*store)->ReplaceLoincTable(parsed->records, parsed->summary).ok()) {
        auto imported = OpenEngine(dir + "/loinc.db");
        if (imported.ok()) {
          Memory("after_import_" + std::to_string(records.size()) + "_codes", imported->get());
          Throughput("after_import", **imported, queries, seconds);
        }
      }
    }
  }
  builtin->reset();

  // Scale: clone the imported records (or the built-in entries) with fresh codes and varied
  // names until the catalog has about as many codes as the full LOINC laboratory set.
  if (scale_codes > 0) {
    Catalog big = *Catalog::Builtin().value();
    size_t serial = 1000000;
    size_t i = 0;
    while (big.size() < scale_codes && (!records.empty() || i < 1)) {
      LoincRecord r = records[i % records.size()];
      r.code = std::to_string(serial++) + "-0";
      std::string tag = " v" + std::to_string(i / records.size());
      r.component += tag;
      r.long_name += tag;
      r.short_name += tag;
      r.status = "ACTIVE";
      big.Add(EntryFromRecord(r, nullptr));
      ++i;
    }
    auto scaled = MappingEngine::Create(std::move(big));
    if (scaled.ok()) {
      Memory("scaled_" + std::to_string((*scaled)->catalog().size()) + "_codes", scaled->get());
      Throughput("scaled", **scaled, queries, seconds);
    }
  }
  std::filesystem::remove_all(dir);
  return 0;
}
