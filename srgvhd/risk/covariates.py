"""Covariates of the Cox model and their encoding (clinical-rules.md §6; Niu et al. 2026).

The reference patient is the paper's reference categories: age 18–34 years, MAGIC grade III,
hemoglobin > 90 g/L (hazard ratio 1). Each other category gets one indicator column.
"""

from __future__ import annotations

import numpy as np

from srgvhd.clinical.policy import (
    AGE_GROUP_ADULT_FROM_YEARS,
    AGE_GROUP_OLDER_FROM_YEARS,
    HEMOGLOBIN_THRESHOLD_G_L,
    RISK_MODEL_GRADES,
)
from srgvhd.i18n.message import N_

AGE_GROUPS = ("<18", "18-34", "≥35")
GRADES = RISK_MODEL_GRADES
REFERENCE = {"age_group": "18-34", "grade": "III", "hemoglobin_le_90": False}

# Indicator columns of the design matrix, in a fixed order, with the labels shown to users.
COVARIATE_COLUMNS = ("age_lt18", "age_ge35", "grade_II", "grade_IV", "hb_le_90")
# Saved on the card in English (its coefficients' labels); said in the reader's language where
# shown (srgvhd.report.card_text.said).
COVARIATE_LABELS = {
    "age_lt18": N_("age <18 vs 18–34 years"),
    "age_ge35": N_("age ≥35 vs 18–34 years"),
    "grade_II": N_("grade II vs III"),
    "grade_IV": N_("grade IV vs III"),
    "hb_le_90": N_("hemoglobin ≤90 vs >90 g/L"),
}


def age_group(age_years: float) -> str:
    """Age group of the model: ``"<18"``, ``"18-34"`` or ``"≥35"``."""
    if age_years < AGE_GROUP_ADULT_FROM_YEARS:
        return "<18"
    if age_years < AGE_GROUP_OLDER_FROM_YEARS:
        return "18-34"
    return "≥35"


def hemoglobin_le_90(hemoglobin_g_l: float) -> bool:
    """True when hemoglobin is at or below the model's threshold (90 g/L)."""
    return hemoglobin_g_l <= HEMOGLOBIN_THRESHOLD_G_L


def encode(age_group_value: str, grade: str, hb_le_90: bool) -> np.ndarray:
    """Indicator row (in ``COVARIATE_COLUMNS`` order) for one patient's categories."""
    if age_group_value not in AGE_GROUPS:
        raise ValueError(f"age group must be one of {AGE_GROUPS}, not {age_group_value!r}")
    if grade not in GRADES:
        raise ValueError(f"grade must be one of {GRADES}, not {grade!r}")
    return np.array(
        [
            age_group_value == "<18",
            age_group_value == "≥35",
            grade == "II",
            grade == "IV",
            bool(hb_le_90),
        ],
        dtype=float,
    )
