#include "mapping/loinc_importer.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "mapping/csv_reader.h"
#include "mapping/test_util.h"

namespace mlw::mapping {
namespace {

constexpr const char* kHeader =
    "\"LOINC_NUM\",\"COMPONENT\",\"PROPERTY\",\"TIME_ASPCT\",\"SYSTEM\",\"SCALE_TYP\","
    "\"METHOD_TYP\",\"CLASS\",\"STATUS\",\"CLASSTYPE\",\"SHORTNAME\",\"LONG_COMMON_NAME\","
    "\"EXAMPLE_UCUM_UNITS\",\"MAP_TO\"\n";

std::string Row(const std::string& code, const std::string& component, const std::string& status,
                const std::string& long_name, const std::string& map_to = "",
                const std::string& class_type = "1") {
  return "\"" + code + "\",\"" + component + "\",\"MCnc\",\"Pt\",\"Ser/Plas\",\"Qn\",\"\","
         "\"CHEM\",\"" + status + "\",\"" + class_type + "\",\"" + component + " SerPl-mCnc\",\"" +
         long_name + "\",\"mg/dL\",\"" + map_to + "\"\n";
}

std::string Write(const testing::TempDir& dir, const std::string& name,
                  const std::string& content) {
  std::string path = dir.path() + "/" + name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

TEST(CsvReaderTest, QuotesNewlinesAndLineNumbers) {
  std::istringstream in("a,\"b,\"\"c\"\"\"\r\n\"multi\nline\",x\nlast,\n");
  CsvReader r(&in);
  std::vector<std::string> f;
  ASSERT_TRUE(r.Next(&f).value());
  EXPECT_EQ(f, (std::vector<std::string>{"a", "b,\"c\""}));
  ASSERT_TRUE(r.Next(&f).value());
  EXPECT_EQ(f[0], "multi\nline");
  EXPECT_EQ(r.record_line(), 2u);
  ASSERT_TRUE(r.Next(&f).value());
  EXPECT_EQ(r.record_line(), 4u);
  EXPECT_EQ(f, (std::vector<std::string>{"last", ""}));
  EXPECT_FALSE(r.Next(&f).value());

  std::istringstream broken("a,\"unterminated\n");
  CsvReader b(&broken);
  EXPECT_FALSE(b.Next(&f).ok());
}

TEST(LoincImporterTest, ImportsDeprecatedReplacementsAndSkipsNonLab) {
  testing::TempDir dir;
  std::string path = Write(dir, "Loinc.csv",
                           std::string(kHeader) +
                               Row("99991-0", "Frobnicase", "ACTIVE",
                                   "Frobnicase [Mass/volume] in Serum or Plasma") +
                               Row("99992-8", "Frobnicase", "DEPRECATED", "Old frobnicase",
                                   "99991-0") +
                               Row("99993-6", "Clinical thing", "ACTIVE", "Not lab", "", "2"));
  auto store = CatalogStore::Open(dir.path() + "/loinc.db");
  ASSERT_TRUE(store.ok());
  int progress_calls = 0;
  ImportOptions opts;
  opts.progress = [&](size_t, size_t, size_t) { ++progress_calls; };
  auto summary = ImportLoincTable(path, store->get(), opts);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->rows, 3u);
  EXPECT_EQ(summary->laboratory, 2u);
  EXPECT_EQ(summary->deprecated, 1u);
  EXPECT_GT(progress_calls, 0);

  auto engine = OpenEngine(dir.path() + "/loinc.db");
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  MappingResult r = (*engine)->Map(LabTestQuery{"Frobnicase", "mg/dL", "serum", ""});
  EXPECT_EQ(r.loinc_code, "99991-0");
  EXPECT_EQ((*engine)->catalog().Resolve("99992-8"), "99991-0");
  EXPECT_EQ((*engine)->catalog().Find("99993-6"), nullptr);
  // Accepting the deprecated code stores its replacement.
  ASSERT_TRUE((*engine)->AddSynonym({"Frob", "99992-8", "", ""}).ok());
  EXPECT_EQ((*engine)->Map(LabTestQuery{"frob", "", "", ""}).loinc_code, "99991-0");
}

TEST(LoincImporterTest, MalformedFileWritesNothing) {
  testing::TempDir dir;
  std::string db = dir.path() + "/loinc.db";
  auto store = CatalogStore::Open(db);
  ASSERT_TRUE(store.ok());
  std::string good = Write(dir, "good.csv",
                           std::string(kHeader) + Row("99991-0", "Frobnicase", "ACTIVE", "F"));
  ASSERT_TRUE(ImportLoincTable(good, store->get(), {}).ok());
  ASSERT_EQ((*store)->CountImportedCodes().value(), 1u);

  // Missing required columns.
  std::string no_cols = Write(dir, "nocols.csv", "LOINC_NUM,COMPONENT\n\"1-8\",\"x\"\n");
  auto r1 = ImportLoincTable(no_cols, store->get(), {});
  ASSERT_FALSE(r1.ok());
  EXPECT_NE(r1.status().message().find("LONG_COMMON_NAME"), std::string::npos);

  // Bad rows are listed by line and nothing is written.
  std::string bad_rows =
      Write(dir, "badrows.csv",
            std::string(kHeader) + Row("99994-4", "Widget", "ACTIVE", "W") +
                Row("not-a-code", "Widget", "ACTIVE", "W") + "\"99995-1\",\"short row\"\n" +
                Row("99994-4", "Widget", "ACTIVE", "W"));
  auto r2 = ImportLoincTable(bad_rows, store->get(), {});
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r2.status().message().find("line 3"), std::string::npos) << r2.status().message();
  EXPECT_NE(r2.status().message().find("line 4"), std::string::npos);
  EXPECT_NE(r2.status().message().find("line 5"), std::string::npos);
  EXPECT_EQ((*store)->CountImportedCodes().value(), 1u);  // the previous import is untouched

  // Broken quoting.
  std::string broken = Write(dir, "broken.csv", std::string(kHeader) + "\"99994-4,\"x\n");
  EXPECT_FALSE(ImportLoincTable(broken, store->get(), {}).ok());
  EXPECT_EQ((*store)->CountImportedCodes().value(), 1u);

  // With skip_bad_rows the good rows go in.
  ImportOptions skip;
  skip.skip_bad_rows = true;
  auto r3 = ImportLoincTable(bad_rows, store->get(), skip);
  ASSERT_TRUE(r3.ok());
  EXPECT_EQ(r3->skipped_bad, 3u);
  EXPECT_EQ((*store)->CountImportedCodes().value(), 1u);  // only 99994-4

  EXPECT_EQ(ImportLoincTable(dir.path() + "/missing.csv", store->get(), {}).status().code(),
            StatusCode::kNotFound);
}

TEST(LoincImporterTest, ImportsTheOfficialSample) {
  std::string shared = testing::SharedDataDir();
  if (shared.empty()) GTEST_SKIP() << "shared data not available";
  testing::TempDir dir;
  auto store = CatalogStore::Open(dir.path() + "/loinc.db");
  ASSERT_TRUE(store.ok());
  auto summary = ImportLoincTable(shared + "/loinc/loinc_table_sample.csv", store->get(), {});
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->rows, 747u);
  EXPECT_GE(summary->laboratory, 700u);
  auto engine = OpenEngine(dir.path() + "/loinc.db");
  ASSERT_TRUE(engine.ok());
  EXPECT_GT((*engine)->catalog().size(), 1000u);
  // A code only the imported table knows.
  MappingResult r = (*engine)->Map(LabTestQuery{"Voriconazole trough", "ug/mL", "", ""});
  EXPECT_EQ(r.loinc_code, "73676-9");
  // Curated report names still win for common tests.
  EXPECT_EQ((*engine)->Map(LabTestQuery{"SGPT", "U/L", "", ""}).loinc_code, "1742-6");
}

TEST(CatalogStoreTest, SynonymsPersist) {
  testing::TempDir dir;
  std::string db = dir.path() + "/loinc.db";
  {
    auto store = CatalogStore::Open(db);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->AddSynonym({"Creat Jaffe", "2160-0", "mg/dL", "lab-a"}).ok());
    ASSERT_TRUE((*store)->AddSynonym({"Creat Jaffe", "2160-0", "mg/dL", "lab-a"}).ok());  // upsert
  }
  auto engine = OpenEngine(db);
  ASSERT_TRUE(engine.ok());
  MappingResult r = (*engine)->Map(LabTestQuery{"creat jaffe", "mg/dL", "", "lab-a"});
  EXPECT_EQ(r.loinc_code, "2160-0");
  EXPECT_EQ(r.match_type, "learned");
  auto store = CatalogStore::Open(db);
  EXPECT_EQ((*store)->LoadSynonyms().value().size(), 1u);
}

}  // namespace
}  // namespace mlw::mapping
