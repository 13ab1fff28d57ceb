#include "mapping/catalog.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <unordered_map>

#include "mapping/csv_reader.h"
#include "mapping/test_util.h"

namespace mlw::mapping {
namespace {

TEST(CatalogTest, BuiltinHasAtLeast500WellFormedCodes) {
  auto catalog = Catalog::Builtin();
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  const Catalog& c = *catalog.value();
  EXPECT_GE(c.size(), 500u);
  std::set<std::string> categories;
  for (const CatalogEntry& e : c.entries()) {
    EXPECT_TRUE(IsValidLoincCode(e.code)) << e.code;
    EXPECT_TRUE(IsKnownCategory(e.category)) << e.code;
    EXPECT_FALSE(e.names.empty()) << e.code;
    EXPECT_FALSE(e.long_name.empty()) << e.code;
    categories.insert(e.category);
  }
  // Every named group of the issue is covered.
  for (const std::string& cat : Categories()) EXPECT_TRUE(categories.count(cat)) << cat;
}

TEST(CatalogTest, EveryBuiltinCodeExistsWithItsComponentInTheOfficialList) {
  std::string dir = testing::SharedDataDir();
  if (dir.empty()) GTEST_SKIP() << "shared data not available";
  std::ifstream in(dir + "/loinc/loinc_codes_components.csv", std::ios::binary);
  ASSERT_TRUE(in) << "cannot read loinc_codes_components.csv";
  CsvReader reader(&in);
  std::vector<std::string> f;
  ASSERT_TRUE(reader.Next(&f).value());
  std::unordered_map<std::string, std::string> components;
  while (reader.Next(&f).value()) {
    if (f.size() >= 2) components[f[0]] = f[1];
  }
  ASSERT_GT(components.size(), 90000u);
  const Catalog& c = *Catalog::Builtin().value();
  for (const CatalogEntry& e : c.entries()) {
    auto it = components.find(e.code);
    ASSERT_NE(it, components.end()) << e.code << " is not a LOINC code";
    EXPECT_EQ(it->second, e.component) << e.code << " " << e.long_name;
  }
}

TEST(CatalogTest, ParseErrorsNameTheLine) {
  std::string header =
      "code\tcategory\tcomponent\tproperty\tsystem\tscale\tmethod\tcanonical_unit\tunits\t"
      "preferred\tlong_name\tnames\n";
  std::string good = "2345-7\tdiabetes\tGlucose\tMCnc\tSer/Plas\tQn\t\tmg/dL\tmg/dL\t1\t"
                     "Glucose [Mass/volume] in Serum or Plasma\tGlucose|Blood sugar\n";
  auto ok = Catalog::ParseTsv("# comment\n" + header + good);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->Find("2345-7")->names.size(), 2u);

  auto bad_code = Catalog::ParseTsv(header + "2345-8" + good.substr(6));
  ASSERT_FALSE(bad_code.ok());
  EXPECT_NE(bad_code.status().message().find("line 2"), std::string::npos);
  auto bad_category = Catalog::ParseTsv(header + "\n" + "2345-7\tsugar" + good.substr(14));
  ASSERT_FALSE(bad_category.ok());
  EXPECT_NE(bad_category.status().message().find("line 3"), std::string::npos);
  EXPECT_FALSE(Catalog::ParseTsv(header + good + good).ok());  // duplicate
  EXPECT_FALSE(Catalog::ParseTsv(good).ok());                   // no header
}

TEST(CatalogTest, ResolvesReplacementChains) {
  Catalog c;
  c.AddReplacement("1-8", "2-6");
  c.AddReplacement("2-6", "3-4");
  EXPECT_EQ(c.Resolve("1-8"), "3-4");
  EXPECT_EQ(c.Resolve("9-9"), "9-9");
  c.AddReplacement("3-4", "1-8");  // a cycle in bad data terminates
  (void)c.Resolve("1-8");
}

TEST(CatalogTest, LoincCheckDigit) {
  EXPECT_TRUE(IsValidLoincCode("2345-7"));
  EXPECT_TRUE(IsValidLoincCode("718-7"));
  EXPECT_FALSE(IsValidLoincCode("2345-8"));
  EXPECT_FALSE(IsValidLoincCode("2345"));
  EXPECT_FALSE(IsValidLoincCode("ab-1"));
  EXPECT_TRUE(IsWellFormedLoincCode("2345-8"));
}

}  // namespace
}  // namespace mlw::mapping
