// Units as printed on lab reports: parsing into a dimension ("kind") and a scale factor, comparing
// units for the mapper, and converting values for the labs pipeline (mg/dL <-> mmol/L via molar
// masses, µmol/L <-> mg/dL for creatinine, 10^9/L <-> /µL, mEq/L for divalent ions, HbA1c % <->
// mmol/mol). All functions are pure and safe to call concurrently.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace mlw::mapping {

enum class UnitKind {
  kUnknown = 0,      // not recognised
  kDimensionless,    // ratio, index, INR, S/CO, specific gravity
  kMassConc,         // g/L family: g/dL, mg/dL, µg/dL, ng/mL, pg/mL, mg%, gm%
  kSubstanceConc,    // mol/L family: mmol/L, µmol/L, nmol/L, pmol/L, mEq/L
  kNumberConc,       // count per volume: /µL, 10^9/L, 10^3/µL, cells/cumm, lakh/cumm
  kFraction,         // %, L/L
  kArbitraryConc,    // enzyme or arbitrary units per volume: U/L, IU/L, mIU/mL, µIU/mL, kU/L
  kEntVolume,        // fL (MCV, MPV)
  kEntMass,          // pg (MCH)
  kTime,             // s, min
  kVelocity,         // mm/h (ESR)
  kPressure,         // mmHg, kPa
  kFlowPerArea,      // mL/min/1.73 m2 (eGFR)
  kFlow,             // mL/min (clearance)
  kMassRatio,        // mg/g, mg/mmol creatinine ratios
  kMassRate,         // mg/24 h
  kSubstanceRate,    // mmol/24 h
  kNumberArea,       // /HPF, /LPF
  kOsmolality,       // mOsm/kg
  kTiter,            // 1:80, titer
  kPh,               // pH
  kSubstanceFraction,  // mmol/mol (IFCC HbA1c)
  kMassContent,      // µg/g, mg/kg
  kVolume,           // mL
};

const char* UnitKindName(UnitKind kind);

struct ParsedUnit {
  UnitKind kind = UnitKind::kUnknown;
  // Multiply a value in this unit by `factor` to express it in the kind's base unit (g/L, mol/L,
  // 1/L, fraction 1, U/L, fL, pg, s, mm/h, kPa, ...). Undefined for kUnknown.
  double factor = 1;
  // Lower-case, whitespace-free spelling with µ as "u"; used to compare unknown units literally.
  std::string cleaned;
  // Set when the unit was mEq (equivalents): conversion to moles needs the ion's charge.
  bool equivalents = false;
};

// Never fails: unrecognised text yields kind kUnknown. Empty text yields kUnknown with empty cleaned.
ParsedUnit ParseUnit(std::string_view printed_unit);

// True when both units are recognised and denote the same unit (e.g. "x10^9/L" and "10*3/uL"), or
// both are unrecognised and spelled the same after cleaning.
bool SameUnit(const ParsedUnit& a, const ParsedUnit& b);

// Chemistry of an analyte needed for conversions between mass and substance concentrations.
struct Analyte {
  double molar_mass = 0;  // g/mol of the species the concentration counts (urea nitrogen: 28.014)
  int charge = 1;         // |valence| for mEq conversions (calcium, magnesium: 2)
};

// Molar mass and charge for a LOINC COMPONENT from the built-in table (glucose, cholesterol,
// triglyceride, creatinine, urea, urea nitrogen, urate, calcium, magnesium, phosphate, bilirubin,
// iron, sodium, potassium, chloride, bicarbonate, lactate, ...); nullopt when not known.
std::optional<Analyte> AnalyteForComponent(std::string_view loinc_component);

// Converts `value` from one unit to another. Same-kind conversions need no analyte; mass <->
// substance conversions (and mEq for multivalent ions) need `analyte`. Errors: InvalidArgument for
// unknown units, incompatible kinds, or a missing analyte.
Result<double> ConvertValue(double value, std::string_view from_unit, std::string_view to_unit,
                            const std::optional<Analyte>& analyte = std::nullopt);

// HbA1c: NGSP/DCCT percent <-> IFCC mmol/mol (master equation, IFCC = 10.929 * (NGSP - 2.15)).
double HbA1cPercentToMmolPerMol(double percent);
double HbA1cMmolPerMolToPercent(double mmol_per_mol);

}  // namespace mlw::mapping
