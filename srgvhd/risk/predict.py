"""Hazard ratio and survival with a 95% band for one patient, or a batch, from a RiskModel.

Survival: S(t | x) = exp(−H(t | x)) with the Breslow baseline cumulative hazard
H(t | x) = exp(x'β) Σ_{t_i ≤ t} d_i / S0_i (Breslow 1972) — R's ``survfit.coxph(ctype = 1)``.
Variance (Tsiatis 1981; Link 1984; Therneau & Grambsch 2000 §10.2), for the new covariate x:
Var H = exp(2x'β) [Σ d_i / S0_i²  +  q(t)' V q(t)],  q(t) = Σ_{t_i ≤ t} d_i (x̄_i − x) / S0_i,
x̄_i = S1_i / S0_i, V the coefficients' covariance. The 95% band is on the log(−log S) scale
(Kalbfleisch & Prentice 2002): log H ± 1.96 · se(H) / H, as ``conf.type = "log-log"``.

Needs only numpy and the standard library (the normal quantile from ``statistics.NormalDist``):
neither lifelines, scipy nor pandas is imported to predict one patient (tests/test_import_cost.py);
pandas only for batch scoring.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

import numpy as np

from srgvhd.clinical.limits import AGE_RANGE_YEARS, HEMOGLOBIN_RANGE_G_L
from srgvhd.errors import InputError, Problem
from srgvhd.i18n.message import N_
from srgvhd.risk.covariates import (
    AGE_GROUPS,
    COVARIATE_COLUMNS,
    COVARIATE_LABELS,
    GRADES,
    age_group,
    encode,
    hemoglobin_le_90,
)
from srgvhd.risk.horizons import HORIZONS_DAYS
from srgvhd.risk.model import RiskModel

if TYPE_CHECKING:  # pandas only for batch scoring
    import pandas as pd

MAX_CURVE_POINTS = 400
CONFIDENCE = 0.95
BAND_METHOD = N_(
    "Pointwise 95% band from the delta-method (Tsiatis/Link) variance of this patient's Breslow "
    "cumulative hazard, including the uncertainty of the coefficients, on the log(−log S) scale "
    '(as R survfit.coxph with ctype = 1, conf.type = "log-log").'
)
# Which input field decides each indicator column (to name the field in a refusal).
_FIELD_OF_COLUMN = {
    "age_lt18": "age_years",
    "age_ge35": "age_years",
    "grade_II": "grade",
    "grade_IV": "grade",
    "hb_le_90": "hemoglobin_g_l",
}


@dataclass(frozen=True)
class _Cumulative:
    """Running sums over event times needed by H(t|x) and its variance (reference patient x=0)."""

    times: np.ndarray
    hazard: np.ndarray  # Σ d/S0
    var_term: np.ndarray  # Σ d/S0²
    xbar_term: np.ndarray  # Σ d·S1/S0²  (rows: event times, columns: covariates)


def _cumulative(model: RiskModel) -> _Cumulative:
    b = model.baseline
    return _Cumulative(
        times=b.times,
        hazard=np.cumsum(b.deaths / b.s0),
        var_term=np.cumsum(b.deaths / b.s0**2),
        xbar_term=np.cumsum(b.deaths[:, None] * b.s1 / (b.s0**2)[:, None], axis=0),
    )


def _z() -> float:
    """Standard normal quantile of the two-sided 95% interval (1.959963984540054)."""
    return NormalDist().inv_cdf(0.5 + CONFIDENCE / 2)


def check_patient(age_years: float, grade: str, hemoglobin_g_l: float) -> None:
    """Refuse values outside the cohort schema's ranges (interfaces.md §3), naming the field."""
    problems = []
    for name, value, (low, high) in (
        ("age_years", age_years, AGE_RANGE_YEARS),
        ("hemoglobin_g_l", hemoglobin_g_l, HEMOGLOBIN_RANGE_G_L),
    ):
        ok = isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)
        if not ok or not math.isfinite(value) or not low <= value <= high:
            problems.append(Problem(name, f"{value!r} is not a number in {low:g}–{high:g}"))
    if grade not in GRADES:
        problems.append(Problem("grade", f"{grade!r} is not one of {', '.join(GRADES)}"))
    if problems:
        raise InputError(problems)


def _untrained(model: RiskModel, row: np.ndarray, where: str = "") -> list[Problem]:
    """Problems for categories whose indicator column the model was not fitted with."""
    return [
        Problem(
            f"{where}{_FIELD_OF_COLUMN[column]}",
            f"the model has no '{COVARIATE_LABELS[column]}' coefficient (no such patients in its "
            "training cohort), so it cannot predict for this patient",
        )
        for column, value in zip(COVARIATE_COLUMNS, row, strict=True)
        if value and column not in model.covariates
    ]


def _model_vector(model: RiskModel, full_row: np.ndarray) -> np.ndarray:
    """The patient's indicators in the model's covariate order."""
    index = [COVARIATE_COLUMNS.index(c) for c in model.covariates]
    return full_row[index]


def _at(cum: _Cumulative, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of the last event time ≤ each day (clipped to 0) and a mask of days before any."""
    k = np.searchsorted(cum.times, days, side="right") - 1
    return np.maximum(k, 0), k < 0


def _baseline_hazard_at(cum: _Cumulative, model: RiskModel, days: np.ndarray) -> np.ndarray:
    """Reference-patient Breslow cumulative hazard at ``days`` (NaN beyond the last follow-up)."""
    k, before = _at(cum, days)
    h0 = np.where(before, 0.0, cum.hazard[k])
    return np.where(days > model.baseline.max_follow_up_days, np.nan, h0)


def _survival_band(
    cum: _Cumulative, model: RiskModel, x: np.ndarray, days: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """S(t|x) and its log–log 95% bounds at ``days`` (NaN beyond the last follow-up)."""
    k, before = _at(cum, days)
    risk = math.exp(float(x @ model.beta))
    hazard = risk * _baseline_hazard_at(cum, model, days)
    q = np.where(before[:, None], 0.0, cum.xbar_term[k] - np.outer(cum.hazard[k], x))
    var = np.where(before, 0.0, cum.var_term[k]) + np.einsum("ij,jk,ik->i", q, model.variance, q)
    se = risk * np.sqrt(var)
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = np.where(hazard > 0, _z() * se / hazard, 0.0)
    return np.exp(-hazard), np.exp(-hazard * np.exp(spread)), np.exp(-hazard * np.exp(-spread))


def curve_days(max_follow_up_days: float) -> np.ndarray:
    """Daily grid up to the last follow-up, thinned to at most MAX_CURVE_POINTS whole days."""
    last = int(math.floor(max_follow_up_days))
    if last + 1 <= MAX_CURVE_POINTS:
        return np.arange(last + 1)
    return np.unique(np.linspace(0, last, MAX_CURVE_POINTS).round().astype(int))


def _rounded(values: np.ndarray) -> tuple[float | None, ...]:
    return tuple(None if math.isnan(v) else round(float(v), 6) for v in values)


@dataclass(frozen=True)
class SurvivalBand:
    """Survival with its pointwise 95% band; each None beyond the last follow-up."""

    estimate: float | None
    lower: float | None
    upper: float | None

    def to_json(self) -> dict[str, float | None]:
        return {"estimate": self.estimate, "lower": self.lower, "upper": self.upper}


@dataclass(frozen=True)
class SurvivalCurve:
    """Survival and band on a grid of whole days (for the chart)."""

    days: tuple[int, ...]
    estimate: tuple[float | None, ...]
    lower: tuple[float | None, ...]
    upper: tuple[float | None, ...]

    def to_json(self) -> dict[str, list]:
        return {
            "days": list(self.days),
            "estimate": list(self.estimate),
            "lower": list(self.lower),
            "upper": list(self.upper),
        }


@dataclass(frozen=True)
class RiskEstimate:
    """One patient's risk from one model version (interfaces.md §2 ``risk`` object).

    ``survival`` maps each horizon in HORIZONS_DAYS (days) to its band. ``synthetic`` says the
    model was fitted on the bundled synthetic cohort (see srgvhd.risk.provenance).
    """

    model_version: str | None
    reference_model: bool
    synthetic: bool
    age_group: str
    grade: str
    hemoglobin_le_90: bool
    hazard_ratio: float
    hazard_ratio_ci: tuple[float, float]
    survival: dict[int, SurvivalBand]
    curve: SurvivalCurve
    model_card_sha256: str | None
    band_method: str = BAND_METHOD

    def to_json(self) -> dict[str, Any]:
        """The interfaces.md §2 ``risk`` object (+ synthetic, curve, band_method, card SHA-256)."""
        return {
            "model_version": self.model_version,
            "reference_model": self.reference_model,
            "synthetic": self.synthetic,
            "covariates": {
                "age_group": self.age_group,
                "grade": self.grade,
                "hemoglobin_le_90": self.hemoglobin_le_90,
            },
            "hazard_ratio": self.hazard_ratio,
            "hazard_ratio_ci": list(self.hazard_ratio_ci),
            "survival": {str(h): band.to_json() for h, band in self.survival.items()},
            "curve": self.curve.to_json(),
            "band_method": self.band_method,
            "model_card_sha256": self.model_card_sha256,
        }


def _patient_vector(
    model: RiskModel, age_years: float, grade: str, hemoglobin_g_l: float
) -> tuple[str, bool, np.ndarray]:
    """(age group, Hb ≤ 90, indicator vector in the model's order); InputError if unusable."""
    check_patient(age_years, grade, hemoglobin_g_l)
    group, low_hb = age_group(age_years), hemoglobin_le_90(hemoglobin_g_l)
    full = encode(group, grade, low_hb)
    problems = _untrained(model, full)
    if problems:
        raise InputError(problems)
    return group, low_hb, _model_vector(model, full)


def survival_band(
    model: RiskModel, *, age_years: float, grade: str, hemoglobin_g_l: float, days: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unrounded S(t|x) and its 95% band at ``days`` for one patient (NaN beyond follow-up)."""
    x = _patient_vector(model, age_years, grade, hemoglobin_g_l)[2]
    return _survival_band(_cumulative(model), model, x, np.asarray(days, dtype=float))


def patient_risk(
    model: RiskModel, *, age_years: float, grade: str, hemoglobin_g_l: float
) -> RiskEstimate:
    """Hazard ratio, survival at 180/365 days and the curve, each with its 95% band.

    Hazard ratio versus the reference patient (18–34 years, grade III, Hb > 90 g/L; Niu et al.
    2026) with a Wald 95% CI exp(x'β ± 1.96 √(x'Vx)). Survival at 180 and 365 days is None
    beyond the training cohort's last follow-up. Survival values are rounded to 6 decimals.
    """
    group, low_hb, x = _patient_vector(model, age_years, grade, hemoglobin_g_l)
    lp = float(x @ model.beta)
    se_lp = math.sqrt(float(x @ model.variance @ x))
    cum = _cumulative(model)
    horizons = np.array(HORIZONS_DAYS, dtype=float)
    est, lo, hi = (_rounded(a) for a in _survival_band(cum, model, x, horizons))
    days = curve_days(model.baseline.max_follow_up_days)
    curve = [_rounded(a) for a in _survival_band(cum, model, x, days.astype(float))]
    card = model.card
    return RiskEstimate(
        model_version=card.version if card else None,
        reference_model=bool(card and card.reference_model),
        synthetic=bool(card and card.synthetic),
        age_group=group,
        grade=grade,
        hemoglobin_le_90=low_hb,
        hazard_ratio=math.exp(lp),
        hazard_ratio_ci=(math.exp(lp - _z() * se_lp), math.exp(lp + _z() * se_lp)),
        survival={h: SurvivalBand(est[i], lo[i], hi[i]) for i, h in enumerate(HORIZONS_DAYS)},
        curve=SurvivalCurve(tuple(int(d) for d in days), *curve),
        model_card_sha256=model.card_sha256,
    )


def _row_label(position: int, patient_id: object) -> str:
    """``row N (patient_id P), column `` — N is the row's position + 2 (header = row 1)."""
    who = f" (patient_id {str(patient_id)[:20]!r})" if patient_id is not None else ""
    return f"row {position + 2}{who}, column "


def score_frame(model: RiskModel, df: pd.DataFrame) -> pd.DataFrame:
    """Hazard ratio and S(180), S(365) for each row (columns age_years, grade, hemoglobin_g_l).

    Uses the same Breslow step function as :func:`patient_risk`, evaluated only at the two
    horizons (memory n_rows × 2), on whole columns. Rows in a category the model was not trained
    on are refused, naming the row (position + 2, as in a CSV with a header) and its patient_id
    when present; only those rows are visited one by one.
    """
    import pandas as pd  # deferred: predicting one patient loads no pandas (test_import_cost.py)

    from srgvhd.risk.design import design_matrix  # deferred with pandas, as above

    full = design_matrix(df["age_years"], df["grade"], df["hemoglobin_g_l"])
    missing = [c for c in COVARIATE_COLUMNS if c not in model.covariates]
    untrained = full[missing].to_numpy().any(axis=1) if missing else np.zeros(len(df), bool)
    if untrained.any():
        ids = df["patient_id"].to_numpy() if "patient_id" in df else [None] * len(df)
        values = full.to_numpy()
        raise InputError(
            [
                p
                for position in np.flatnonzero(untrained)
                for p in _untrained(model, values[position], _row_label(position, ids[position]))
            ]
        )
    x = full[list(model.covariates)].to_numpy(dtype=float)
    risk = np.exp(x @ model.beta)
    h0 = _baseline_hazard_at(_cumulative(model), model, np.array(HORIZONS_DAYS, dtype=float))
    surv = np.exp(-np.outer(risk, h0))
    age_groups = np.select(
        [full["age_lt18"].to_numpy() == 1, full["age_ge35"].to_numpy() == 1],
        [AGE_GROUPS[0], AGE_GROUPS[2]],
        AGE_GROUPS[1],
    )
    out = pd.DataFrame(
        {
            "age_group": age_groups,
            "grade": df["grade"].to_numpy(),
            "hemoglobin_le_90": full["hb_le_90"].to_numpy() == 1,
            "hazard_ratio": risk,
        },
        index=df.index,
    )
    for i, h in enumerate(HORIZONS_DAYS):
        out[f"survival_{h}"] = surv[:, i]
    return out


# --- survival conditional on being alive on day d of second line (docs/clinical-rules.md §8.8) --
CONDITIONAL_BAND_METHOD = N_(
    "S(t | alive on day d) = S(t) / S(d−) with the Breslow hazard of the deaths on days d..t; its "
    "95% band from the delta-method variance of that hazard increment (Tsiatis/Link terms summed "
    "over the same deaths) on the log(−log S) scale, as R survfit.coxph(start.time = d, ctype = 1, "
    'conf.type = "log-log").'
)


def _before(cum: _Cumulative, day: float) -> tuple[float, float, np.ndarray]:
    """The running sums (Σ d/S0, Σ d/S0², Σ d·S1/S0²) over the deaths strictly before ``day``."""
    k = int(np.searchsorted(cum.times, day, side="left")) - 1
    if k < 0:
        return 0.0, 0.0, np.zeros(cum.xbar_term.shape[1])
    return float(cum.hazard[k]), float(cum.var_term[k]), cum.xbar_term[k]


def _conditional_band(
    cum: _Cumulative, model: RiskModel, x: np.ndarray, alive_on_day: float, days: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """S(t | at risk on day d) and its log–log 95% bounds at ``days``.

    R's ``survfit.coxph(start.time = d)`` keeps the training patients still followed on day d
    (time ≥ d) and builds the curve from their deaths, so the hazard and both variance terms are
    the unconditional running sums minus their values before day d (the risk sets after d are
    unchanged; the coefficients and their covariance are the fit's). NaN for t ≤ d, beyond the
    last follow-up, and when no training death is left on or after day d (R refuses that too).
    """
    h_d, v_d, xbar_d = _before(cum, alive_on_day)
    k, before = _at(cum, days)
    risk = math.exp(float(x @ model.beta))
    h_t = np.where(before, 0.0, cum.hazard[k])
    hazard = risk * (h_t - h_d)
    q = np.where(before[:, None], 0.0, cum.xbar_term[k]) - xbar_d - np.outer(h_t - h_d, x)
    var = (np.where(before, 0.0, cum.var_term[k]) - v_d) + np.einsum(
        "ij,jk,ik->i", q, model.variance, q
    )
    se = risk * np.sqrt(np.maximum(var, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = np.where(hazard > 0, _z() * se / hazard, 0.0)
    shown = (days > alive_on_day) & (days <= model.baseline.max_follow_up_days)
    if not (len(cum.times) and cum.times[-1] >= alive_on_day):
        shown = np.zeros_like(shown)
    est = np.exp(-hazard)
    lower, upper = np.exp(-hazard * np.exp(spread)), np.exp(-hazard * np.exp(-spread))
    return tuple(np.where(shown, a, np.nan) for a in (est, lower, upper))  # type: ignore[return-value]


def conditional_survival_band(
    model: RiskModel,
    *,
    age_years: float,
    grade: str,
    hemoglobin_g_l: float,
    alive_on_day: float,
    days: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unrounded S(t | alive on day d) and its 95% band at ``days`` for one patient."""
    x = _patient_vector(model, age_years, grade, hemoglobin_g_l)[2]
    return _conditional_band(
        _cumulative(model), model, x, float(alive_on_day), np.asarray(days, dtype=float)
    )


@dataclass(frozen=True)
class ConditionalSurvival:
    """Survival at each horizon (days from the second-line start) for a patient alive on day
    ``alive_on_day``; a horizon already passed (t ≤ d) or not estimable is None."""

    alive_on_day: int
    survival: dict[int, SurvivalBand | None]
    band_method: str = CONDITIONAL_BAND_METHOD

    def to_json(self) -> dict[str, Any]:
        """The contract's ``risk.conditional`` object (docs/interfaces.md §7)."""
        return {
            "alive_on_day": self.alive_on_day,
            "survival": {
                str(h): None if band is None else band.to_json()
                for h, band in self.survival.items()
            },
        }


def conditional_risk(
    model: RiskModel, *, age_years: float, grade: str, hemoglobin_g_l: float, alive_on_day: int
) -> ConditionalSurvival:
    """Survival at 180 and 365 days of second line given alive on day ``alive_on_day`` (≥ 0),
    rounded to 6 decimals like :func:`patient_risk`; horizons ≤ d are None."""
    if alive_on_day < 0:
        raise ValueError("alive_on_day must be a day of second line (0 or later)")
    est, lo, hi = (
        _rounded(a)
        for a in conditional_survival_band(
            model,
            age_years=age_years,
            grade=grade,
            hemoglobin_g_l=hemoglobin_g_l,
            alive_on_day=alive_on_day,
            days=np.array(HORIZONS_DAYS, dtype=float),
        )
    )
    survival: dict[int, SurvivalBand | None] = {
        h: None if est[i] is None else SurvivalBand(est[i], lo[i], hi[i])
        for i, h in enumerate(HORIZONS_DAYS)
    }
    return ConditionalSurvival(alive_on_day, survival)
