"""The bundled reference model's risk figures stay what they were (to 1e-9).

tests/data/reference_risk_golden.json was written from the joblib-era code (commit cf13a25,
reference model 20261125T150155Z-f2ef9d5a) BEFORE the artifact moved to plain data: hazard
ratio, its 95% CI, survival at 180/365 days with the band (rounded as in the JSON contract and
unrounded) and a sample of the curve, for all 18 covariate groups (3 age groups × 3 grades ×
2 hemoglobin groups).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from srgvhd.risk.predict import patient_risk, survival_band
from srgvhd.risk.store import REFERENCE_DIR, ModelStore
from tests.conftest import REPO

GOLDEN = json.loads((REPO / "tests" / "data" / "reference_risk_golden.json").read_text())
TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def reference():
    return ModelStore(REFERENCE_DIR).load_active_strict()


def test_golden_file_covers_all_18_groups():
    groups = {tuple(p["covariates"].values()) for p in GOLDEN["patients"]}
    assert len(groups) == 18


def _name(patient: dict) -> str:
    return f"{patient['age_years']}-{patient['grade']}-{patient['hemoglobin_g_l']}"


@pytest.mark.parametrize("patient", GOLDEN["patients"], ids=_name)
def test_reference_risk_unchanged(reference, patient):
    risk = patient_risk(
        reference,
        age_years=patient["age_years"],
        grade=patient["grade"],
        hemoglobin_g_l=patient["hemoglobin_g_l"],
    ).to_json()
    assert risk["covariates"] == patient["covariates"]
    assert risk["hazard_ratio"] == pytest.approx(patient["hazard_ratio"], abs=TOLERANCE, rel=0)
    expected_ci = patient["hazard_ratio_ci"]
    assert risk["hazard_ratio_ci"] == pytest.approx(expected_ci, abs=TOLERANCE, rel=0)
    for horizon, expected in patient["survival"].items():
        assert risk["survival"][horizon] == pytest.approx(expected, abs=TOLERANCE, rel=0)
    sample = patient["curve_sample"]
    positions = [risk["curve"]["days"].index(day) for day in sample["days"]]
    for key in ("estimate", "lower", "upper"):
        got = [risk["curve"][key][i] for i in positions]
        assert got == pytest.approx(sample[key], abs=TOLERANCE, rel=0)


@pytest.mark.parametrize("patient", GOLDEN["patients"][::5], ids=lambda p: p["grade"])
def test_reference_band_unrounded_unchanged(reference, patient):
    est, lower, upper = survival_band(
        reference,
        age_years=patient["age_years"],
        grade=patient["grade"],
        hemoglobin_g_l=patient["hemoglobin_g_l"],
        days=np.array([180.0, 365.0]),
    )
    for i, horizon in enumerate(("180", "365")):
        expected = patient["survival_unrounded"][horizon]
        got = {"estimate": est[i], "lower": lower[i], "upper": upper[i]}
        assert got == pytest.approx(expected, abs=TOLERANCE, rel=0)
