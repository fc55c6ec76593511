"""Fit the Cox proportional-hazards model on a validated cohort and measure how good it is.

Model: Cox (1972) partial likelihood with Efron's (1977) handling of tied death times — the
lifelines default and R ``survival::coxph(ties = "efron")``; covariates are the indicator columns
of :mod:`srgvhd.risk.covariates` (Niu et al. 2026 reference: age 18–34, grade III, Hb > 90 g/L).
lifelines is the only fitter: ``CoxPHFitter`` gives the coefficients, their covariance (from its
information matrix), standard errors and Wald summary, with tight convergence
(``FIT_OPTIONS``; lifelines' default stops one Newton step early, ~2e-5 from R's ``coxph``) and
``batch_mode`` for tied whole-day data (its automatic choice falls into the per-row algorithm
between 300k and 800k rows). Each cross-validation fold is fitted the same way, warm-started at
the full fit. docs/architecture.md ("One Cox engine") records the measurement behind this choice
(perf/bench_cox_engine.py: lifelines against R ``coxph`` on 1M patients, same run).

Events per coefficient: at least 10 (Peduzzi et al., J Clin Epidemiol 1995;48:1503–10), unless
the caller explicitly allows fewer.

Metrics: Harrell's concordance, apparent and cross-validated (stratified k-fold on death so every
fold has deaths; each fold's fit starts at the full fit and reuses the time grouping), and
restricted to deaths by 180 and 365 days; the proportional-hazards score test of R ``cox.zph``
(:mod:`srgvhd.risk.phtest`); calibration at 180 and 365 days, apparent and cross-validated, and a
decision curve (:mod:`srgvhd.risk.calibration`).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from lifelines import CoxPHFitter
from lifelines.exceptions import ConvergenceError, ConvergenceWarning
from sklearn.model_selection import StratifiedKFold

from srgvhd.errors import InputError, Problem
from srgvhd.i18n.message import N_, Msg
from srgvhd.risk.calibration import calibration_by_thirds, decision_curve
from srgvhd.risk.covariates import COVARIATE_COLUMNS, COVARIATE_LABELS
from srgvhd.risk.design import design_matrix
from srgvhd.risk.horizons import HORIZONS_DAYS
from srgvhd.risk.phtest import (
    PH_METHOD,
    PH_NONE,
    PH_NOT_COMPUTED,
    PH_VIOLATED,
    PHTest,
    ph_score_test,
)
from srgvhd.risk.progress import Progress, no_progress
from srgvhd.risk.riskset import Grouped, breslow_cumulative_hazard, harrell_concordance

MIN_EVENTS_PER_COEFFICIENT = 10
FIT_OPTIONS = {"precision": 1e-12, "r_precision": 1e-15}
CALIBRATION_DAYS = HORIZONS_DAYS
PH_ALPHA = 0.05
DURATION, EVENT = "os_days", "death"
# Share of distinct follow-up times below which lifelines' batch algorithm is used (whole days).
BATCH_MODE_MAX_DISTINCT_SHARE = 0.5
# A coefficient this large (hazard ratio beyond e^50) means separation, not an estimate.
MAX_ABS_COEFFICIENT = 50.0


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


def check_events_per_coefficient(
    df: pd.DataFrame, *, allow_low_epv: bool, override: str = "rerun with --allow-low-epv"
) -> None:
    """Refuse a cohort with fewer than 10 deaths per coefficient (Peduzzi et al. 1995).

    ``override`` names, in the caller's words, the control that fits anyway.
    """
    events = int(df[EVENT].sum())
    n_coefficients = len(present_covariates(df))
    needed = MIN_EVENTS_PER_COEFFICIENT * n_coefficients
    if allow_low_epv or events >= needed:
        return
    raise InputError(
        Problem(
            Msg("column {column}", column=EVENT),
            Msg(
                "{events} deaths for {coefficients} coefficients is {per_coefficient} events per "
                "coefficient; at least {minimum} are needed ({needed} deaths) for stable "
                "estimates. To fit anyway, {override}.",
                events=events,
                coefficients=n_coefficients,
                per_coefficient=round(events / max(n_coefficients, 1), 1),
                minimum=MIN_EVENTS_PER_COEFFICIENT,
                needed=needed,
                override=override,
            ),
        )
    )


@dataclass(frozen=True)
class Prepared:
    """A cohort's design (the varying covariates only) with patients grouped by follow-up time;
    built once and shared by the fit and every metric."""

    columns: list[str]
    x: np.ndarray
    durations: np.ndarray
    events: np.ndarray
    grouped: Grouped


def prepare(df: pd.DataFrame) -> Prepared:
    """The design of a cohort from ``read_cohort``; InputError when no covariate varies."""
    columns = present_covariates(df)
    if not columns:
        raise InputError(
            Problem("file", N_("every patient has the same age group, grade and hemoglobin group"))
        )
    x = _covariates(df)[columns].to_numpy(dtype=float)
    durations = df[DURATION].to_numpy(dtype=float)
    events = df[EVENT].to_numpy(dtype=float)
    return Prepared(columns, x, durations, events, Grouped.of(x, durations, events))


def _separation_problems(prep: Prepared, include: np.ndarray | None = None) -> list[Problem]:
    """A covariate group with no deaths (or all deaths in it) sends its coefficient to ±infinity."""
    keep = np.ones(len(prep.events)) if include is None else include
    with_it = prep.x * keep[:, None]
    without = (1 - prep.x) * keep[:, None]
    problems = []
    for j, name in enumerate(prep.columns):
        for value, members in ((1, with_it[:, j]), (0, without[:, j])):
            if (members * prep.events).sum() == 0:
                problems.append(
                    Problem(
                        Msg("column {column}", column=EVENT),
                        Msg(
                            "no deaths among the {n} patients with {name} = {value}: the hazard "
                            "ratio for {covariate} cannot be estimated",
                            n=int(members.sum()),
                            name=name,
                            value=value,
                            covariate=COVARIATE_LABELS[name],
                        ),
                    )
                )
    return problems


def _death_day_problems(prep: Prepared) -> list[Problem]:
    """Deaths all on one day leave nothing to estimate over time: the baseline hazard is one
    step and the proportional-hazards check (ranks of the death times) is undefined."""
    days = np.unique(prep.durations[prep.events == 1])
    if len(days) != 1:
        return []
    return [
        Problem(
            Msg("column {column}", column=DURATION),
            Msg(
                "every death is on day {day}; a survival model needs deaths on at least two "
                "different days",
                day=float(days[0]),
            ),
        )
    ]


_NOT_CONVERGED = N_(
    "the Cox model did not converge: some covariates may coincide (e.g. every grade IV patient is "
    "also ≥35) or separate deaths from survivors; pool or check the data"
)


def _lifelines_fit(
    prep: Prepared, include: np.ndarray | None = None, start: np.ndarray | None = None
) -> CoxPHFitter | None:
    """lifelines Cox fit (Efron ties, ``FIT_OPTIONS``) on the patients with ``include`` = 1 (all
    when None), warm-started at coefficients ``start``; None when it does not converge."""
    rows = slice(None) if include is None else include.astype(bool)
    data = pd.DataFrame(prep.x[rows], columns=prep.columns)
    data[DURATION] = prep.durations[rows]
    data[EVENT] = prep.events[rows].astype(int)
    distinct_share = data[DURATION].nunique() / max(len(data), 1)
    initial = None if start is None else start * data[prep.columns].std(0).to_numpy()
    cph = CoxPHFitter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", ConvergenceWarning)
            cph.fit(
                data,
                DURATION,
                EVENT,
                fit_options=FIT_OPTIONS,
                initial_point=initial,
                batch_mode=True if distinct_share <= BATCH_MODE_MAX_DISTINCT_SHARE else None,
            )
    except (ConvergenceError, ConvergenceWarning, np.linalg.LinAlgError):
        return None
    beta = cph.params_.to_numpy(dtype=float)
    if not np.all(np.isfinite(beta)) or np.any(np.abs(beta) >= MAX_ABS_COEFFICIENT):
        return None
    return cph


def fit_cox(df: pd.DataFrame, prepared: Prepared | None = None) -> CoxPHFitter:
    """Fit the Cox model (Efron ties) on a cohort from ``read_cohort`` (see module docstring).

    Raises InputError with a plain message when nothing varies, every death is on one day, a
    covariate group has no deaths (separation), or the fit does not converge.
    """
    prep = prepared or prepare(df)
    problems = _death_day_problems(prep) or _separation_problems(prep)
    if problems:
        raise InputError(problems)
    cph = _lifelines_fit(prep)
    if cph is None:
        raise InputError(Problem("file", _NOT_CONVERGED))
    return cph


def _number(value: float) -> float | None:
    """A JSON-safe float (None for NaN/inf)."""
    value = float(value)
    return value if math.isfinite(value) else None


def _json(value: object) -> object:
    """Dataclass dicts with NaN/inf turned into None."""
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if isinstance(value, float | np.floating):
        return _number(value)
    return value


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


def _survival_at_horizons(
    prep: Prepared, beta: np.ndarray, rows: np.ndarray, include: np.ndarray | None = None
) -> np.ndarray:
    """Breslow S(t | x) at 180 and 365 days for ``rows`` (columns: horizons)."""
    h0 = breslow_cumulative_hazard(prep.grouped, beta, np.array(CALIBRATION_DAYS, float), include)
    return np.exp(-np.outer(np.exp(prep.x[rows] @ beta), h0))


@dataclass
class _CrossValidation:
    folds: list[dict]
    survival: np.ndarray  # out-of-fold S at the horizons (NaN where the fold failed)
    truncated: dict[int, list[float]]


def _folds(prep: Prepared, n_splits: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified on death, so every fold has deaths when the cohort has enough."""
    classes = np.unique(prep.events, return_counts=True)[1]
    splits = min(n_splits, int(classes.min()) if len(classes) > 1 else len(prep.events))
    if splits < 2:
        return []
    folds = StratifiedKFold(n_splits=splits, shuffle=True, random_state=seed)
    return list(folds.split(np.zeros(len(prep.events)), prep.events))


def _cross_validate(
    prep: Prepared, beta: np.ndarray, n_splits: int, seed: int, progress: Progress
) -> _CrossValidation:
    """Each fold: fit on the rest (warm start at ``beta``), score the held-out part."""
    survival = np.full((len(prep.events), len(CALIBRATION_DAYS)), np.nan)
    truncated: dict[int, list[float]] = {day: [] for day in CALIBRATION_DAYS}
    folds = []
    splits = _folds(prep, n_splits, seed)
    for number, (train, test) in enumerate(splits, start=1):
        progress(
            Msg("cross-validation fold {number} of {total}", number=number, total=len(splits)),
            0.3 + 0.5 * number / len(splits),
        )
        include = np.zeros(len(prep.events))
        include[train] = 1.0
        result: dict = {
            "fold": number,
            "n_test": len(test),
            "events_test": int(prep.events[test].sum()),
        }
        separation = _separation_problems(prep, include)
        fold = None if separation else _lifelines_fit(prep, include, start=beta)
        if fold is None:
            reason = "; ".join(p.what for p in separation) or _NOT_CONVERGED
            folds.append(
                {**result, "concordance": None, "error": f"training part not fitted: {reason}"}
            )
            continue
        fold_beta = fold.params_.loc[prep.columns].to_numpy(dtype=float)
        risk = prep.x[test] @ fold_beta
        durations, events = prep.durations[test], prep.events[test]
        concordance = harrell_concordance(durations, events, risk)
        survival[test] = _survival_at_horizons(prep, fold_beta, test, include)
        for day in CALIBRATION_DAYS:
            value = harrell_concordance(durations, events, risk, horizon=day)
            if value is not None:
                truncated[day].append(value)
        if concordance is None:
            folds.append(
                {**result, "concordance": None, "error": "no comparable pair in the test part"}
            )
        else:
            folds.append({**result, "concordance": concordance})
    return _CrossValidation(folds, survival, truncated)


def _ph_test(prep: Prepared, beta: np.ndarray) -> dict:
    """R cox.zph score test per covariate and globally, with a verdict in plain words; when its
    information matrix is singular (e.g. too few distinct death times), said so, not raised."""
    try:
        test, computed = ph_score_test(prep.grouped, beta), True
    except np.linalg.LinAlgError:
        unknown = [math.nan] * len(beta)
        test, computed = PHTest(unknown, unknown, math.nan, len(beta), math.nan), False
    covariates = [
        {
            "name": name,
            "label": COVARIATE_LABELS[name],
            "statistic": _number(statistic),
            "p": _number(p),
        }
        for name, statistic, p in zip(prep.columns, test.statistics, test.p_values, strict=True)
    ]
    violated = [c["label"] for c in covariates if c["p"] is not None and c["p"] < PH_ALPHA]
    if not computed:
        verdict = PH_NOT_COMPUTED
    elif violated:
        verdict = Msg(PH_VIOLATED, covariates="; ".join(violated), alpha=PH_ALPHA)
    else:
        verdict = Msg(PH_NONE, alpha=PH_ALPHA)
    return {
        "method": PH_METHOD,
        "covariates": covariates,
        "global": {
            "statistic": _number(test.global_statistic),
            "df": test.global_df,
            "p": _number(test.global_p),
        },
        "verdict": verdict,
    }


def _by_horizon(prep: Prepared, survival: np.ndarray, measure: Callable) -> dict:
    """``measure(durations, events, predicted, day)`` at each horizon, on the rows with a
    prediction, as JSON-safe lists (calibration thirds or decision-curve points)."""
    known = ~np.isnan(survival[:, 0])
    return {
        str(day): [
            _json(asdict(item))
            for item in measure(prep.durations[known], prep.events[known], survival[known, i], day)
        ]
        for i, day in enumerate(CALIBRATION_DAYS)
    }


def _mean(values: list[float]) -> float | None:
    return _number(np.mean(values)) if values else None


def evaluate(
    df: pd.DataFrame,
    cph: CoxPHFitter,
    *,
    n_splits: int = 5,
    seed: int = 0,
    prepared: Prepared | None = None,
    progress: Progress = no_progress,
) -> dict:
    """Coefficients, concordance (apparent, cross-validated, by 180/365 days), PH test,
    calibration (apparent and cross-validated) and decision curves.

    JSON-serialisable and aggregate only (no per-patient values), for the model card.
    """
    prep = prepared or prepare(df)
    beta = cph.params_.loc[prep.columns].to_numpy(dtype=float)
    risk = prep.x @ beta
    progress(N_("proportional-hazards test"), 0.25)
    ph_test = _ph_test(prep, beta)
    cv = _cross_validate(prep, beta, n_splits, seed, progress)
    apparent = _survival_at_horizons(prep, beta, np.arange(len(risk)))
    progress(N_("calibration"), 0.9)
    values = [f["concordance"] for f in cv.folds if f["concordance"] is not None]
    return {
        "n": len(df),
        "events": int(prep.events.sum()),
        "coefficients": _coefficients(cph),
        "concordance_apparent": _number_or_none(
            harrell_concordance(prep.durations, prep.events, risk)
        ),
        "concordance_cv": {
            "mean": _mean(values),
            "folds": cv.folds,
            "method": "stratified on death, shuffled (scikit-learn StratifiedKFold)",
        },
        "concordance_by_day": {
            str(day): {
                "apparent": _number_or_none(
                    harrell_concordance(prep.durations, prep.events, risk, horizon=day)
                ),
                "cross_validated": _mean(cv.truncated[day]),
            }
            for day in CALIBRATION_DAYS
        },
        "ph_test": ph_test,
        "calibration": _by_horizon(prep, apparent, calibration_by_thirds),
        "calibration_cv": {
            **_by_horizon(prep, cv.survival, calibration_by_thirds),
            "n": int((~np.isnan(cv.survival[:, 0])).sum()),
        },
        "decision_curve_cv": _by_horizon(prep, cv.survival, decision_curve),
    }


def _number_or_none(value: float | None) -> float | None:
    return None if value is None else _number(value)
