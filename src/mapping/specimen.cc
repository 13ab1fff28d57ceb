#include "mapping/specimen.h"

#include <string>

#include "mapping/text_normalizer.h"

namespace mlw::mapping {

const char* SpecimenName(Specimen s) {
  switch (s) {
    case Specimen::kUnknown: return "unknown";
    case Specimen::kBlood: return "blood";
    case Specimen::kWholeBlood: return "whole_blood";
    case Specimen::kSerumPlasma: return "serum_plasma";
    case Specimen::kArterial: return "arterial_blood";
    case Specimen::kVenous: return "venous_blood";
    case Specimen::kCapillary: return "capillary_blood";
    case Specimen::kUrine: return "urine";
    case Specimen::kCsf: return "csf";
    case Specimen::kStool: return "stool";
    case Specimen::kBodyFluid: return "body_fluid";
    case Specimen::kOther: return "other";
  }
  return "unknown";
}

Specimen ParseSpecimen(std::string_view text) {
  NormalizedName n = Normalize(text);
  if (n.specimen != Specimen::kUnknown) return n.specimen;
  // A specimen field holding only one specimen word keeps it as content (see Normalize).
  if (n.tokens.size() == 1) return SpecimenOfWord(n.tokens[0]);
  return Specimen::kUnknown;
}

Specimen SpecimenOfSystem(std::string_view system) {
  std::string s(system);
  auto has = [&](std::string_view needle) { return s.find(needle) != std::string::npos; };
  if (has("Urine")) return Specimen::kUrine;
  if (has("CSF")) return Specimen::kCsf;
  if (has("Stool")) return Specimen::kStool;
  if (has("Body fld") || has("Plr fld") || has("Periton fld") || has("Synv fld")) {
    return Specimen::kBodyFluid;
  }
  if (has("BldA")) return Specimen::kArterial;
  if (has("BldV")) return Specimen::kVenous;
  if (has("BldC")) return Specimen::kCapillary;
  if (has("Ser") || has("Plas") || has("PPP")) return Specimen::kSerumPlasma;
  if (has("Bld") || has("RBC") || has("Retic")) return Specimen::kWholeBlood;
  return Specimen::kOther;
}

bool IsDefaultSpecimen(Specimen code_specimen) {
  return code_specimen == Specimen::kSerumPlasma || code_specimen == Specimen::kWholeBlood;
}

int SpecimenAgreement(Specimen query, Specimen code) {
  if (query == Specimen::kUnknown || code == Specimen::kUnknown) return 0;
  if (query == code) return 1;
  auto is_blood_like = [](Specimen s) {
    return s == Specimen::kBlood || s == Specimen::kWholeBlood || s == Specimen::kSerumPlasma ||
           s == Specimen::kArterial || s == Specimen::kVenous || s == Specimen::kCapillary;
  };
  if (query == Specimen::kBlood) {
    // "Blood" on a report means whole blood for a CBC and serum/plasma for chemistry: no conflict.
    return is_blood_like(code) ? 0 : -1;
  }
  auto is_site = [](Specimen s) {
    return s == Specimen::kArterial || s == Specimen::kVenous || s == Specimen::kCapillary;
  };
  if (is_site(query) && is_site(code)) return -1;  // arterial is not venous
  if (is_blood_like(query) && is_blood_like(code)) {
    // Serum vs whole blood, or arterial vs a code for unspecified blood, is a mild mismatch that
    // unit and name evidence settle: neutral rather than a conflict.
    return 0;
  }
  if (code == Specimen::kOther) return 0;
  return -1;
}

}  // namespace mlw::mapping
