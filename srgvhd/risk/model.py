"""What a saved risk model holds: a Cox fit with no per-patient rows, plus baseline aggregates.

The survival band (srgvhd.risk.predict) needs, per distinct event time t_i, only the number of
deaths d_i and the risk-set sums S0_i = Σ exp(x_j'β) and S1_i = Σ x_j exp(x_j'β) over patients
still at risk (T_j ≥ t_i) — the quantities of the Breslow estimator and of the Tsiatis (1981) /
Link (1984) variance, as computed by R's ``survfit.coxph``. Censoring times, per-patient
durations, events, weights and linear predictors are not stored.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # lifelines and pandas are only needed once a model is fitted or unpickled
    import pandas as pd
    from lifelines import CoxPHFitter

# Attributes of lifelines 0.30.3's fitted SemiParametricPHFitter (``cph._model``) that hold one
# entry per training patient, or values computed from individual patients (``_central_values``
# holds the median duration). They are not needed for prediction.
PER_PATIENT_ATTRIBUTES = (
    "durations",
    "event_observed",
    "weights",
    "entries",
    "_predicted_partial_hazards_",
    "_central_values",
    "_clusters",
)
# lifelines' baseline frames are indexed by every distinct duration, censored ones included;
# they are cut down to the event times.
BASELINE_FRAMES = ("baseline_hazard_", "baseline_cumulative_hazard_", "baseline_survival_")
# The fit's wall-clock time (the card has created_at); cleared so that the same cohort gives a
# byte-identical artifact.
VOLATILE_ATTRIBUTES = ("_time_fit_was_called",)


@dataclass(frozen=True)
class BaselineAggregates:
    """Per-event-time sums of the training cohort (uncentred covariates: reference patient x = 0).

    ``times`` are the distinct death times in days (increasing), ``deaths`` the deaths at each,
    ``s0`` Σ exp(x'β) and ``s1`` (one column per covariate) Σ x·exp(x'β) over the risk set.
    ``max_follow_up_days`` is the longest follow-up; predictions stop there.
    """

    times: np.ndarray
    deaths: np.ndarray
    s0: np.ndarray
    s1: np.ndarray
    max_follow_up_days: float


@dataclass
class RiskModel:
    """A fitted Cox model ready for prediction: no per-patient data.

    Predict with :mod:`srgvhd.risk.predict` (exact Breslow step function and band). lifelines'
    own ``cph.predict_*`` still run but interpolate linearly between the kept event times.

    ``card`` is the model card; the store attaches it (and ``card_sha256``, the SHA-256 of the
    card file's bytes) when it loads the model, so the saved artifact does not contain it.
    """

    cph: CoxPHFitter
    covariates: list[str]
    baseline: BaselineAggregates
    card: dict = field(default_factory=dict)
    card_sha256: str | None = None

    @property
    def beta(self) -> np.ndarray:
        """Coefficients in ``covariates`` order."""
        return self.cph.params_.loc[self.covariates].to_numpy(dtype=float)

    @property
    def variance(self) -> np.ndarray:
        """Covariance matrix of the coefficients (model-based, inverse information)."""
        v = self.cph.variance_matrix_.loc[self.covariates, self.covariates]
        return v.to_numpy(dtype=float)


def baseline_aggregates(
    design: pd.DataFrame, durations: pd.Series, events: pd.Series, beta: np.ndarray
) -> BaselineAggregates:
    """Breslow risk-set sums at each distinct death time (Breslow 1972; Tsiatis 1981)."""
    x = design.to_numpy(dtype=float)
    t = durations.to_numpy(dtype=float)
    e = events.to_numpy(dtype=bool)
    order = np.argsort(t, kind="stable")
    t_sorted, x_sorted = t[order], x[order]
    risk = np.exp(x_sorted @ beta)
    # Suffix sums: entry k sums the patients sorted at position >= k (T >= t_sorted[k]).
    s0_suffix = np.cumsum(risk[::-1])[::-1]
    s1_suffix = np.cumsum((x_sorted * risk[:, None])[::-1], axis=0)[::-1]
    times, deaths = np.unique(t[e], return_counts=True)
    first_at_risk = np.searchsorted(t_sorted, times, side="left")
    return BaselineAggregates(
        times=times,
        deaths=deaths.astype(float),
        s0=s0_suffix[first_at_risk],
        s1=s1_suffix[first_at_risk],
        max_follow_up_days=float(t.max()),
    )


def strip_fitter(cph: CoxPHFitter, event_times: np.ndarray) -> CoxPHFitter:
    """A copy of ``cph`` without per-patient attributes; baseline frames cut to event times.

    lifelines' own ``predict_*`` still work on the copy (``print_summary`` does not).
    """
    stripped = copy.deepcopy(cph)
    inner = stripped._model
    for name in PER_PATIENT_ATTRIBUTES + VOLATILE_ATTRIBUTES:
        setattr(inner, name, None)
    for name in BASELINE_FRAMES:
        frame = getattr(inner, name)
        setattr(inner, name, frame.loc[frame.index.isin(event_times)].copy())
    inner.timeline = inner.baseline_hazard_.index.copy()
    return stripped


def build_model(
    cph: CoxPHFitter, design: pd.DataFrame, durations: pd.Series, events: pd.Series
) -> RiskModel:
    """The saved form of a fit on ``design`` (the model's covariate columns only)."""
    covariates = [str(c) for c in design.columns]
    beta = cph.params_.loc[covariates].to_numpy(dtype=float)
    baseline = baseline_aggregates(design, durations, events, beta)
    return RiskModel(
        cph=strip_fitter(cph, baseline.times), covariates=covariates, baseline=baseline
    )
