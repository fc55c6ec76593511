"""Plausibility ranges of the values a clinician or a cohort file enters — the one table.

The upper bounds catch unit slips (g/dL typed as g/L, µmol/L as mg/dL); a value outside is a
typing error, not a patient. The case reader (:mod:`srgvhd.clinical.case`), the cohort reader
(:mod:`srgvhd.risk.cohort`, interfaces.md §3) and the risk model's patient check
(:mod:`srgvhd.risk.predict`) all read these ranges from here. Standard library only.
"""

from __future__ import annotations

# Inclusive (low, high) for each entered value; quantities keyed by "<name>_<unit>".
LIMITS: dict[str, tuple[float, float]] = {
    "age_years": (0.0, 120.0),
    "weight_kg": (0.0, 300.0),
    "hemoglobin_g/L": (20.0, 250.0),
    "hemoglobin_g/dL": (2.0, 25.0),
    "methylprednisolone_mg_per_kg_day": (0.0, 30.0),
    "bsa_percent": (0.0, 100.0),
    "bilirubin_mg/dL": (0.0, 100.0),
    "bilirubin_umol/L": (0.0, 1710.0),
    "stool_ml_per_day": (0.0, 20000.0),
    "stool_episodes_per_day": (0.0, 100.0),
}

# The risk model's two numeric inputs, as the cohort file and the patient check name them.
AGE_RANGE_YEARS = LIMITS["age_years"]
HEMOGLOBIN_RANGE_G_L = LIMITS["hemoglobin_g/L"]
# Follow-up in a cohort file: whole days up to 100 years.
MAX_FOLLOW_UP_DAYS = 36_500
