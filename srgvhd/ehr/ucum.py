"""The units a FHIR result may carry, read from its UCUM code (``valueQuantity.code``), never
from the display text, and how each maps onto the case file's unit (docs/ehr.md, "Units").

Every table maps a UCUM code to ``(case unit, factor)``: the case value is the recorded value ×
factor. A code not in its table is refused by the caller (the result is listed as skipped with
the unit named), never guessed. UCUM is case-sensitive except that ``l`` and ``L`` both denote
the litre, so both spellings are listed.

Factors: 1 [lb_av] = 0.45359237 kg (the international avoirdupois pound, exact); 1 g = 0.001 kg;
1 µkat/L = 60 U/L (1 U = 1 µmol/min, 1 kat = 1 mol/s); 10*3/uL = 10*9/L = /nL (the same count
per litre). Hemoglobin, bilirubin and creatinine keep their recorded value in the recorded unit
(g/dL or g/L; mg/dL or µmol/L), which the case file accepts as they are (interfaces.md §1, §6);
the engine converts them in ``srgvhd.clinical.units``.
"""

from __future__ import annotations

from dataclasses import dataclass

UCUM_SYSTEM = "http://unitsofmeasure.org"

# Converted values are rounded to 6 decimals, as in srgvhd.clinical.units, so that a value at a
# threshold in one unit lands on the threshold in the other and no binary noise is written.
DECIMALS = 6


def _litre_spellings(table: dict[str, tuple[str, float]]) -> dict[str, tuple[str, float]]:
    """Each code ending in ``/L`` (or ``L`` inside) also under its lower-case-litre spelling."""
    out = dict(table)
    for code, target in table.items():
        if code.endswith("L"):
            out.setdefault(code[:-1] + "l", target)
    return out


WEIGHT = {"kg": ("kg", 1.0), "g": ("kg", 0.001), "[lb_av]": ("kg", 0.45359237)}
HEMOGLOBIN = _litre_spellings({"g/dL": ("g/dL", 1.0), "g/L": ("g/L", 1.0)})
BILIRUBIN = _litre_spellings({"mg/dL": ("mg/dL", 1.0), "umol/L": ("umol/L", 1.0)})
CREATININE = BILIRUBIN
LDH = _litre_spellings({"U/L": ("U/L", 1.0), "[IU]/L": ("U/L", 1.0), "ukat/L": ("U/L", 60.0)})
PLATELETS = _litre_spellings(
    {
        "10*9/L": ("10*9/L", 1.0),
        "10*3/uL": ("10*9/L", 1.0),
        "/nL": ("10*9/L", 1.0),
        "10*3/mm3": ("10*9/L", 1.0),
    }
)
DOSE = {"mg": ("mg", 1.0), "g": ("mg", 1000.0)}


@dataclass(frozen=True)
class Converted:
    """A recorded quantity expressed in the case file's unit."""

    value: float
    unit: str


def convert(value: float, code: str, table: dict[str, tuple[str, float]]) -> Converted | None:
    """``value`` recorded in UCUM ``code`` expressed in the table's case unit, or None when the
    code is not one the table accepts."""
    found = table.get(code)
    if found is None:
        return None
    unit, factor = found
    return Converted(float(value) if factor == 1.0 else round(value * factor, DECIMALS), unit)
