"""The Cox model's design matrix on whole pandas columns (fit, batch scoring, cross-checks).

Column for column the indicators of :func:`srgvhd.risk.covariates.encode`; kept apart from
:mod:`srgvhd.risk.covariates` so that predicting one patient needs no pandas.
"""

from __future__ import annotations

import pandas as pd

from srgvhd.clinical.policy import (
    AGE_GROUP_ADULT_FROM_YEARS,
    AGE_GROUP_OLDER_FROM_YEARS,
    HEMOGLOBIN_THRESHOLD_G_L,
)
from srgvhd.risk.covariates import COVARIATE_COLUMNS, GRADES


def design_matrix(ages: pd.Series, grades: pd.Series, hemoglobin_g_l: pd.Series) -> pd.DataFrame:
    """Design matrix (one row per patient) from ages in years, grades II/III/IV, Hb in g/L.

    Column for column the same indicators as ``encode``, computed on whole columns.
    """
    age = ages.astype(float).to_numpy()
    grade = grades.astype(str).to_numpy()
    unknown = sorted(set(grade) - set(GRADES))
    if unknown:
        raise ValueError(f"grade must be one of {GRADES}, not {unknown[0]!r}")
    columns = {
        "age_lt18": age < AGE_GROUP_ADULT_FROM_YEARS,
        "age_ge35": age >= AGE_GROUP_OLDER_FROM_YEARS,
        "grade_II": grade == "II",
        "grade_IV": grade == "IV",
        "hb_le_90": hemoglobin_g_l.astype(float).to_numpy() <= HEMOGLOBIN_THRESHOLD_G_L,
    }
    return pd.DataFrame(columns, index=ages.index, columns=list(COVARIATE_COLUMNS)).astype(float)
