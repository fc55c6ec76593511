"""Unit conversions, kept in one place.

Bilirubin: 1 mg/dL = 17.1 µmol/L (clinical-rules.md §1). Hemoglobin: 1 g/dL = 10 g/L
(clinical-rules.md §6). Creatinine: 1 mg/dL = 88.4 µmol/L (EASIX, docs/interfaces.md §6).
Converted values are rounded to 6 decimals so that a value typed at a threshold in either unit
(e.g. 34.2 µmol/L = 2.0 mg/dL) lands exactly on the threshold.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Quantity:
    """A lab value with the unit it was entered in."""

    value: float
    unit: str


BILIRUBIN_UMOL_PER_MG_DL = 17.1
HEMOGLOBIN_G_L_PER_G_DL = 10.0
CREATININE_UMOL_PER_MG_DL = 88.4

BILIRUBIN_UNITS = ("mg/dL", "umol/L")
CREATININE_UNITS = BILIRUBIN_UNITS
HEMOGLOBIN_UNITS = ("g/L", "g/dL")

_BILIRUBIN_ALIASES = {"mg/dl": "mg/dL", "umol/l": "umol/L", "µmol/l": "umol/L", "μmol/l": "umol/L"}
_HEMOGLOBIN_ALIASES = {"g/l": "g/L", "g/dl": "g/dL"}


def canonical_bilirubin_unit(unit: str) -> str | None:
    """Return ``"mg/dL"`` or ``"umol/L"`` for an accepted spelling, else None."""
    return _BILIRUBIN_ALIASES.get(unit.strip().lower()) if isinstance(unit, str) else None


def canonical_hemoglobin_unit(unit: str) -> str | None:
    """Return ``"g/L"`` or ``"g/dL"`` for an accepted spelling, else None."""
    return _HEMOGLOBIN_ALIASES.get(unit.strip().lower()) if isinstance(unit, str) else None


def _mg_dl(value: float, unit: str, umol_per_mg_dl: float, name: str) -> float:
    """A value in mg/dL from mg/dL or µmol/L (``umol_per_mg_dl`` µmol/L = 1 mg/dL)."""
    canonical = canonical_bilirubin_unit(unit)
    if canonical == "mg/dL":
        return float(value)
    if canonical == "umol/L":
        return round(float(value) / umol_per_mg_dl, 6)
    raise ValueError(f"unknown {name} unit {unit!r}; use one of {', '.join(BILIRUBIN_UNITS)}")


def bilirubin_to_mg_dl(value: float, unit: str) -> float:
    """Total bilirubin in mg/dL from a value in mg/dL or µmol/L (÷ 17.1)."""
    return _mg_dl(value, unit, BILIRUBIN_UMOL_PER_MG_DL, "bilirubin")


def mg_dl_to_bilirubin_unit(value_mg_dl: float, unit: str) -> float:
    """Express a bilirubin in mg/dL in ``unit`` (for display)."""
    canonical = canonical_bilirubin_unit(unit)
    if canonical == "mg/dL":
        return float(value_mg_dl)
    if canonical == "umol/L":
        return round(float(value_mg_dl) * BILIRUBIN_UMOL_PER_MG_DL, 6)
    raise ValueError(f"unknown bilirubin unit {unit!r}; use one of {', '.join(BILIRUBIN_UNITS)}")


canonical_creatinine_unit = canonical_bilirubin_unit  # the same two units, the same spellings


def creatinine_to_mg_dl(value: float, unit: str) -> float:
    """Creatinine in mg/dL from a value in mg/dL or µmol/L (÷ 88.4)."""
    return _mg_dl(value, unit, CREATININE_UMOL_PER_MG_DL, "creatinine")


def hemoglobin_to_g_l(value: float, unit: str) -> float:
    """Hemoglobin in g/L from a value in g/L or g/dL."""
    canonical = canonical_hemoglobin_unit(unit)
    if canonical == "g/L":
        return float(value)
    if canonical == "g/dL":
        return round(float(value) * HEMOGLOBIN_G_L_PER_G_DL, 6)
    raise ValueError(f"unknown hemoglobin unit {unit!r}; use one of {', '.join(HEMOGLOBIN_UNITS)}")
