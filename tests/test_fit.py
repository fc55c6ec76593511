"""Cox fit and metrics: EPV rule, recovery of known coefficients, refusals, metric contract."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pandas as pd
import pytest

from srgvhd.errors import InputError
from srgvhd.risk.fit import (
    check_events_per_coefficient,
    evaluate,
    fit_cox,
    present_covariates,
)

TRUE_BETA = {"age_lt18": 0.3, "age_ge35": 0.7, "grade_II": -0.5, "grade_IV": 1.0, "hb_le_90": 0.6}


def simulate(n: int, seed: int, beta: dict[str, float] = TRUE_BETA) -> pd.DataFrame:
    """Exponential survival times (baseline median ~250 days) with uniform censoring."""
    rng = np.random.default_rng(seed)
    age = rng.choice([10.0, 25.0, 50.0], n, p=[0.2, 0.4, 0.4])
    grade = rng.choice(["II", "III", "IV"], n)
    hb = rng.choice([80.0, 120.0], n)
    lp = (
        beta["age_lt18"] * (age < 18)
        + beta["age_ge35"] * (age >= 35)
        + beta["grade_II"] * (grade == "II")
        + beta["grade_IV"] * (grade == "IV")
        + beta["hb_le_90"] * (hb <= 90)
    )
    event_time = rng.exponential(365 / np.exp(lp))
    censor_time = rng.uniform(30, 1000, n)
    return pd.DataFrame(
        {
            "patient_id": [f"s{i}" for i in range(n)],
            "age_years": age,
            "grade": grade,
            "hemoglobin_g_l": hb,
            "os_days": np.ceil(np.minimum(event_time, censor_time)).astype(int),
            "death": (event_time <= censor_time).astype(int),
        }
    )


def cohort(rows: list[tuple[float, str, float, int, int]]) -> pd.DataFrame:
    """Cohort frame from (age, grade, hb, os_days, death) tuples."""
    frame = pd.DataFrame(rows, columns=["age_years", "grade", "hemoglobin_g_l", "os_days", "death"])
    frame.insert(0, "patient_id", [f"p{i}" for i in range(len(frame))])
    return frame


@pytest.fixture(scope="module")
def large() -> pd.DataFrame:
    return simulate(5000, seed=20260401)


@pytest.fixture(scope="module")
def small() -> pd.DataFrame:
    return simulate(300, seed=7)


def test_fit_recovers_known_coefficients(large):
    cph = fit_cox(large)
    assert list(cph.params_.index) == list(TRUE_BETA)
    for name, truth in TRUE_BETA.items():
        # ~0.04 standard error at n = 5000 with ~80% events: 0.12 is about 3 SE.
        assert cph.params_[name] == pytest.approx(truth, abs=0.12), name


def _epv_cohort(deaths: int) -> pd.DataFrame:
    """Two coefficients (grade IV, Hb ≤ 90); adults 18–34 only; 60 patients."""
    rows = []
    for i in range(60):
        grade = "IV" if i % 2 else "III"
        hb = 80.0 if i % 3 else 100.0
        rows.append((25.0, grade, hb, 10 + i, int(i < deaths)))
    return cohort(rows)


def test_epv_boundary_exactly_ten_per_coefficient_passes():
    frame = _epv_cohort(deaths=20)
    assert present_covariates(frame) == ["grade_IV", "hb_le_90"]
    check_events_per_coefficient(frame, allow_low_epv=False)


def test_epv_one_death_fewer_is_refused_with_numbers_and_the_flag():
    with pytest.raises(InputError) as info:
        check_events_per_coefficient(_epv_cohort(deaths=19), allow_low_epv=False)
    (problem,) = info.value.problems
    assert problem.where == "column death"
    assert "19 deaths" in problem.what and "2 coefficients" in problem.what
    assert "--allow-low-epv" in problem.what


def test_epv_refusal_can_be_overridden():
    check_events_per_coefficient(_epv_cohort(deaths=19), allow_low_epv=True)


def test_constant_column_is_dropped(large):
    adults = large[large["age_years"] >= 18].reset_index(drop=True)
    assert present_covariates(adults) == ["age_ge35", "grade_II", "grade_IV", "hb_le_90"]
    assert "age_lt18" not in fit_cox(adults).params_.index


def test_group_without_deaths_is_refused_plainly(small):
    frame = small.copy()
    frame.loc[frame["grade"] == "IV", "death"] = 0
    with pytest.raises(InputError) as info:
        fit_cox(frame)
    assert info.value.problems[0].where == "column death"
    assert "grade_IV = 1" in info.value.problems[0].what


def test_collinear_covariates_are_refused_plainly(small):
    frame = small.copy()
    older = frame["age_years"] >= 35
    frame["grade"] = np.where(older, "IV", "III")  # grade IV if and only if age ≥ 35
    with pytest.raises(InputError) as info:
        fit_cox(frame)
    assert "did not converge" in str(info.value)


def test_deaths_all_on_one_day_are_refused_plainly(small):
    frame = small.copy()
    frame.loc[frame["death"] == 1, "os_days"] = 30
    with pytest.raises(InputError) as info:
        fit_cox(frame)
    (problem,) = info.value.problems
    assert problem.where == "column os_days"
    assert "every death is on day 30" in problem.what
    frame.loc[frame.index[frame["death"] == 1][0], "os_days"] = 31  # a second death day: fits
    assert len(fit_cox(frame).params_) == 5


def test_singular_ph_test_is_reported_not_raised(small, monkeypatch):
    """When the PH score test's information matrix is singular, the card says it could not be
    computed; training does not crash."""

    def singular(*args, **kwargs):
        raise np.linalg.LinAlgError("Singular matrix")

    monkeypatch.setattr("srgvhd.risk.fit.ph_score_test", singular)
    metrics = evaluate(small, fit_cox(small))
    ph = metrics["ph_test"]
    assert ph["verdict"].startswith("Could not be computed")
    assert ph["global"]["p"] is None and all(c["p"] is None for c in ph["covariates"])
    json.dumps(metrics, allow_nan=False)


def test_nothing_varies_is_refused():
    frame = cohort([(25.0, "III", 100.0, d, d % 2) for d in range(1, 11)])
    with pytest.raises(InputError):
        fit_cox(frame)


def harrell_c(time: np.ndarray, event: np.ndarray, risk: np.ndarray) -> float:
    """Brute-force Harrell's C, risk ties count 1/2.

    A pair is comparable when i died before j's time, or at j's time while j was censored.
    """
    concordant = comparable = 0.0
    for i, j in itertools.permutations(range(len(time)), 2):
        if event[i] and (time[i] < time[j] or (time[i] == time[j] and not event[j])):
            comparable += 1
            concordant += 1.0 if risk[i] > risk[j] else 0.5 if risk[i] == risk[j] else 0.0
    return concordant / comparable


@pytest.fixture(scope="module")
def small_metrics(small):
    cph = fit_cox(small)
    return cph, evaluate(small, cph)


def test_evaluate_contract_and_ranges(small, small_metrics):
    cph, metrics = small_metrics
    json.dumps(metrics)  # JSON-serialisable
    assert [c["name"] for c in metrics["coefficients"]] == list(cph.params_.index)
    for c in metrics["coefficients"]:
        assert c["label"] and 0 <= c["p"] <= 1 and c["se"] > 0
        assert c["hr_lower"] < c["hazard_ratio"] < c["hr_upper"]
        assert c["hazard_ratio"] == pytest.approx(np.exp(c["coef"]))
    assert 0 <= metrics["concordance_apparent"] <= 1
    folds = metrics["concordance_cv"]["folds"]
    assert len(folds) == 5 and sum(f["n_test"] for f in folds) == len(small)
    assert all(0 <= f["concordance"] <= 1 for f in folds)
    assert metrics["concordance_cv"]["mean"] == pytest.approx(
        np.mean([f["concordance"] for f in folds])
    )
    for t in metrics["ph_test"]["covariates"]:
        assert 0 <= t["p"] <= 1 and t["statistic"] >= 0
    assert metrics["ph_test"]["verdict"]


def test_apparent_concordance_matches_brute_force(small, small_metrics):
    cph, metrics = small_metrics
    x = small[["age_years"]].assign(
        age_lt18=(small["age_years"] < 18).astype(float),
        age_ge35=(small["age_years"] >= 35).astype(float),
        grade_II=(small["grade"] == "II").astype(float),
        grade_IV=(small["grade"] == "IV").astype(float),
        hb_le_90=(small["hemoglobin_g_l"] <= 90).astype(float),
    )[list(cph.params_.index)]
    risk = x.to_numpy() @ cph.params_.to_numpy()
    expected = harrell_c(small["os_days"].to_numpy(), small["death"].to_numpy(), risk)
    assert metrics["concordance_apparent"] == pytest.approx(expected, abs=1e-9)


def km_at(time: np.ndarray, event: np.ndarray, day: int) -> float:
    """Product-limit estimate at ``day``, written out by hand."""
    survival = 1.0
    for t in np.unique(time[(event == 1) & (time <= day)]):
        at_risk = (time >= t).sum()
        deaths = ((time == t) & (event == 1)).sum()
        survival *= 1 - deaths / at_risk
    return survival


def test_calibration_groups_and_kaplan_meier(small, small_metrics):
    _, metrics = small_metrics
    for day in ("180", "365"):
        groups = metrics["calibration"][day]
        assert [g["group"] for g in groups] == [
            "lowest risk third",
            "middle risk third",
            "highest risk third",
        ]
        assert sum(g["n"] for g in groups) == len(small)
        assert sum(g["events"] for g in groups) == small["death"].sum()
        assert all(abs(g["n"] - len(small) / 3) < 1 for g in groups)
        for g in groups:
            assert 0 <= g["predicted"] <= 1
            assert g["observed_lower"] <= g["observed"] <= g["observed_upper"]
        # risk thirds are ordered: predicted survival falls from lowest to highest risk
        predicted = [g["predicted"] for g in groups]
        assert predicted[0] > predicted[1] > predicted[2]
        assert all(g["at_risk"] <= g["n"] for g in groups)


def test_calibration_observed_equals_hand_kaplan_meier_when_one_covariate():
    # One binary covariate; low-Hb patients die earlier (times overlap, no separation), so the
    # lowest-risk third is exactly the 30 patients with Hb > 90 (rows 0–29).
    rows = [(25.0, "III", 120.0, 100 + 10 * k, int(k % 3 != 0)) for k in range(30)]
    rows += [(25.0, "III", 80.0, 30 + 5 * k, int(k % 3 != 0)) for k in range(60)]
    frame = cohort(rows)
    cph = fit_cox(frame)
    assert cph.params_["hb_le_90"] > 0
    metrics = evaluate(frame, cph, n_splits=3)
    low = frame.iloc[:30]
    expected = km_at(low["os_days"].to_numpy(), low["death"].to_numpy(), 180)
    assert metrics["calibration"]["180"][0]["observed"] == pytest.approx(expected)


def test_fold_whose_training_part_cannot_be_fitted_is_reported(small):
    frame = small.copy()
    high_hb = frame["hemoglobin_g_l"] > 90
    frame.loc[high_hb, "death"] = 0
    frame.loc[frame.index[high_hb][0], "death"] = 1  # a single death with Hb > 90
    cph = fit_cox(frame)
    folds = evaluate(frame, cph)["concordance_cv"]["folds"]
    failed = [f for f in folds if f["concordance"] is None]
    assert len(failed) == 1 and "training part not fitted" in failed[0]["error"]
    assert all(f["concordance"] is not None for f in folds if f not in failed)


def test_ph_test_flags_an_effect_that_reverses_over_time():
    rng = np.random.default_rng(3)
    n = 1500
    hb = rng.choice([80.0, 120.0], n)
    low = hb <= 90
    # Low Hb: high early hazard that stops after 60 days (crossing survival curves).
    early = rng.exponential(np.where(low, 30.0, 400.0))
    late = 60 + rng.exponential(np.where(low, 2000.0, 400.0), n)
    time = np.where(early < 60, early, late)
    censor = rng.uniform(100, 900, n)
    frame = pd.DataFrame(
        {
            "patient_id": [f"q{i}" for i in range(n)],
            "age_years": 25.0,
            "grade": rng.choice(["III", "IV"], n),
            "hemoglobin_g_l": hb,
            "os_days": np.ceil(np.minimum(time, censor)).astype(int),
            "death": (time <= censor).astype(int),
        }
    )
    ph = evaluate(frame, fit_cox(frame), n_splits=2)["ph_test"]
    by_name = {c["name"]: c for c in ph["covariates"]}
    assert by_name["hb_le_90"]["p"] < 0.001
    assert "hemoglobin" in ph["verdict"]


def test_folds_are_stratified_so_each_has_deaths():
    frame = simulate(200, seed=4)
    frame["death"] = 0
    frame.loc[frame.index[::20], "death"] = 1  # 10 deaths: 2 per fold
    frame.loc[frame.index[1::20], "death"] = 1
    metrics = evaluate(frame, fit_cox(frame))
    assert [f["events_test"] for f in metrics["concordance_cv"]["folds"]] == [4] * 5


def test_cross_validated_calibration_and_decision_curve_contract(small, small_metrics):
    _, metrics = small_metrics
    cv = metrics["calibration_cv"]
    assert cv["n"] == len(small)
    for day in ("180", "365"):
        assert sum(g["n"] for g in cv[day]) == len(small)
        curve = metrics["decision_curve_cv"][day]
        assert [p["threshold"] for p in curve] == pytest.approx([0.1 * k for k in range(1, 10)])
        assert all(p["high_risk"] <= len(small) for p in curve)
        by_day = metrics["concordance_by_day"][day]
        assert 0 <= by_day["apparent"] <= 1 and 0 <= by_day["cross_validated"] <= 1


def test_truncated_concordance_only_counts_deaths_by_the_day(small, small_metrics):
    cph, metrics = small_metrics
    early = small.assign(death=np.where(small["os_days"] <= 180, small["death"], 0))
    x = np.column_stack(
        [
            small["age_years"] < 18,
            small["age_years"] >= 35,
            small["grade"] == "II",
            small["grade"] == "IV",
            small["hemoglobin_g_l"] <= 90,
        ]
    ).astype(float)
    risk = (
        x[:, [list(cph.params_.index).index(c) for c in cph.params_.index]] @ cph.params_.to_numpy()
    )
    # Pairs whose first death is after day 180 are dropped: the same as censoring those deaths
    # for the patient who died, but a later death still counts as "outlived" for the other.
    expected = harrell_c(small["os_days"].to_numpy(), early["death"].to_numpy(), risk)
    assert metrics["concordance_by_day"]["180"]["apparent"] == pytest.approx(expected, abs=1e-9)
