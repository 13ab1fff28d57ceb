// Specimen classes: what a report says a test was measured in, and what a LOINC SYSTEM means, on
// one coarse scale so the two can be compared.
#pragma once

#include <string_view>

namespace mlw::mapping {

enum class Specimen {
  kUnknown = 0,
  kBlood,        // "blood" as printed: often colloquial for serum/plasma ("blood sugar")
  kWholeBlood,   // explicitly whole blood
  kSerumPlasma,  // serum, plasma, platelet-poor plasma
  kArterial,     // arterial blood
  kVenous,       // venous blood
  kCapillary,    // capillary blood, fingerstick
  kUrine,        // spot, random or 24 hour urine
  kCsf,          // cerebrospinal fluid
  kStool,
  kBodyFluid,    // pleural, ascitic, synovial, ...
  kOther,        // anything else (semen, respiratory, patient-level, ...)
};

const char* SpecimenName(Specimen s);

// Maps a specimen word or phrase as printed ("Serum", "EDTA whole blood", "urine (spot)") to a
// class; kUnknown when nothing is recognised.
Specimen ParseSpecimen(std::string_view text);

// Maps a LOINC SYSTEM value ("Ser/Plas", "Bld", "Urine sed", "24H^Urine", "BldA", "PPP") to a class.
Specimen SpecimenOfSystem(std::string_view system);

// True when a code measured in `code_specimen` is normally reported without saying where it came
// from: blood and its derivatives. Used as the prior when the query carries no specimen.
bool IsDefaultSpecimen(Specimen code_specimen);

// How well a query specimen fits a code's specimen: +1 clear match, 0 neutral, -1 clear conflict.
int SpecimenAgreement(Specimen query, Specimen code);

}  // namespace mlw::mapping
