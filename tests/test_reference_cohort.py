"""The synthetic reference cohort against every figure Niu et al. 2026 publish.

The expected numbers are typed here from the paper (docs/published-figures.md), not read from the
generator.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter

from srgvhd.risk.cohort import read_cohort
from srgvhd.risk.fit import fit_cox

ROOT = Path(__file__).resolve().parent.parent
CSV = ROOT / "training" / "reference_cohort.csv"
GENERATOR = ROOT / "training" / "generate_reference_cohort.py"


def load_generator():
    """Import training/generate_reference_cohort.py by path (``training`` is not installed)."""
    spec = importlib.util.spec_from_file_location("generate_reference_cohort", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def cohort() -> pd.DataFrame:
    return pd.read_csv(CSV)


@pytest.fixture(scope="module")
def fitted():
    return fit_cox(read_cohort(CSV))


def test_regenerating_gives_byte_identical_csv(tmp_path):
    out = tmp_path / "regenerated.csv"
    subprocess.run(
        [sys.executable, str(GENERATOR), str(out)],
        check=True,
        capture_output=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert out.read_bytes() == CSV.read_bytes()


def test_read_cohort_accepts_it():
    frame = read_cohort(CSV)
    assert len(frame) == 95
    assert {"arm", "pfs_days", "pfs_event", "cr_week4"} <= set(frame.columns)


def test_arms_sex_and_disease(cohort):
    assert len(cohort) == 95
    assert cohort["arm"].value_counts().to_dict() == {"standard": 51, "MSC": 44}
    assert cohort["sex"].value_counts().to_dict() == {"M": 50, "F": 45}
    disease = cohort["disease"].value_counts()
    assert disease["AML"] == 44 and disease["ALL"] == 27


def test_age_median_and_range_with_children(cohort):
    assert cohort["age_years"].median() == 32
    assert cohort["age_years"].min() == 6 and cohort["age_years"].max() == 64
    assert (cohort["age_years"] < 18).sum() > 0


def test_deaths_per_arm(cohort):
    deaths = cohort.groupby("arm")["death"].sum()
    assert deaths["MSC"] == 16 and deaths["standard"] == 17
    # published OS at end of follow-up: 63.6% (28/44) and 66.7% (34/51) alive
    alive = 1 - cohort.groupby("arm")["death"].mean()
    assert round(100 * alive["MSC"], 1) == 63.6 and round(100 * alive["standard"], 1) == 66.7


def test_week4_complete_response(cohort):
    cr = cohort.groupby("arm")["cr_week4"].sum()
    assert cr["MSC"] == 37 and cr["standard"] == 30
    severe = cohort[cohort["grade"].isin(["III", "IV"])]
    cr_severe = severe.groupby("arm")["cr_week4"].sum()
    assert cr_severe["MSC"] == 24 and cr_severe["standard"] == 16
    # the paper's percentages use the whole arm as denominator
    assert round(100 * 37 / 44, 1) == 84.1 and round(100 * 24 / 44, 1) == 54.5
    assert round(100 * 30 / 51, 1) == 58.8 and round(100 * 16 / 51, 1) == 31.4


def test_times_are_whole_days_and_pfs_events_include_every_death(cohort):
    for column in ("os_days", "pfs_days"):
        assert cohort[column].dtype.kind == "i" and (cohort[column] >= 0).all()
    assert (cohort["pfs_event"] >= cohort["death"]).all()
    assert (cohort["pfs_days"] <= cohort["os_days"]).all()
    # assumption 8 of the generator: deaths plus 2 (MSC) and 6 (standard) survivor events
    events = cohort.groupby("arm")["pfs_event"].sum()
    assert events["MSC"] == 16 + 2 and events["standard"] == 17 + 6


# Published multivariable Cox (Niu et al. 2026): HR and 95% CI.
PUBLISHED = {
    "age_ge35": (5.02, 1.01, 24.93),
    "grade_IV": (5.63, 1.09, 29.09),
    "hb_le_90": (5.13, 1.57, 16.77),
}


@pytest.mark.parametrize("name", list(PUBLISHED))
def test_multivariable_hazard_ratios_and_intervals(fitted, name):
    hr, lower, upper = PUBLISHED[name]
    row = fitted.summary.loc[name]
    assert row["exp(coef)"] == pytest.approx(hr, rel=0.15)
    assert lower / 1.5 <= row["exp(coef) lower 95%"] <= lower * 1.5
    assert upper / 1.5 <= row["exp(coef) upper 95%"] <= upper * 1.5


def arm_hr(cohort: pd.DataFrame, duration: str, event: str) -> float:
    data = pd.DataFrame(
        {"msc": (cohort["arm"] == "MSC").astype(int), "t": cohort[duration], "e": cohort[event]}
    )
    return float(np.exp(CoxPHFitter().fit(data, "t", "e").params_["msc"]))


def test_arm_hazard_ratios_for_os_and_pfs(cohort):
    assert arm_hr(cohort, "os_days", "death") == pytest.approx(1.04, abs=0.15)
    assert arm_hr(cohort, "pfs_days", "pfs_event") == pytest.approx(0.90, abs=0.15)


def test_assumptions_are_listed_and_in_the_docstring():
    generator = load_generator()
    items = generator.assumptions()
    assert len(items) >= 10
    doc = " ".join(generator.__doc__.split())
    for item in items:
        assert item and item in doc
    assert any("PFS" in item and "65.9%" in item for item in items)
