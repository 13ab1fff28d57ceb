#include "mapping/text_normalizer.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <utility>

namespace mlw::mapping {
namespace {

// Splits on anything that is not a letter or digit and between letters and digits. "%" and "#"
// carry meaning on reports (percent vs absolute differential counts) and become words.
std::vector<std::string> Tokenize(std::string_view in) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    if (!cur.empty()) out.push_back(std::move(cur));
    cur.clear();
  };
  for (size_t i = 0; i < in.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(in[i]);
    if (c == 0xC2 && i + 1 < in.size() && static_cast<unsigned char>(in[i + 1]) == 0xB5) {
      c = 'u';  // U+00B5 micro sign
      ++i;
    } else if (c == 0xCE && i + 1 < in.size() && static_cast<unsigned char>(in[i + 1]) == 0xBC) {
      c = 'u';  // U+03BC greek mu
      ++i;
    } else if (c >= 0x80) {
      flush();
      continue;
    }
    if (c == '%') {
      flush();
      out.emplace_back("pct");
      continue;
    }
    if (c == '#') {
      flush();
      out.emplace_back("abs");
      continue;
    }
    if (std::isalnum(c)) {
      char lc = static_cast<char>(std::tolower(c));
      if (!cur.empty() && (std::isdigit(static_cast<unsigned char>(cur.back())) != 0) !=
                              (std::isdigit(c) != 0)) {
        flush();
      }
      cur.push_back(lc);
    } else {
      flush();
    }
  }
  flush();
  return out;
}

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool EndsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

// British to American spelling, applied to word stems.
std::string FoldSpelling(std::string t) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 10> kPrefixes = {{
      {"haem", "hem"}, {"anaem", "anem"}, {"oestr", "estr"}, {"oes", "es"}, {"foet", "fet"},
      {"faec", "fec"}, {"caerul", "cerul"}, {"leuco", "leuko"}, {"sulph", "sulf"},
      {"paed", "ped"},
  }};
  for (const auto& [from, to] : kPrefixes) {
    if (StartsWith(t, from)) {
      t = std::string(to) + t.substr(from.size());
      break;
    }
  }
  if (t == "colour") return "color";
  if (t == "tumour") return "tumor";
  if (t == "phosphorous") return "phosphorus";
  if (t == "titre") return "titer";
  if (EndsWith(t, "ised") && t.size() > 6) t = t.substr(0, t.size() - 4) + "ized";
  if (EndsWith(t, "ising") && t.size() > 7) t = t.substr(0, t.size() - 5) + "izing";
  if (EndsWith(t, "isation") && t.size() > 9) t = t.substr(0, t.size() - 7) + "ization";
  return t;
}

// Canonical forms of words whose variants are interchangeable on reports.
std::string_view Canonical(std::string_view t) {
  struct Pair {
    std::string_view from, to;
  };
  static constexpr Pair kMap[] = {
      {"calculated", "calc"}, {"calculation", "calc"}, {"computed", "calc"}, {"derived", "calc"},
      {"percent", "pct"},     {"percentage", "pct"},   {"absolute", "abs"},  {"hgb", "hemoglobin"},
      {"hb", "hemoglobin"},   {"antibody", "ab"},      {"antibodies", "ab"}, {"antigen", "ag"},
      {"antigens", "ag"},     {"hours", "h"},          {"hour", "h"},        {"hr", "h"},
      {"hrs", "h"},           {"vit", "vitamin"},      {"chol", "cholesterol"},
      {"bili", "bilirubin"},  {"creat", "creatinine"}, {"tot", "total"},     {"cnt", "count"},
      {"sat", "saturation"},  {"alk", "alkaline"},     {"ratios", "ratio"},
      {"estd", "estimated"},  {"ultrasensitive", "ultra sensitive"}, {"gm", "g"},
      {"postprandial", "post prandial"}, {"pp", "post prandial"},
  };
  for (const Pair& p : kMap) {
    if (p.from == t) return p.to;
  }
  return t;
}

// Words that add nothing to the identity of a test.
bool IsFiller(std::string_view t) {
  static constexpr std::string_view kFiller[] = {
      "of",  "in",     "the",   "for",   "by",         "on",    "and",   "level", "levels",
      "test", "tests", "estimation", "value", "result", "results", "conc", "concentration",
      "assay", "report", "with",  "measurement", "screen"};
  return std::find(std::begin(kFiller), std::end(kFiller), t) != std::end(kFiller);
}

std::string Stem(std::string t) {
  if (t.size() > 3 && t.back() == 's' && t[t.size() - 2] != 's' && t[t.size() - 2] != 'u' &&
      !std::isdigit(static_cast<unsigned char>(t[t.size() - 2]))) {
    t.pop_back();
  }
  return t;
}

int SpecimenStrength(Specimen s) {
  switch (s) {
    case Specimen::kUnknown: return 0;
    case Specimen::kBlood: return 1;
    default: return 2;
  }
}

}  // namespace

Specimen SpecimenOfWord(std::string_view t) {
  if (t == "serum" || t == "plasma" || t == "sr" || t == "ser" || t == "serumplasma") {
    return Specimen::kSerumPlasma;
  }
  if (t == "blood" || t == "bld") return Specimen::kBlood;
  if (t == "urine" || t == "urinary" || t == "ur" || t == "urin") return Specimen::kUrine;
  if (t == "csf" || t == "cerebrospinal") return Specimen::kCsf;
  if (t == "stool" || t == "fecal" || t == "feces" || t == "motion") return Specimen::kStool;
  if (t == "fluid" || t == "pleural" || t == "ascitic" || t == "peritoneal" || t == "synovial" ||
      t == "pericardial") {
    return Specimen::kBodyFluid;
  }
  if (t == "arterial") return Specimen::kArterial;
  if (t == "venous") return Specimen::kVenous;
  if (t == "capillary") return Specimen::kCapillary;
  return Specimen::kUnknown;
}

NormalizedName Normalize(std::string_view printed_name) {
  std::vector<std::string> raw = Tokenize(printed_name);
  NormalizedName out;
  std::vector<std::string> words;
  for (size_t i = 0; i < raw.size(); ++i) {
    std::string t = FoldSpelling(std::move(raw[i]));
    // "S. Creatinine", "S Urea": a leading lone "s" abbreviates "serum".
    if (t == "s" && i == 0 && raw.size() > 1) t = "serum";
    std::string_view c = Canonical(t);
    // Canonical forms may expand to several words ("ultrasensitive" -> "ultra sensitive").
    size_t start = 0;
    while (start <= c.size()) {
      size_t sp = c.find(' ', start);
      if (sp == std::string_view::npos) sp = c.size();
      if (sp > start) words.emplace_back(c.substr(start, sp - start));
      start = sp + 1;
    }
  }
  std::string last_specimen_word;
  for (std::string& w : words) {
    if (IsFiller(w)) continue;
    Specimen s = SpecimenOfWord(w);
    if (s != Specimen::kUnknown) {
      if (SpecimenStrength(s) > SpecimenStrength(out.specimen)) out.specimen = s;
      last_specimen_word = w;
      continue;
    }
    out.tokens.push_back(Stem(std::move(w)));
  }
  // "Urine blood", "Blood": when only specimen words are present the last one is the analyte.
  if (out.tokens.empty() && !last_specimen_word.empty()) {
    out.tokens.push_back(last_specimen_word);
    Specimen s = SpecimenOfWord(last_specimen_word);
    if (out.specimen == s) {
      out.specimen = Specimen::kUnknown;
      for (const std::string& w : words) {
        Specimen other = SpecimenOfWord(w);
        if (w != last_specimen_word && other != Specimen::kUnknown) out.specimen = other;
      }
    }
  }
  for (const std::string& t : out.tokens) {
    if (!out.text.empty()) out.text.push_back(' ');
    out.text += t;
  }
  std::vector<std::string> sorted = out.tokens;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  for (const std::string& t : sorted) {
    if (!out.key.empty()) out.key.push_back(' ');
    out.key += t;
  }
  return out;
}

}  // namespace mlw::mapping
