"""Fit the Cox proportional-hazards model on a validated cohort and measure how good it is.

Model: Cox (1972) partial likelihood with Efron's (1977) handling of tied death times — the
lifelines default and R ``survival::coxph(ties = "efron")``; covariates are the indicator columns
of :mod:`srgvhd.risk.covariates` (Niu et al. 2026 reference: age 18–34, grade III, Hb > 90 g/L).
Newton–Raphson is run to ``precision = 1e-12`` / ``r_precision = 1e-15`` so the coefficients agree
with R's ``coxph`` to 1e-6 (stack-notes.md: lifelines' default stops one step early).

Events per coefficient: at least 10 (Peduzzi et al., J Clin Epidemiol 1995;48:1503–10), unless
the caller explicitly allows fewer.

Metrics: Harrell's concordance (apparent and k-fold cross-validated); the Grambsch–Therneau
(Biometrika 1994) test of proportional hazards on scaled Schoenfeld residuals with a rank time
transform (lifelines ``proportional_hazard_test``); calibration at 180 and 365 days by tertile of
the linear predictor — mean predicted survival against the Kaplan–Meier estimate with its
Greenwood 95% CI.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
from lifelines import CoxPHFitter, KaplanMeierFitter
from lifelines.exceptions import ConvergenceError, ConvergenceWarning
from lifelines.statistics import proportional_hazard_test
from lifelines.utils import concordance_index
from sklearn.model_selection import KFold

from srgvhd.errors import InputError, Problem
from srgvhd.risk.covariates import COVARIATE_COLUMNS, COVARIATE_LABELS, design_matrix

MIN_EVENTS_PER_COEFFICIENT = 10
FIT_OPTIONS = {"precision": 1e-12, "r_precision": 1e-15}
CALIBRATION_DAYS = (180, 365)
CALIBRATION_GROUPS = ("lowest risk third", "middle risk third", "highest risk third")
PH_ALPHA = 0.05
DURATION, EVENT = "os_days", "death"


def _covariates(df: pd.DataFrame) -> pd.DataFrame:
    """All indicator columns of the model for a cohort frame (see ``read_cohort``)."""
    return design_matrix(df["age_years"], df["grade"], df["hemoglobin_g_l"])


def present_covariates(df: pd.DataFrame) -> list[str]:
    """Covariate columns that vary in this cohort; a constant column cannot be estimated.

    E.g. an adult-only centre has no ``age_lt18`` patients, so that column is dropped and the
    resulting model cannot score children — the caller records this on the model card.
    """
    x = _covariates(df)
    return [name for name in COVARIATE_COLUMNS if x[name].nunique() > 1]


def check_events_per_coefficient(df: pd.DataFrame, *, allow_low_epv: bool) -> None:
    """Refuse a cohort with fewer than 10 deaths per coefficient (Peduzzi et al. 1995)."""
    events = int(df[EVENT].sum())
    n_coefficients = len(present_covariates(df))
    needed = MIN_EVENTS_PER_COEFFICIENT * n_coefficients
    if allow_low_epv or events >= needed:
        return
    raise InputError(
        Problem(
            f"column {EVENT}",
            f"{events} deaths for {n_coefficients} coefficients is "
            f"{events / max(n_coefficients, 1):.1f} events per coefficient; at least "
            f"{MIN_EVENTS_PER_COEFFICIENT} are needed ({needed} deaths) for stable estimates. "
            "Use --allow-low-epv to fit anyway.",
        )
    )


def _training_frame(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    data = _covariates(df)[columns]
    data[DURATION] = df[DURATION].to_numpy(dtype=float)
    data[EVENT] = df[EVENT].to_numpy(dtype=int)
    return data


def _separation_problems(data: pd.DataFrame, columns: list[str]) -> list[Problem]:
    """A covariate group with no deaths (or all deaths in it) sends its coefficient to ±infinity."""
    problems = []
    for name in columns:
        with_it = data[name] == 1
        for value, group in ((1, with_it), (0, ~with_it)):
            if data.loc[group, EVENT].sum() == 0:
                problems.append(
                    Problem(
                        f"column {EVENT}",
                        f"no deaths among the {int(group.sum())} patients with {name} = {value}: "
                        f"the hazard ratio for {COVARIATE_LABELS[name]} cannot be estimated",
                    )
                )
    return problems


def fit_cox(df: pd.DataFrame) -> CoxPHFitter:
    """Fit the Cox model (Efron ties, tight convergence) on a cohort from ``read_cohort``.

    Raises InputError with a plain message when nothing varies, a covariate group has no deaths
    (separation), or Newton–Raphson does not converge.
    """
    columns = present_covariates(df)
    if not columns:
        raise InputError(
            Problem("file", "every patient has the same age group, grade and hemoglobin group")
        )
    data = _training_frame(df, columns)
    problems = _separation_problems(data, columns)
    if problems:
        raise InputError(problems)
    cph = CoxPHFitter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", ConvergenceWarning)
            cph.fit(data, DURATION, EVENT, fit_options=FIT_OPTIONS)
    except (ConvergenceError, ConvergenceWarning, np.linalg.LinAlgError):
        raise InputError(
            Problem(
                "file",
                "the Cox model did not converge: some covariates may coincide (e.g. every grade IV "
                "patient is also ≥35) or separate deaths from survivors; pool or check the data",
            )
        ) from None
    return cph


def _number(value: float) -> float | None:
    """A JSON-safe float (None for NaN/inf)."""
    value = float(value)
    return value if math.isfinite(value) else None


def _coefficients(cph: CoxPHFitter) -> list[dict]:
    summary = cph.summary
    return [
        {
            "name": name,
            "label": COVARIATE_LABELS[name],
            "coef": _number(row["coef"]),
            "se": _number(row["se(coef)"]),
            "hazard_ratio": _number(row["exp(coef)"]),
            "hr_lower": _number(row["exp(coef) lower 95%"]),
            "hr_upper": _number(row["exp(coef) upper 95%"]),
            "p": _number(row["p"]),
        }
        for name, row in summary.iterrows()
    ]


def _concordance(df: pd.DataFrame, cph: CoxPHFitter) -> float | None:
    """Harrell's C of the model's risk scores in ``df``; None when no pair is comparable."""
    risk = cph.predict_partial_hazard(_covariates(df)[list(cph.params_.index)])
    try:
        return _number(concordance_index(df[DURATION], -risk, df[EVENT]))
    except ZeroDivisionError:
        return None


def _fold_result(fold: int, train: pd.DataFrame, test: pd.DataFrame) -> dict:
    """Concordance of a model fitted on ``train`` in ``test``, or why there is none."""
    result: dict = {"fold": fold, "n_test": len(test), "events_test": int(test[EVENT].sum())}
    try:
        cph = fit_cox(train)
    except InputError as exc:
        return {**result, "concordance": None, "error": f"training part not fitted: {exc}"}
    concordance = _concordance(test, cph)
    if concordance is None:
        return {**result, "concordance": None, "error": "no comparable pair in the test part"}
    return {**result, "concordance": concordance}


def _cross_validated_concordance(df: pd.DataFrame, n_splits: int, seed: int) -> dict:
    """Harrell's C in each held-out fold of a shuffled KFold (a failed fold is reported)."""
    splits = min(n_splits, len(df))
    folds = [
        _fold_result(i, df.iloc[train], df.iloc[test])
        for i, (train, test) in enumerate(
            KFold(n_splits=splits, shuffle=True, random_state=seed).split(df), start=1
        )
    ]
    values = [f["concordance"] for f in folds if f["concordance"] is not None]
    return {"mean": _number(np.mean(values)) if values else None, "folds": folds}


def _ph_test(df: pd.DataFrame, cph: CoxPHFitter) -> dict:
    """Grambsch–Therneau test per covariate (rank time transform) and a verdict in plain words."""
    columns = list(cph.params_.index)
    summary = proportional_hazard_test(cph, _training_frame(df, columns), "rank").summary
    covariates = [
        {
            "name": name,
            "label": COVARIATE_LABELS[name],
            "statistic": _number(row["test_statistic"]),
            "p": _number(row["p"]),
        }
        for name, row in summary.iterrows()
    ]
    violated = [c["label"] for c in covariates if c["p"] is not None and c["p"] < PH_ALPHA]
    if violated:
        verdict = (
            f"The proportional-hazards assumption looks violated for {'; '.join(violated)} "
            f"(p < {PH_ALPHA}): the hazard ratio shown is an average over follow-up."
        )
    else:
        verdict = f"No evidence that any effect changes over follow-up (all p ≥ {PH_ALPHA})."
    return {
        "method": "scaled Schoenfeld residuals, rank time transform",
        "covariates": covariates,
        "verdict": verdict,
    }


def _km_at(group: pd.DataFrame, day: int) -> tuple[float, float, float]:
    """Kaplan–Meier survival at ``day`` with its 95% CI (exponential Greenwood)."""
    kmf = KaplanMeierFitter().fit(group[DURATION], group[EVENT])
    estimate = float(kmf.survival_function_at_times(day).iloc[0])
    band = kmf.confidence_interval_survival_function_.loc[:day].iloc[-1]
    return estimate, float(band.iloc[0]), float(band.iloc[1])


def _calibration(df: pd.DataFrame, cph: CoxPHFitter) -> dict:
    """Predicted vs observed survival at 180 and 365 days by tertile of the linear predictor.

    Patients are ordered by linear predictor (ties in input order) and cut into three groups
    of near-equal size.
    """
    x = _covariates(df)[list(cph.params_.index)]
    order = np.argsort(cph.predict_log_partial_hazard(x).to_numpy(), kind="stable")
    groups = np.array_split(order, len(CALIBRATION_GROUPS))
    predicted = cph.predict_survival_function(x, times=list(CALIBRATION_DAYS))
    result: dict = {}
    for day in CALIBRATION_DAYS:
        rows = []
        for name, members in zip(CALIBRATION_GROUPS, groups, strict=True):
            group = df.iloc[members]
            observed, lower, upper = _km_at(group, day) if len(group) else (np.nan,) * 3
            rows.append(
                {
                    "group": name,
                    "n": len(group),
                    "events": int(group[EVENT].sum()),
                    "at_risk": int((group[DURATION] >= day).sum()),
                    "predicted": _number(predicted.loc[day].iloc[members].mean()),
                    "observed": _number(observed),
                    "observed_lower": _number(lower),
                    "observed_upper": _number(upper),
                }
            )
        result[str(day)] = rows
    return result


def evaluate(df: pd.DataFrame, cph: CoxPHFitter, *, n_splits: int = 5, seed: int = 0) -> dict:
    """Coefficients, apparent and cross-validated concordance, PH test and calibration.

    JSON-serialisable and aggregate only (no per-patient values), for the model card.
    """
    return {
        "n": len(df),
        "events": int(df[EVENT].sum()),
        "coefficients": _coefficients(cph),
        "concordance_apparent": _concordance(df, cph),
        "concordance_cv": _cross_validated_concordance(df, n_splits, seed),
        "ph_test": _ph_test(df, cph),
        "calibration": _calibration(df, cph),
    }
