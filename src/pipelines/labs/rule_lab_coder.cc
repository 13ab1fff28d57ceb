#include "pipelines/labs/rule_lab_coder.h"

#include <cctype>

#include "mapping/catalog.h"

namespace mlw::pipelines::labs {
namespace {

// Molar-mass factors: 1 mmol/L glucose = 18.0156 mg/dL (180.156 g/mol), cholesterol 38.665
// (386.65 g/mol), triglycerides 88.57 (as triolein), calcium 4.008, magnesium 2.431, urea
// 2.801 mg/dL urea nitrogen per mmol/L; creatinine 88.42 umol/L per mg/dL, bilirubin 17.104,
// uric acid 59.48; HbA1c by the IFCC-NGSP master equation.
std::vector<LabTestRule> Build() {
  const std::vector<UnitFactor> per_ul3 = {{"10*9/l"}, {"k/ul"}, {"10*3/mm3"}, {"thou/ul"}};
  const std::vector<UnitFactor> per_ul6 = {{"10*12/l"}, {"m/ul"}, {"10*6/mm3"}, {"mill/ul"}};
  const std::vector<UnitFactor> mmol = {{"meq/l"}};
  const std::vector<UnitFactor> chol = {{"mmol/l", 38.665}};
  return {
      // Complete blood count
      {"718-7",
       "Hemoglobin [Mass/volume] in Blood",
       "complete_blood_count",
       "g/dL",
       {{"g/l", 0.1}, {"mmol/l", 1.6114}},
       {"hemoglobin", "haemoglobin", "hgb", "hb"}},
      {"4544-3",
       "Hematocrit [Volume Fraction] of Blood",
       "complete_blood_count",
       "%",
       {{"l/l", 100}},
       {"hematocrit", "haematocrit", "hct", "packed cell volume", "pcv"}},
      {"6690-2",
       "Leukocytes [#/volume] in Blood",
       "complete_blood_count",
       "10*3/uL",
       per_ul3,
       {"wbc", "white blood cells", "white blood cell count", "leukocytes", "wbc count",
        "white cell count", "total leukocyte count"}},
      {"789-8",
       "Erythrocytes [#/volume] in Blood",
       "complete_blood_count",
       "10*6/uL",
       per_ul6,
       {"rbc", "red blood cells", "red blood cell count", "erythrocytes", "rbc count",
        "red cell count"}},
      {"777-3",
       "Platelets [#/volume] in Blood",
       "complete_blood_count",
       "10*3/uL",
       per_ul3,
       {"platelets", "platelet count", "plt", "thrombocytes"}},
      {"787-2",
       "MCV [Entitic volume]",
       "complete_blood_count",
       "fL",
       {{"fl"}},
       {"mcv", "mean corpuscular volume", "mean cell volume"}},
      {"785-6",
       "MCH [Entitic mass]",
       "complete_blood_count",
       "pg",
       {},
       {"mch", "mean corpuscular hemoglobin", "mean cell hemoglobin"}},
      {"786-4",
       "MCHC [Mass/volume]",
       "complete_blood_count",
       "g/dL",
       {{"g/l", 0.1}},
       {"mchc", "mean corpuscular hemoglobin concentration"}},
      {"788-0",
       "Erythrocyte distribution width [Ratio]",
       "complete_blood_count",
       "%",
       {},
       {"rdw", "rdw cv", "red cell distribution width"}},
      {"770-8",
       "Neutrophils/100 leukocytes in Blood",
       "complete_blood_count",
       "%",
       {},
       {"neutrophils", "neutrophils percent", "neut"}},
      {"736-9",
       "Lymphocytes/100 leukocytes in Blood",
       "complete_blood_count",
       "%",
       {},
       {"lymphocytes", "lymphocytes percent", "lymph"}},
      // Lipid panel
      {"2093-3",
       "Cholesterol [Mass/volume] in Serum or Plasma",
       "lipid_panel",
       "mg/dL",
       chol,
       {"cholesterol", "total cholesterol", "cholesterol total", "chol"}},
      {"2085-9",
       "HDL Cholesterol [Mass/volume]",
       "lipid_panel",
       "mg/dL",
       chol,
       {"hdl", "hdl cholesterol", "hdl c", "cholesterol hdl", "high density lipoprotein"}},
      {"13457-7",
       "LDL Cholesterol (calculated)",
       "lipid_panel",
       "mg/dL",
       chol,
       {"ldl", "ldl cholesterol", "ldl c", "cholesterol ldl", "ldl calculated",
        "low density lipoprotein"}},
      {"2571-8",
       "Triglyceride [Mass/volume] in Serum or Plasma",
       "lipid_panel",
       "mg/dL",
       {{"mmol/l", 88.57}},
       {"triglycerides", "triglyceride", "trig", "tg"}},
      // Metabolic / electrolytes
      {"2345-7",
       "Glucose [Mass/volume] in Serum or Plasma",
       "metabolic_electrolytes",
       "mg/dL",
       {{"mmol/l", 18.0156}},
       {"glucose", "fasting glucose", "glucose fasting", "blood sugar", "fasting blood sugar",
        "fbs", "glu"}},
      {"2951-2",
       "Sodium [Moles/volume] in Serum or Plasma",
       "metabolic_electrolytes",
       "mmol/L",
       mmol,
       {"sodium", "na"}},
      {"2823-3",
       "Potassium [Moles/volume] in Serum or Plasma",
       "metabolic_electrolytes",
       "mmol/L",
       mmol,
       {"potassium", "k"}},
      {"2075-0",
       "Chloride [Moles/volume] in Serum or Plasma",
       "metabolic_electrolytes",
       "mmol/L",
       mmol,
       {"chloride", "cl"}},
      {"2028-9",
       "Carbon dioxide, total [Moles/volume]",
       "metabolic_electrolytes",
       "mmol/L",
       mmol,
       {"co2", "carbon dioxide", "bicarbonate", "hco3", "total co2"}},
      {"17861-6",
       "Calcium [Mass/volume] in Serum or Plasma",
       "metabolic_electrolytes",
       "mg/dL",
       {{"mmol/l", 4.008}},
       {"calcium", "ca", "total calcium"}},
      // Kidney
      {"2160-0",
       "Creatinine [Mass/volume] in Serum or Plasma",
       "kidney",
       "mg/dL",
       {{"umol/l", 1 / 88.42}},
       {"creatinine", "creat", "cr", "serum creatinine"}},
      {"3094-0",
       "Urea nitrogen [Mass/volume] in Serum or Plasma",
       "kidney",
       "mg/dL",
       {{"mmol/l", 2.801}},
       {"bun", "urea nitrogen", "blood urea nitrogen", "urea"}},
      {"33914-3",
       "Glomerular filtration rate/1.73 sq M.predicted (MDRD)",
       "kidney",
       "mL/min/{1.73_m2}",
       {{"ml/min/1.73m2"}, {"ml/min/1.73m*2"}, {"ml/min"}},
       {"egfr", "gfr", "estimated gfr", "glomerular filtration rate"}},
      {"3084-1",
       "Urate [Mass/volume] in Serum or Plasma",
       "kidney",
       "mg/dL",
       {{"umol/l", 1 / 59.48}},
       {"uric acid", "urate"}},
      // Liver
      {"1742-6",
       "Alanine aminotransferase [Enzymatic activity/volume]",
       "liver",
       "U/L",
       {{"iu/l"}},
       {"alt", "alanine aminotransferase", "sgpt", "alt sgpt"}},
      {"1920-8",
       "Aspartate aminotransferase [Enzymatic activity/volume]",
       "liver",
       "U/L",
       {{"iu/l"}},
       {"ast", "aspartate aminotransferase", "sgot", "ast sgot"}},
      {"6768-6",
       "Alkaline phosphatase [Enzymatic activity/volume]",
       "liver",
       "U/L",
       {{"iu/l"}},
       {"alkaline phosphatase", "alp", "alk phos"}},
      {"2324-2",
       "Gamma glutamyl transferase [Enzymatic activity/volume]",
       "liver",
       "U/L",
       {{"iu/l"}},
       {"ggt", "gamma gt", "gamma glutamyl transferase"}},
      {"1975-2",
       "Bilirubin.total [Mass/volume] in Serum or Plasma",
       "liver",
       "mg/dL",
       {{"umol/l", 1 / 17.104}},
       {"bilirubin", "total bilirubin", "bilirubin total", "tbil"}},
      {"1751-7",
       "Albumin [Mass/volume] in Serum or Plasma",
       "liver",
       "g/dL",
       {{"g/l", 0.1}},
       {"albumin", "alb"}},
      {"2885-2",
       "Protein [Mass/volume] in Serum or Plasma",
       "liver",
       "g/dL",
       {{"g/l", 0.1}},
       {"total protein", "protein total", "protein"}},
      // Thyroid
      {"3016-3",
       "Thyrotropin [Units/volume] in Serum or Plasma",
       "thyroid",
       "m[IU]/L",
       {{"miu/l"}, {"uiu/ml"}, {"mu/l"}},
       {"tsh", "thyrotropin", "thyroid stimulating hormone"}},
      {"3024-7",
       "Thyroxine (T4) free [Mass/volume]",
       "thyroid",
       "ng/dL",
       {{"pmol/l", 1 / 12.87}},
       {"free t4", "ft4", "t4 free", "free thyroxine"}},
      {"3051-0",
       "Triiodothyronine (T3) free [Mass/volume]",
       "thyroid",
       "pg/mL",
       {{"pmol/l", 1 / 1.536}},
       {"free t3", "ft3", "t3 free", "free triiodothyronine"}},
      // Diabetes
      {"4548-4",
       "Hemoglobin A1c/Hemoglobin.total in Blood",
       "diabetes",
       "%",
       {{"mmol/mol", 0.09148, 2.152}},
       {"hba1c", "hemoglobin a1c", "a1c", "glycated hemoglobin", "glycosylated hemoglobin",
        "haemoglobin a1c"}},
      // Iron studies
      {"2276-4",
       "Ferritin [Mass/volume] in Serum or Plasma",
       "iron_studies",
       "ng/mL",
       {{"ug/l"}},
       {"ferritin"}},
      {"2498-4",
       "Iron [Mass/volume] in Serum or Plasma",
       "iron_studies",
       "ug/dL",
       {{"umol/l", 5.585}},
       {"iron", "serum iron", "fe"}},
      {"2500-7",
       "Iron binding capacity [Mass/volume]",
       "iron_studies",
       "ug/dL",
       {{"umol/l", 5.585}},
       {"tibc", "total iron binding capacity", "iron binding capacity"}},
      {"2502-3",
       "Iron saturation [Mass Fraction]",
       "iron_studies",
       "%",
       {},
       {"transferrin saturation", "iron saturation", "tsat"}},
      // Vitamins and minerals
      {"1989-3",
       "25-Hydroxyvitamin D3 [Mass/volume]",
       "vitamins_minerals",
       "ng/mL",
       {{"nmol/l", 1 / 2.496}},
       {"vitamin d", "25 oh vitamin d", "vitamin d 25 hydroxy", "25 hydroxyvitamin d",
        "calcidiol"}},
      {"2132-9",
       "Cobalamin (Vitamin B12) [Mass/volume]",
       "vitamins_minerals",
       "pg/mL",
       {{"pmol/l", 1.355}, {"ng/l"}},
       {"vitamin b12", "b12", "cobalamin"}},
      {"2284-8",
       "Folate [Mass/volume] in Serum or Plasma",
       "vitamins_minerals",
       "ng/mL",
       {{"nmol/l", 1 / 2.266}, {"ug/l"}},
       {"folate", "folic acid"}},
      {"19123-9",
       "Magnesium [Mass/volume] in Serum or Plasma",
       "vitamins_minerals",
       "mg/dL",
       {{"mmol/l", 2.431}},
       {"magnesium", "mg"}},
      // Inflammation
      {"1988-5",
       "C reactive protein [Mass/volume]",
       "inflammation",
       "mg/L",
       {{"mg/dl", 10}},
       {"crp", "c reactive protein"}},
      {"30522-7",
       "C reactive protein [Mass/volume] by High sensitivity method",
       "inflammation",
       "mg/L",
       {{"mg/dl", 10}},
       {"hs crp", "hscrp", "high sensitivity crp", "crp high sensitivity"}},
      {"4537-7",
       "Erythrocyte sedimentation rate",
       "inflammation",
       "mm/h",
       {{"mm/hr"}},
       {"esr", "sed rate", "erythrocyte sedimentation rate"}},
      // Cardiac
      {"10839-9",
       "Troponin I.cardiac [Mass/volume]",
       "cardiac",
       "ng/mL",
       {{"ug/l"}},
       {"troponin i", "ctni", "troponin"}},
      {"33762-6",
       "NT-proBNP [Mass/volume]",
       "cardiac",
       "pg/mL",
       {{"ng/l"}},
       {"nt probnp", "ntprobnp", "pro bnp"}},
      // Coagulation
      {"5902-2",
       "Prothrombin time (PT)",
       "coagulation",
       "s",
       {{"sec"}, {"seconds"}},
       {"pt", "prothrombin time"}},
      {"6301-6",
       "INR in Platelet poor plasma",
       "coagulation",
       "{INR}",
       {{"ratio"}},
       {"inr", "pt inr"}},
      {"3173-2",
       "aPTT in Blood",
       "coagulation",
       "s",
       {{"sec"}, {"seconds"}},
       {"aptt", "ptt", "partial thromboplastin time", "activated partial thromboplastin time"}},
      // Hormones
      {"2986-8",
       "Testosterone [Mass/volume] in Serum or Plasma",
       "hormones",
       "ng/dL",
       {{"nmol/l", 28.84}},
       {"testosterone", "total testosterone"}},
      {"2243-4",
       "Estradiol (E2) [Mass/volume]",
       "hormones",
       "pg/mL",
       {{"pmol/l", 1 / 3.671}},
       {"estradiol", "e2", "oestradiol"}},
      {"2857-1",
       "Prostate specific Ag [Mass/volume]",
       "hormones",
       "ng/mL",
       {{"ug/l"}},
       {"psa", "prostate specific antigen", "total psa"}},
      // Urinalysis
      {"5811-5",
       "Specific gravity of Urine by Test strip",
       "urinalysis",
       "",
       {},
       {"specific gravity", "sg", "urine specific gravity"},
       true},
      {"5803-2", "pH of Urine by Test strip", "urinalysis", "[pH]", {}, {"ph", "urine ph"}, true},
      {"5792-7",
       "Glucose [Mass/volume] in Urine by Test strip",
       "urinalysis",
       "mg/dL",
       {},
       {"glucose", "urine glucose", "glucose urine"},
       true},
      {"2888-6",
       "Protein [Mass/volume] in Urine",
       "urinalysis",
       "mg/dL",
       {},
       {"protein", "urine protein", "protein urine"},
       true},
      {"5799-2",
       "Leukocyte esterase [Presence] in Urine by Test strip",
       "urinalysis",
       "",
       {},
       {"leukocyte esterase", "leukocytes", "urine leukocytes"},
       true},
      {"5794-3",
       "Hemoglobin [Presence] in Urine by Test strip",
       "urinalysis",
       "",
       {},
       {"blood", "urine blood", "hemoglobin"},
       true},
  };
}

bool ContainsWords(const std::string& haystack, std::string_view needle) {
  size_t pos = 0;
  while ((pos = haystack.find(needle, pos)) != std::string::npos) {
    bool left = pos == 0 || haystack[pos - 1] == ' ';
    size_t end = pos + needle.size();
    bool right = end == haystack.size() || haystack[end] == ' ';
    if (left && right) return true;
    ++pos;
  }
  return false;
}

}  // namespace

const char* CodingStatusName(CodingStatus status) {
  switch (status) {
    case CodingStatus::kMatched:
      return "matched";
    case CodingStatus::kAmbiguous:
      return "ambiguous";
    case CodingStatus::kUnmapped:
      return "unmapped";
  }
  return "?";
}

const std::vector<std::string_view>& LabCategories() {
  // The mapping catalog's list: a test the engine codes always lands in one of these.
  static const std::vector<std::string_view> categories(mapping::Categories().begin(),
                                                        mapping::Categories().end());
  return categories;
}

std::string NormalizeTestName(std::string_view name) {
  std::string out;
  for (unsigned char c : name) {
    if (std::isalnum(c)) {
      out.push_back(static_cast<char>(std::tolower(c)));
    } else if (!out.empty() && out.back() != ' ') {
      out.push_back(' ');
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

const std::vector<LabTestRule>& LabTestRules() {
  static const std::vector<LabTestRule> rules = Build();
  return rules;
}

const LabTestRule* FindLabRule(std::string_view loinc_code) {
  for (const auto& r : LabTestRules()) {
    if (r.loinc_code == loinc_code) return &r;
  }
  return nullptr;
}

LabCoding RuleLabCoder::Code(std::string_view name, std::string_view /*unit*/,
                             std::string_view specimen) const {
  std::string n = NormalizeTestName(name);
  std::string spec = NormalizeTestName(specimen);
  const bool urine = ContainsWords(n, "urine") || ContainsWords(n, "ua") ||
                     ContainsWords(spec, "urine") || ContainsWords(spec, "ur");
  // Words that say where the sample came from, not what was measured.
  for (std::string_view noise : {"serum", "plasma", "blood", "whole", "level", "urine", "ua"}) {
    if (n == noise) break;  // "Blood" alone on a urine strip is the test itself
    std::string padded = " " + n + " ";
    std::string word = " " + std::string(noise) + " ";
    size_t at;
    while ((at = padded.find(word)) != std::string::npos) padded.replace(at, word.size(), " ");
    n = NormalizeTestName(padded);
  }
  const LabTestRule* best = nullptr;
  size_t best_len = 0;
  bool exact = false;
  for (const auto& rule : LabTestRules()) {
    if (rule.urine != urine) continue;
    for (std::string_view spelling : rule.names) {
      if (n == spelling) {
        if (!exact || spelling.size() > best_len) best = &rule, best_len = spelling.size();
        exact = true;
      } else if (!exact && spelling.size() > best_len && spelling.size() > 2 &&
                 ContainsWords(n, spelling)) {
        best = &rule;
        best_len = spelling.size();
      }
    }
  }
  if (best == nullptr) return {"", "", "other", 0, CodingStatus::kUnmapped, "", ""};
  const std::string_view long_name = best->loinc_name;
  return {std::string(best->loinc_code),
          std::string(long_name),
          std::string(best->category),
          exact ? 0.95 : 0.8,
          exact ? CodingStatus::kMatched : CodingStatus::kAmbiguous,
          std::string(best->canonical_unit),
          std::string(long_name.substr(0, long_name.find(" [")))};
}

}  // namespace mlw::pipelines::labs
