#include "mapping/units.h"

#include <cctype>
#include <cmath>
#include <string>

namespace mlw::mapping {
namespace {

void ReplaceAll(std::string& s, std::string_view from, std::string_view to) {
  size_t pos = 0;
  while ((pos = s.find(from, pos)) != std::string::npos) {
    s.replace(pos, from.size(), to);
    pos += to.size();
  }
}

std::string Clean(std::string_view in) {
  std::string s;
  for (size_t i = 0; i < in.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(in[i]);
    if ((c == 0xC2 && i + 1 < in.size() && static_cast<unsigned char>(in[i + 1]) == 0xB5) ||
        (c == 0xCE && i + 1 < in.size() && static_cast<unsigned char>(in[i + 1]) == 0xBC)) {
      s.push_back('u');
      ++i;
      continue;
    }
    if (c == 0xC2 && i + 1 < in.size() && static_cast<unsigned char>(in[i + 1]) == 0xB2) {
      s.push_back('2');  // superscript two
      ++i;
      continue;
    }
    if (c == 0xC3 && i + 1 < in.size() && static_cast<unsigned char>(in[i + 1]) == 0x97) {
      s.push_back('x');  // multiplication sign
      ++i;
      continue;
    }
    if (std::isspace(c) || c >= 0x80) continue;
    s.push_back(static_cast<char>(std::tolower(c)));
  }
  // UCUM annotations carry no dimension ("mg/g{creat}", "{ratio}", "ng/mL{DDU}").
  for (size_t open = s.find('{'); open != std::string::npos; open = s.find('{')) {
    size_t close = s.find('}', open);
    if (close == std::string::npos) break;
    std::string inner = s.substr(open + 1, close - open - 1);
    bool keep = inner == "ratio" || inner == "inr" || inner == "titer" || inner == "index_val";
    s.replace(open, close - open + 1, keep ? inner : "");
  }
  ReplaceAll(s, "[", "");
  ReplaceAll(s, "]", "");
  ReplaceAll(s, "arb'u", "u");
  ReplaceAll(s, "mcg", "ug");
  ReplaceAll(s, "mcl", "ul");
  ReplaceAll(s, "cu.mm", "ul");
  ReplaceAll(s, "cumm", "ul");
  ReplaceAll(s, "cmm", "ul");
  ReplaceAll(s, "mm3", "ul");
  ReplaceAll(s, "mm^3", "ul");
  ReplaceAll(s, "litre", "l");
  ReplaceAll(s, "liter", "l");
  ReplaceAll(s, "ltr", "l");
  ReplaceAll(s, "gm", "g");
  ReplaceAll(s, "(24.h)", "24h");
  ReplaceAll(s, "/24hrs", "/24h");
  ReplaceAll(s, "/24hr", "/24h");
  for (std::string_view day : {"/day", "/d"}) {
    if (s.size() > day.size() && s.compare(s.size() - day.size(), day.size(), day) == 0) {
      s.replace(s.size() - day.size(), day.size(), "/24h");
    }
  }
  return s;
}

bool Prefix(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Mass units in grams.
std::optional<double> MassFactor(std::string_view m) {
  if (m == "g") return 1.0;
  if (m == "mg") return 1e-3;
  if (m == "ug") return 1e-6;
  if (m == "ng") return 1e-9;
  if (m == "pg") return 1e-12;
  if (m == "kg") return 1e3;
  return std::nullopt;
}

std::optional<double> VolumeFactor(std::string_view v) {
  if (v == "l") return 1.0;
  if (v == "dl" || v == "100ml") return 0.1;
  if (v == "ml") return 1e-3;
  if (v == "ul") return 1e-6;
  if (v == "nl") return 1e-9;
  if (v == "pl") return 1e-12;
  return std::nullopt;
}

std::optional<double> SubstanceFactor(std::string_view m, bool* equivalents) {
  *equivalents = false;
  if (m == "mol") return 1.0;
  if (m == "mmol") return 1e-3;
  if (m == "umol") return 1e-6;
  if (m == "nmol") return 1e-9;
  if (m == "pmol") return 1e-12;
  if (m == "meq") {
    *equivalents = true;
    return 1e-3;
  }
  if (m == "ueq") {
    *equivalents = true;
    return 1e-6;
  }
  return std::nullopt;
}

std::optional<double> ArbitraryFactor(std::string_view m) {
  if (m == "u" || m == "iu" || m == "units" || m == "unit" || m == "ru" || m == "eu" ||
      m == "e.u." || m == "au" || m == "todd" || m == "toddunits") {
    return 1.0;
  }
  if (m == "mu" || m == "miu") return 1e-3;
  if (m == "uiu" || m == "uu") return 1e-6;
  if (m == "ku" || m == "kiu") return 1e3;
  return std::nullopt;
}

// Count numerators: "", "cells", "10^9", "x10^3", "10*3", "thou", "million", "lakh", ...
std::optional<double> CountFactor(std::string n) {
  for (std::string_view suffix : {"cells", "cell"}) {
    if (n.size() >= suffix.size() && n.substr(n.size() - suffix.size()) == suffix) {
      n = n.substr(0, n.size() - suffix.size());
      break;
    }
  }
  if (n.empty() || n == "n" || n == "#") return 1.0;
  if (n == "thou" || n == "thousand" || n == "k" || n == "th") return 1e3;
  if (n == "mill" || n == "million" || n == "mil" || n == "m" || n == "millions") return 1e6;
  if (n == "lakh" || n == "lakhs" || n == "lac" || n == "lacs") return 1e5;
  if (n[0] == 'x') n = n.substr(1);
  if (Prefix(n, "10^") || Prefix(n, "10*") || Prefix(n, "10e")) {
    std::string exp = n.substr(3);
    if (exp.empty() || exp.size() > 2) return std::nullopt;
    for (char c : exp) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    }
    return std::pow(10.0, std::stoi(exp));
  }
  // Superscripts lost in copy-paste: "x109/L", "x1012/L", "x103/uL".
  if (n == "109") return 1e9;
  if (n == "1012") return 1e12;
  if (n == "103") return 1e3;
  if (n == "106") return 1e6;
  return std::nullopt;
}

ParsedUnit Make(UnitKind kind, double factor, std::string cleaned, bool eq = false) {
  return ParsedUnit{kind, factor, std::move(cleaned), eq};
}

}  // namespace

const char* UnitKindName(UnitKind kind) {
  switch (kind) {
    case UnitKind::kUnknown: return "unknown";
    case UnitKind::kDimensionless: return "dimensionless";
    case UnitKind::kMassConc: return "mass_concentration";
    case UnitKind::kSubstanceConc: return "substance_concentration";
    case UnitKind::kNumberConc: return "number_concentration";
    case UnitKind::kFraction: return "fraction";
    case UnitKind::kArbitraryConc: return "arbitrary_concentration";
    case UnitKind::kEntVolume: return "entitic_volume";
    case UnitKind::kEntMass: return "entitic_mass";
    case UnitKind::kTime: return "time";
    case UnitKind::kVelocity: return "velocity";
    case UnitKind::kPressure: return "pressure";
    case UnitKind::kFlowPerArea: return "flow_per_area";
    case UnitKind::kFlow: return "flow";
    case UnitKind::kMassRatio: return "mass_ratio";
    case UnitKind::kMassRate: return "mass_rate";
    case UnitKind::kSubstanceRate: return "substance_rate";
    case UnitKind::kNumberArea: return "number_per_area";
    case UnitKind::kOsmolality: return "osmolality";
    case UnitKind::kTiter: return "titer";
    case UnitKind::kPh: return "ph";
    case UnitKind::kSubstanceFraction: return "substance_fraction";
    case UnitKind::kMassContent: return "mass_content";
    case UnitKind::kVolume: return "volume";
  }
  return "unknown";
}

ParsedUnit ParseUnit(std::string_view printed_unit) {
  std::string c = Clean(printed_unit);
  if (c.empty()) return Make(UnitKind::kUnknown, 1, c);
  using K = UnitKind;
  if (c == "%" || c == "percent" || c == "pct" || c == "%age") return Make(K::kFraction, 0.01, c);
  if (c == "l/l" || c == "fraction") return Make(K::kFraction, 1, c);
  if (c == "mg%") return Make(K::kMassConc, 1e-3 / 0.1, c);
  if (c == "g%") return Make(K::kMassConc, 1 / 0.1, c);
  if (c == "ug%") return Make(K::kMassConc, 1e-6 / 0.1, c);
  if (c == "fl" || c == "um3" || c == "cumicron" || c == "cu.micron" || c == "femtoliters") {
    return Make(K::kEntVolume, 1, c);
  }
  if (c == "pg" || c == "picograms") return Make(K::kEntMass, 1, c);
  if (c == "s" || c == "sec" || c == "secs" || c == "seconds" || c == "second") {
    return Make(K::kTime, 1, c);
  }
  if (c == "min" || c == "mins" || c == "minutes" || c == "minute") return Make(K::kTime, 60, c);
  if (c == "mm/h" || c == "mm/hr" || c == "mm/1h" || c == "mm/1hr" || c == "mm/1sth" ||
      c == "mm/1sthr" || c == "mm/1sthour" || c == "mm/hour" || c == "mm" || c == "mmfall") {
    return Make(K::kVelocity, 1, c);
  }
  if (c == "mmhg" || c == "mm/hg" || c == "torr") return Make(K::kPressure, 0.133322, c);
  if (c == "kpa") return Make(K::kPressure, 1, c);
  if (Prefix(c, "ml/min/1.73") || c == "ml/min/m2" || c == "ml/min/1.73m2") {
    return Make(K::kFlowPerArea, 1, c);
  }
  if (c == "ml/min" || c == "ml/mn") return Make(K::kFlow, 1, c);
  if (Prefix(c, "mosm/kg") || Prefix(c, "mosmol/kg")) return Make(K::kOsmolality, 1, c);
  if (c == "ph") return Make(K::kPh, 1, c);
  if (c == "titer" || c == "titre" || Prefix(c, "1:")) return Make(K::kTiter, 1, c);
  if (c == "ratio" || c == "index" || c == "index_val" || c == "inr" || c == "s/co" ||
      c == "(calc)" || c == "calc" || c == "sg" || c == "s/coratio" || c == "co" ||
      c == "units" || c == "-" || c == "nil" || c == "no.") {
    return Make(K::kDimensionless, 1, c);
  }
  if (c == "mmol/mol") return Make(K::kSubstanceFraction, 1e-3, c);
  if (c == "ml") return Make(K::kVolume, 1e-3, c);
  if (c == "/hpf" || c == "hpf" || c == "cells/hpf" || c == "perhpf" || c == "/hpfield") {
    return Make(K::kNumberArea, 1, c);
  }
  if (c == "/lpf" || c == "lpf" || c == "perlpf" || c == "cells/lpf") {
    return Make(K::kNumberArea, 0.1, c);  // a low power field is ten times wider
  }
  size_t slash = c.find('/');
  if (slash == std::string::npos) return Make(K::kUnknown, 1, c);
  std::string num = c.substr(0, slash);
  std::string den = c.substr(slash + 1);
  // Creatinine-normalised ratios: "mg/g", "mg/gcreat", "mg/gcreatinine", "mg/mmol", "ug/mg".
  if (auto m = MassFactor(num)) {
    if (Prefix(den, "g") || Prefix(den, "mg")) {
      double d = Prefix(den, "mg") ? 1e-3 : 1;
      if (den == "g" || den == "mg" || Prefix(den, "gcr") || Prefix(den, "mgcr")) {
        return Make(K::kMassRatio, *m / d, c);
      }
    }
    if (Prefix(den, "mmol")) return Make(K::kMassRatio, -*m, c);  // mass per substance
    if (den == "24h") return Make(K::kMassRate, *m, c);
    if (den == "kg" || den == "g") return Make(K::kMassContent, *m / (den == "kg" ? 1e3 : 1), c);
    if (den == "min") return Make(K::kMassRate, *m * 1440, c);
    if (auto v = VolumeFactor(den)) return Make(K::kMassConc, *m / *v, c);
  }
  bool eq = false;
  if (auto m = SubstanceFactor(num, &eq)) {
    if (den == "24h") return Make(K::kSubstanceRate, *m, c, eq);
    if (auto v = VolumeFactor(den)) return Make(K::kSubstanceConc, *m / *v, c, eq);
  }
  if (auto m = ArbitraryFactor(num)) {
    if (auto v = VolumeFactor(den)) return Make(K::kArbitraryConc, *m / *v, c);
    if (den == "ghb" || den == "g") return Make(K::kArbitraryConc, *m, c);
  }
  if (auto n = CountFactor(num)) {
    if (auto v = VolumeFactor(den)) return Make(K::kNumberConc, *n / *v, c);
    if (den == "hpf") return Make(K::kNumberArea, *n, c);
    if (den == "100wbcs" || den == "100wbc" || den == "100leukocytes") {
      return Make(K::kFraction, 0.01, c);
    }
  }
  return Make(K::kUnknown, 1, c);
}

bool SameUnit(const ParsedUnit& a, const ParsedUnit& b) {
  if (a.kind == UnitKind::kUnknown || b.kind == UnitKind::kUnknown) {
    return a.kind == b.kind && !a.cleaned.empty() && a.cleaned == b.cleaned;
  }
  if (a.kind != b.kind || a.equivalents != b.equivalents) return false;
  return std::fabs(a.factor - b.factor) <= 1e-9 * std::fabs(a.factor);
}

std::optional<Analyte> AnalyteForComponent(std::string_view component) {
  struct Row {
    std::string_view component;
    Analyte analyte;
  };
  // Molar masses (g/mol) from standard atomic weights; triglyceride uses the conventional triolein
  // mass (885.7) behind the 88.57 mg/dL per mmol/L factor, urea nitrogen counts the two N atoms.
  static constexpr Row kRows[] = {
      {"Glucose", {180.156, 1}},       {"Cholesterol", {386.654, 1}},
      {"Cholesterol.in HDL", {386.654, 1}}, {"Cholesterol.in LDL", {386.654, 1}},
      {"Cholesterol.in VLDL", {386.654, 1}}, {"Cholesterol.non HDL", {386.654, 1}},
      {"Triglyceride", {885.7, 1}},    {"Creatinine", {113.118, 1}},
      {"Urea", {60.056, 1}},           {"Urea nitrogen", {28.014, 1}},
      {"Urate", {168.11, 1}},          {"Calcium", {40.078, 2}},
      {"Calcium.ionized", {40.078, 2}}, {"Magnesium", {24.305, 2}},
      {"Phosphate", {30.974, 1}},      {"Bilirubin", {584.66, 1}},
      {"Bilirubin.glucuronidated+Bilirubin.albumin bound", {584.66, 1}},
      {"Bilirubin.non-glucuronidated", {584.66, 1}},
      {"Iron", {55.845, 1}},           {"Iron binding capacity", {55.845, 1}},
      {"Sodium", {22.990, 1}},         {"Potassium", {39.098, 1}},
      {"Chloride", {35.453, 1}},       {"Bicarbonate", {61.017, 1}},
      {"Lactate", {89.07, 1}},         {"Ammonia", {17.031, 1}},
      {"Homocysteine", {135.18, 1}},   {"Thyroxine", {776.87, 1}},
      {"Thyroxine.free", {776.87, 1}}, {"Triiodothyronine", {650.97, 1}},
      {"Triiodothyronine.free", {650.97, 1}}, {"Testosterone", {288.42, 1}},
      {"Estradiol", {272.38, 1}},      {"Cortisol", {362.46, 1}},
      {"Calcidiol+ercalcidiol", {400.64, 1}}, {"Calcidiol", {400.64, 1}},
      {"Cobalamins", {1355.37, 1}},    {"Folate", {441.4, 1}},
      {"Zinc", {65.38, 2}},            {"Copper", {63.546, 2}},
      {"Lithium", {6.94, 1}},          {"Progesterone", {314.46, 1}},
      {"Parathyrin.intact", {9424.0, 1}},
  };
  for (const Row& r : kRows) {
    if (r.component == component) return r.analyte;
  }
  return std::nullopt;
}

Result<double> ConvertValue(double value, std::string_view from_unit, std::string_view to_unit,
                            const std::optional<Analyte>& analyte) {
  ParsedUnit from = ParseUnit(from_unit);
  ParsedUnit to = ParseUnit(to_unit);
  if (from.kind == UnitKind::kUnknown) {
    return InvalidArgument("unknown unit '" + std::string(from_unit) + "'");
  }
  if (to.kind == UnitKind::kUnknown) {
    return InvalidArgument("unknown unit '" + std::string(to_unit) + "'");
  }
  if ((from.kind == UnitKind::kMassRatio && from.factor < 0) ||
      (to.kind == UnitKind::kMassRatio && to.factor < 0)) {
    if (from.kind == to.kind && from.factor < 0 && to.factor < 0) {
      return value * from.factor / to.factor;
    }
    return InvalidArgument("mass-per-mole ratios convert only to each other");
  }
  auto need_charge = [&](const ParsedUnit& u) { return u.equivalents; };
  if (from.kind == to.kind) {
    double base = value * from.factor;
    if (need_charge(from) != need_charge(to)) {
      if (!analyte) return InvalidArgument("mEq conversion needs the analyte's charge");
      // 1 mEq = 1/charge mmol.
      base = need_charge(from) ? base / analyte->charge : base * analyte->charge;
    }
    return base / to.factor;
  }
  bool mass_to_substance = from.kind == UnitKind::kMassConc && to.kind == UnitKind::kSubstanceConc;
  bool substance_to_mass = from.kind == UnitKind::kSubstanceConc && to.kind == UnitKind::kMassConc;
  if (mass_to_substance || substance_to_mass) {
    if (!analyte || analyte->molar_mass <= 0) {
      return InvalidArgument("converting between " + std::string(from_unit) + " and " +
                             std::string(to_unit) + " needs the analyte's molar mass");
    }
    if (mass_to_substance) {
      double mol_per_l = value * from.factor / analyte->molar_mass;
      if (to.equivalents) mol_per_l *= analyte->charge;
      return mol_per_l / to.factor;
    }
    double mol_per_l = value * from.factor;
    if (from.equivalents) mol_per_l /= analyte->charge;
    return mol_per_l * analyte->molar_mass / to.factor;
  }
  return InvalidArgument("cannot convert " + std::string(UnitKindName(from.kind)) + " (" +
                         std::string(from_unit) + ") to " + UnitKindName(to.kind) + " (" +
                         std::string(to_unit) + ")");
}

double HbA1cPercentToMmolPerMol(double percent) { return 10.929 * (percent - 2.15); }
double HbA1cMmolPerMolToPercent(double mmol_per_mol) { return mmol_per_mol / 10.929 + 2.15; }

}  // namespace mlw::mapping
