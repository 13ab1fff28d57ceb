#include "mapping/catalog_store.h"

#include <sqlite3.h>

#include <filesystem>
#include <unordered_map>

#include "mapping/text_normalizer.h"
#include "mapping/units.h"

namespace mlw::mapping {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS loinc_code (
  code TEXT PRIMARY KEY, component TEXT NOT NULL, property TEXT NOT NULL,
  time_aspect TEXT NOT NULL, system TEXT NOT NULL, scale TEXT NOT NULL, method TEXT NOT NULL,
  class TEXT NOT NULL, class_type TEXT NOT NULL, status TEXT NOT NULL, short_name TEXT NOT NULL,
  long_name TEXT NOT NULL, display_name TEXT NOT NULL, consumer_name TEXT NOT NULL,
  example_units TEXT NOT NULL, common_rank INTEGER NOT NULL, map_to TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS synonym (
  source TEXT NOT NULL, name_key TEXT NOT NULL, unit TEXT NOT NULL, name TEXT NOT NULL,
  code TEXT NOT NULL, created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
  PRIMARY KEY (source, name_key, unit));
)sql";

// RAII prepared statement.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) { rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  bool ok() const { return rc_ == SQLITE_OK; }
  void Bind(int i, const std::string& s) {
    sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  }
  void Bind(int i, int v) { sqlite3_bind_int(stmt_, i, v); }
  int Step() { return sqlite3_step(stmt_); }
  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  std::string Text(int col) const {
    const unsigned char* t = sqlite3_column_text(stmt_, col);
    return t ? reinterpret_cast<const char*>(t) : "";
  }
  int Int(int col) const { return sqlite3_column_int(stmt_, col); }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
};

Status SqlError(sqlite3* db, const std::string& what) {
  return Internal(what + ": " + sqlite3_errmsg(db));
}

std::vector<std::string> SplitUnits(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(';', start);
    if (end == std::string::npos) end = s.size();
    std::string u = s.substr(start, end - start);
    while (!u.empty() && u.front() == ' ') u.erase(u.begin());
    while (!u.empty() && u.back() == ' ') u.pop_back();
    if (!u.empty()) out.push_back(u);
    start = end + 1;
  }
  return out;
}

std::string CategoryOfClass(const std::string& loinc_class, const std::string& component) {
  if (loinc_class == "HEM/BC") return "complete_blood_count";
  if (loinc_class == "COAG") return "coagulation";
  if (loinc_class == "UA") return "urinalysis";
  if (loinc_class == "MICRO" || loinc_class == "SERO") return "infectious_serology";
  if (loinc_class == "CHEM" && (component.find("Cholesterol") == 0 ||
                                component.find("Triglyceride") == 0)) {
    return "lipid_panel";
  }
  return "other";
}

}  // namespace

CatalogEntry EntryFromRecord(const LoincRecord& r, const Catalog* builtin) {
  CatalogEntry e;
  e.code = r.code;
  e.component = r.component;
  e.property = r.property;
  e.system = r.system;
  e.scale = r.scale;
  e.method = r.method;
  e.long_name = r.long_name.empty() ? r.component : r.long_name;
  e.units = SplitUnits(r.example_units);
  e.canonical_unit = e.units.empty() ? "" : e.units.front();
  e.curated = false;
  e.common_rank = r.common_rank;
  e.category = "";
  if (builtin != nullptr) {
    for (const CatalogEntry& b : builtin->entries()) {
      if (b.component == r.component) {
        e.category = b.category;
        break;
      }
    }
  }
  if (e.category.empty()) e.category = CategoryOfClass(r.loinc_class, r.component);
  for (const std::string* n : {&r.short_name, &r.display_name, &r.consumer_name}) {
    if (!n->empty()) e.names.push_back(*n);
  }
  return e;
}

CatalogStore::~CatalogStore() { sqlite3_close(db_); }

Result<std::unique_ptr<CatalogStore>> CatalogStore::Open(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Unavailable("cannot open catalog store " + path + ": " + msg);
  }
  sqlite3_busy_timeout(db, 5000);
  std::unique_ptr<CatalogStore> store(new CatalogStore(db));
  MLW_RETURN_IF_ERROR(store->Exec(kSchema));
  return store;
}

Status CatalogStore::Exec(const char* sql) const {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return Internal(std::string("catalog store: ") + msg);
  }
  return Status::Ok();
}

Status CatalogStore::ReplaceLoincTable(const std::vector<LoincRecord>& records,
                                       const ImportSummary& summary) {
  MLW_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  auto fail = [&](Status s) {
    (void)Exec("ROLLBACK");
    return s;
  };
  if (Status s = Exec("DELETE FROM loinc_code"); !s.ok()) return fail(s);
  Stmt insert(db_,
              "INSERT INTO loinc_code (code, component, property, time_aspect, system, scale, "
              "method, class, class_type, status, short_name, long_name, display_name, "
              "consumer_name, example_units, common_rank, map_to) "
              "VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17)");
  if (!insert.ok()) return fail(SqlError(db_, "prepare insert"));
  for (const LoincRecord& r : records) {
    const std::string* text[] = {&r.code,       &r.component,    &r.property,  &r.time_aspect,
                                 &r.system,     &r.scale,        &r.method,    &r.loinc_class,
                                 &r.class_type, &r.status,       &r.short_name, &r.long_name,
                                 &r.display_name, &r.consumer_name, &r.example_units};
    for (int i = 0; i < 15; ++i) insert.Bind(i + 1, *text[i]);
    insert.Bind(16, r.common_rank);
    insert.Bind(17, r.map_to);
    if (insert.Step() != SQLITE_DONE) return fail(SqlError(db_, "insert " + r.code));
    insert.Reset();
  }
  Stmt meta(db_, "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)");
  if (!meta.ok()) return fail(SqlError(db_, "prepare meta"));
  std::pair<std::string, std::string> rows[] = {
      {"import_source", summary.source_file},
      {"import_codes", std::to_string(records.size())},
      {"import_active", std::to_string(summary.active)},
      {"import_deprecated", std::to_string(summary.deprecated)},
  };
  for (const auto& [k, v] : rows) {
    meta.Bind(1, k);
    meta.Bind(2, v);
    if (meta.Step() != SQLITE_DONE) return fail(SqlError(db_, "write meta"));
    meta.Reset();
  }
  if (Status s = Exec("COMMIT"); !s.ok()) return fail(s);
  return Status::Ok();
}

Result<size_t> CatalogStore::LoadInto(Catalog* catalog) const {
  Result<const Catalog*> builtin = Catalog::Builtin();
  const Catalog* b = builtin.ok() ? builtin.value() : nullptr;
  Stmt q(db_,
         "SELECT code, component, property, time_aspect, system, scale, method, class, "
         "class_type, status, short_name, long_name, display_name, consumer_name, "
         "example_units, common_rank, map_to FROM loinc_code");
  if (!q.ok()) return SqlError(db_, "prepare load");
  size_t added = 0;
  int rc;
  while ((rc = q.Step()) == SQLITE_ROW) {
    LoincRecord r;
    std::string* text[] = {&r.code,       &r.component,  &r.property,   &r.time_aspect,
                           &r.system,     &r.scale,      &r.method,     &r.loinc_class,
                           &r.class_type, &r.status,     &r.short_name, &r.long_name,
                           &r.display_name, &r.consumer_name, &r.example_units};
    for (int i = 0; i < 15; ++i) *text[i] = q.Text(i);
    r.common_rank = q.Int(15);
    r.map_to = q.Text(16);
    if (r.status == "DEPRECATED") {
      if (!r.map_to.empty()) catalog->AddReplacement(r.code, r.map_to);
      continue;
    }
    if (catalog->Find(r.code) != nullptr) continue;  // curated entries keep their report names
    catalog->Add(EntryFromRecord(r, b));
    ++added;
  }
  if (rc != SQLITE_DONE) return SqlError(db_, "load imported codes");
  return added;
}

Result<size_t> CatalogStore::CountImportedCodes() const {
  Stmt q(db_, "SELECT COUNT(*) FROM loinc_code");
  if (!q.ok() || q.Step() != SQLITE_ROW) return SqlError(db_, "count imported codes");
  return static_cast<size_t>(q.Int(0));
}

Status CatalogStore::AddSynonym(const LearnedSynonym& s) {
  NormalizedName n = Normalize(s.name);
  if (n.tokens.empty()) return InvalidArgument("synonym name has no letters or digits");
  Stmt q(db_,
         "INSERT OR REPLACE INTO synonym (source, name_key, unit, name, code) "
         "VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!q.ok()) return SqlError(db_, "prepare synonym insert");
  q.Bind(1, s.source);
  q.Bind(2, n.key);
  q.Bind(3, ParseUnit(s.unit).cleaned);
  q.Bind(4, s.name);
  q.Bind(5, s.code);
  if (q.Step() != SQLITE_DONE) return SqlError(db_, "store synonym");
  return Status::Ok();
}

Result<std::vector<LearnedSynonym>> CatalogStore::LoadSynonyms() const {
  Stmt q(db_, "SELECT name, code, unit, source FROM synonym ORDER BY created_at, rowid");
  if (!q.ok()) return SqlError(db_, "prepare synonym load");
  std::vector<LearnedSynonym> out;
  int rc;
  while ((rc = q.Step()) == SQLITE_ROW) {
    out.push_back(LearnedSynonym{q.Text(0), q.Text(1), q.Text(2), q.Text(3)});
  }
  if (rc != SQLITE_DONE) return SqlError(db_, "load synonyms");
  return out;
}

Result<std::unique_ptr<MappingEngine>> OpenEngine(const std::string& store_path,
                                                  EngineOptions options) {
  MLW_ASSIGN_OR_RETURN(const Catalog* builtin, Catalog::Builtin());
  Catalog catalog = *builtin;
  std::vector<LearnedSynonym> synonyms;
  std::error_code ec;
  if (!store_path.empty() && std::filesystem::exists(store_path, ec)) {
    MLW_ASSIGN_OR_RETURN(auto store, CatalogStore::Open(store_path));
    MLW_ASSIGN_OR_RETURN(size_t added, store->LoadInto(&catalog));
    (void)added;
    MLW_ASSIGN_OR_RETURN(synonyms, store->LoadSynonyms());
  }
  MLW_ASSIGN_OR_RETURN(auto engine, MappingEngine::Create(std::move(catalog), options));
  for (const LearnedSynonym& s : synonyms) {
    // A synonym whose code left the catalog (e.g. a re-import without it) is skipped, not fatal.
    (void)engine->AddSynonym(s);
  }
  return engine;
}

}  // namespace mlw::mapping
