"""Prediction: hazard ratios, survival and its band, batch scoring (srgvhd.risk.predict).

Expected values come from lifelines' own fit (coefficients, covariance, Breslow baseline) or from
R's survival package — never from the code under test.
"""

from __future__ import annotations

import io
import math
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter

from srgvhd.errors import InputError
from srgvhd.risk.design import design_matrix
from srgvhd.risk.model import build_model
from srgvhd.risk.predict import patient_risk, score_frame

TIGHT = {"precision": 1e-12, "r_precision": 1e-15}
TRUE_LOG_HR = np.array([0.3, 1.0, -0.5, 1.2, 1.1])  # age<18, age≥35, grade II, grade IV, Hb≤90


def synthetic_cohort(
    n: int = 150, seed: int = 1, *, children: bool = True, censor_high: float = 390.0
) -> pd.DataFrame:
    """A cohort in read_cohort's normalised form, with whole-day times, ties and censoring."""
    rng = np.random.default_rng(seed)
    low_age = 2.0 if children else 18.0
    df = pd.DataFrame(
        {
            "patient_id": [f"P{i:05d}" for i in range(n)],
            "age_years": rng.uniform(low_age, 64.0, n).round(1),
            "grade": rng.choice(["II", "III", "IV"], n),
            "hemoglobin_g_l": rng.uniform(60.0, 130.0, n).round(0),
        }
    )
    x = design_matrix(df["age_years"], df["grade"], df["hemoglobin_g_l"]).to_numpy()
    event_time = rng.exponential(700.0 * np.exp(-(x @ TRUE_LOG_HR) / 2))
    censor_time = rng.uniform(60.0, censor_high, n)
    df["os_days"] = np.maximum(np.ceil(np.minimum(event_time, censor_time)), 1).astype(int)
    df["death"] = (event_time <= censor_time).astype(int)
    return df


def cohort_csv(df: pd.DataFrame) -> bytes:
    """The cohort as an interfaces.md §3 CSV file."""
    buffer = io.StringIO()
    df.to_csv(buffer, index=False)
    return buffer.getvalue().encode()


def fitted(df: pd.DataFrame) -> tuple[CoxPHFitter, pd.DataFrame]:
    """A lifelines fit (independent of srgvhd.risk.fit) on the non-constant design columns."""
    x = design_matrix(df["age_years"], df["grade"], df["hemoglobin_g_l"])
    x = x[[c for c in x.columns if x[c].nunique() > 1]]
    data = pd.concat([x, df[["os_days", "death"]]], axis=1)
    return CoxPHFitter().fit(data, "os_days", "death", fit_options=TIGHT), x


def make_model(df: pd.DataFrame):
    """(RiskModel, unstripped lifelines fit, design) for ``df``."""
    cph, x = fitted(df)
    return build_model(cph, x, df["os_days"], df["death"]), cph, x


@pytest.fixture(scope="module")
def cohort() -> pd.DataFrame:
    return synthetic_cohort()


@pytest.fixture(scope="module")
def trio(cohort):
    return make_model(cohort)


def test_reference_patient_has_hazard_ratio_one_with_degenerate_ci(trio):
    model, _, _ = trio
    risk = patient_risk(model, age_years=30, grade="III", hemoglobin_g_l=120).to_json()
    assert risk["covariates"] == {"age_group": "18-34", "grade": "III", "hemoglobin_le_90": False}
    assert risk["hazard_ratio"] == 1.0
    assert risk["hazard_ratio_ci"] == [1.0, 1.0]


def test_hazard_ratio_is_exp_of_the_sum_of_coefficients(trio):
    model, cph, _ = trio
    b = cph.params_
    risk = patient_risk(model, age_years=50, grade="IV", hemoglobin_g_l=85).to_json()
    expected = math.exp(b["age_ge35"] + b["grade_IV"] + b["hb_le_90"])
    assert risk["hazard_ratio"] == pytest.approx(expected, rel=1e-12)
    assert risk["covariates"] == {"age_group": "≥35", "grade": "IV", "hemoglobin_le_90": True}


def test_single_factor_ci_equals_lifelines_coefficient_ci(trio):
    model, cph, _ = trio
    # only Hb ≤ 90
    risk = patient_risk(model, age_years=30, grade="III", hemoglobin_g_l=90).to_json()
    lo, hi = np.exp(cph.confidence_intervals_.loc["hb_le_90"].to_numpy())
    assert risk["hazard_ratio_ci"] == pytest.approx([lo, hi], rel=1e-9)


def test_two_factor_ci_uses_the_covariance(trio):
    model, cph, _ = trio
    v = cph.variance_matrix_
    var = (
        v.loc["age_lt18", "age_lt18"]
        + v.loc["grade_II", "grade_II"]
        + 2 * v.loc["age_lt18", "grade_II"]
    )
    lp = cph.params_["age_lt18"] + cph.params_["grade_II"]
    risk = patient_risk(model, age_years=10, grade="II", hemoglobin_g_l=100).to_json()
    z = 1.959963984540054
    expected = [math.exp(lp - z * math.sqrt(var)), math.exp(lp + z * math.sqrt(var))]
    assert risk["hazard_ratio_ci"] == pytest.approx(expected, rel=1e-9)


def test_survival_curve_matches_lifelines_breslow_at_event_times(trio, cohort):
    model, cph, x = trio
    risk = patient_risk(model, age_years=40, grade="II", hemoglobin_g_l=100).to_json()
    row = pd.DataFrame([dict.fromkeys(x.columns, 0.0) | {"age_ge35": 1.0, "grade_II": 1.0}])
    event_days = np.unique(cohort.loc[cohort["death"] == 1, "os_days"])[:40]
    expected = cph.predict_survival_function(row, times=event_days).to_numpy()[:, 0]
    days = risk["curve"]["days"]
    got = [risk["curve"]["estimate"][days.index(int(d))] for d in event_days]
    assert got == pytest.approx(expected, abs=2e-6)


def test_band_contains_estimate_and_curve_is_bounded(trio, cohort):
    model, _, _ = trio
    risk = patient_risk(model, age_years=40, grade="IV", hemoglobin_g_l=80).to_json()
    curve = risk["curve"]
    assert curve["days"][0] == 0 and curve["days"][-1] == cohort["os_days"].max()
    assert len(curve["days"]) <= 400
    for lo, est, hi in zip(curve["lower"], curve["estimate"], curve["upper"], strict=True):
        assert 0.0 <= lo <= est <= hi <= 1.0
    assert np.all(np.diff(curve["estimate"]) <= 0)
    s180 = risk["survival"]["180"]
    assert s180["lower"] < s180["estimate"] < s180["upper"]
    assert s180["estimate"] == curve["estimate"][curve["days"].index(180)]


def test_horizon_beyond_last_follow_up_is_null():
    df = synthetic_cohort(120, seed=3, censor_high=300.0)
    df["os_days"] = df["os_days"].clip(upper=300)
    model, _, _ = make_model(df)
    risk = patient_risk(model, age_years=30, grade="III", hemoglobin_g_l=120).to_json()
    assert risk["survival"]["365"] == {"estimate": None, "lower": None, "upper": None}
    assert risk["survival"]["180"]["estimate"] is not None


def test_category_absent_from_training_is_refused_naming_the_field():
    model, _, _ = make_model(synthetic_cohort(120, seed=4, children=False))
    assert "age_lt18" not in model.covariates
    with pytest.raises(InputError) as info:
        patient_risk(model, age_years=9, grade="III", hemoglobin_g_l=120)
    assert info.value.problems[0].where == "age_years"
    assert "<18" in info.value.problems[0].what


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"age_years": float("nan"), "grade": "III", "hemoglobin_g_l": 100}, "age_years"),
        ({"age_years": 30, "grade": "V", "hemoglobin_g_l": 100}, "grade"),
        ({"age_years": 30, "grade": "III", "hemoglobin_g_l": 9.0}, "hemoglobin_g_l"),
        ({"age_years": "30", "grade": "III", "hemoglobin_g_l": 100}, "age_years"),
        ({"age_years": True, "grade": "III", "hemoglobin_g_l": 100}, "age_years"),
        ({"age_years": 30, "grade": "III", "hemoglobin_g_l": float("inf")}, "hemoglobin_g_l"),
    ],
)
def test_bad_patient_values_name_the_field(trio, kwargs, field):
    with pytest.raises(InputError) as info:
        patient_risk(trio[0], **kwargs)
    assert [p.where for p in info.value.problems] == [field]


def test_numpy_numbers_are_accepted(trio):
    risk = patient_risk(
        trio[0], age_years=np.int64(40), grade="III", hemoglobin_g_l=np.float32(85.0)
    ).to_json()
    assert risk["covariates"] == {"age_group": "≥35", "grade": "III", "hemoglobin_le_90": True}


def test_score_frame_agrees_with_patient_risk(trio, cohort):
    model, _, _ = trio
    rows = cohort.head(25)
    scored = score_frame(model, rows)
    for i, row in rows.iterrows():
        one = patient_risk(
            model,
            age_years=row["age_years"],
            grade=row["grade"],
            hemoglobin_g_l=row["hemoglobin_g_l"],
        ).to_json()
        assert scored.loc[i, "hazard_ratio"] == pytest.approx(one["hazard_ratio"], rel=1e-12)
        assert scored.loc[i, "survival_180"] == pytest.approx(
            one["survival"]["180"]["estimate"], abs=1e-6
        )
        assert scored.loc[i, "age_group"] == one["covariates"]["age_group"]


def test_score_frame_names_row_of_untrained_category():
    model, _, _ = make_model(synthetic_cohort(120, seed=4, children=False))
    rows = synthetic_cohort(5, seed=9, children=False)
    rows.loc[3, "age_years"] = 12.0
    with pytest.raises(InputError) as info:
        score_frame(model, rows)
    assert [p.where for p in info.value.problems] == [
        "row 5 (patient_id 'P00003'), column age_years"
    ]


R_SCRIPT = """
library(survival)
d <- read.csv(file("stdin"))
fit <- coxph(Surv(os_days, death) ~ ., data = d, ties = "efron",
             control = coxph.control(eps = 1e-12, iter.max = 100, toler.chol = 1e-15))
nd <- data.frame(age_lt18 = c(0, 0, 1), age_ge35 = c(0, 1, 0), grade_II = c(0, 0, 0),
                 grade_IV = c(0, 0, 1), hb_le_90 = c(0, 1, 1))
s <- summary(survfit(fit, newdata = nd, ctype = 1, conf.type = "log-log"), times = c(180, 365))
write.csv(data.frame(est = as.vector(s$surv), lo = as.vector(s$lower), hi = as.vector(s$upper)),
          stdout(), row.names = FALSE)
"""
R_PATIENTS = [  # the rows of nd above, as patient values
    {"age_years": 30, "grade": "III", "hemoglobin_g_l": 120},
    {"age_years": 45, "grade": "III", "hemoglobin_g_l": 80},
    {"age_years": 12, "grade": "IV", "hemoglobin_g_l": 90},
]


@pytest.mark.rcheck
@pytest.mark.skipif(shutil.which("Rscript") is None, reason="R is not installed")
def test_survival_band_matches_r_survfit_coxph(trio, cohort):
    """Same Efron coefficients, Breslow baseline (ctype = 1), Tsiatis variance, log-log band."""
    model, _, x = trio
    data = pd.concat([x, cohort[["os_days", "death"]]], axis=1).to_csv(index=False)
    out = subprocess.run(
        ["Rscript", "-e", R_SCRIPT],
        input=data,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    r = pd.read_csv(io.StringIO(out))
    assert len(r) == 2 * len(R_PATIENTS)
    for p, patient in enumerate(R_PATIENTS):
        risk = patient_risk(model, **patient).to_json()
        for h, horizon in enumerate(("180", "365")):
            got, want = risk["survival"][horizon], r.iloc[2 * p + h]
            assert got["estimate"] == pytest.approx(want["est"], abs=1e-4)
            assert got["lower"] == pytest.approx(want["lo"], abs=1e-4)
            assert got["upper"] == pytest.approx(want["hi"], abs=1e-4)


def test_long_follow_up_curve_is_thinned_to_400_whole_days():
    model, _, _ = make_model(synthetic_cohort(150, seed=5, censor_high=2000.0))
    risk = patient_risk(model, age_years=30, grade="III", hemoglobin_g_l=120).to_json()
    days = risk["curve"]["days"]
    assert len(days) == 400 and days[0] == 0 and days[-1] == int(model.baseline.max_follow_up_days)
    assert days == sorted(set(days))
