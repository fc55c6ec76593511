"""Words the app shows for a result: the risk model's driving factors.

The Cox model's covariates are the categories of Niu et al. 2026 (age ≥35 vs 18–35 years,
grade IV vs III, hemoglobin ≤90 vs >90 g/L); the reference patient is 18–34 years, grade III,
Hb > 90 g/L (srgvhd.risk.covariates).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from srgvhd.risk.covariates import COVARIATE_COLUMNS, encode

FACTOR_WORDS = {
    "age_lt18": "age <18",
    "age_ge35": "age ≥35",
    "grade_II": "grade II",
    "grade_IV": "grade IV",
    "hb_le_90": "Hb ≤ 90 g/L",
}
REFERENCE_WORDS = "none: the reference categories (age 18–34, grade III, Hb > 90 g/L)"


def model_hazard_ratios(covariates: Sequence[str], beta: Sequence[float]) -> dict[str, float]:
    """Hazard ratio exp(β) of each model covariate (indicator column name -> HR)."""
    return {name: math.exp(b) for name, b in zip(covariates, beta, strict=True)}


def driving_factors(risk_covariates: dict, hazard_ratios: dict[str, float]) -> list[str]:
    """The patient's non-reference categories with the model's HR, e.g. "age ≥35 (HR 5.02)".

    ``risk_covariates`` is the ``covariates`` object of an assess result's ``risk``
    (age_group, grade, hemoglobin_le_90). A category without a coefficient is named without HR.
    """
    row = encode(
        risk_covariates["age_group"], risk_covariates["grade"], risk_covariates["hemoglobin_le_90"]
    )
    factors = []
    for column, present in zip(COVARIATE_COLUMNS, row, strict=True):
        if not present:
            continue
        hr = hazard_ratios.get(column)
        factors.append(FACTOR_WORDS[column] + ("" if hr is None else f" (HR {hr:.2f})"))
    return factors or [REFERENCE_WORDS]
