"""Calibration, time-dependent discrimination and decision curves of a survival model.

Plain arrays in (follow-up days, death 0/1, predicted survival at a horizon or risk scores),
dataclasses out; the model card keeps them as dicts (:func:`dataclasses.asdict`).

- Kaplan–Meier product-limit estimate with Greenwood's variance; 95% interval on the
  log(−log S) scale ("exponential Greenwood", Kalbfleisch & Prentice 2002 — lifelines' and
  R ``survfit(conf.type = "log-log")``'s interval).
- Calibration at a horizon: patients ordered by predicted survival (lowest risk first, ties in
  input order) and cut into thirds; mean predicted survival against the Kaplan–Meier estimate of
  each third (Royston & Altman, BMC Med Res Methodol 2013;13:33).
- Decision curve at a horizon (Vickers et al., BMC Med Inform Decis Mak 2008;8:53): calling a
  patient "high risk" when the predicted probability of death by the horizon is at least the
  threshold p; net benefit = P(high) · [(1 − S_high) − S_high · p / (1 − p)], S_high the
  Kaplan–Meier survival of the high-risk patients — against treating everyone and no one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from srgvhd.i18n.message import N_

Z95 = 1.959963984540054  # standard normal 97.5% quantile
# Saved on the card in English; said in the reader's language where shown (card_text.said).
RISK_THIRDS = (N_("lowest risk third"), N_("middle risk third"), N_("highest risk third"))
DECISION_THRESHOLDS = tuple(round(0.1 * k, 1) for k in range(1, 10))


@dataclass(frozen=True)
class KaplanMeier:
    """Survival at a day with its 95% interval (log–log); NaN bounds when S is 0 or 1."""

    estimate: float
    lower: float
    upper: float


def kaplan_meier_at(durations: np.ndarray, events: np.ndarray, day: float) -> KaplanMeier:
    """Product-limit survival just after ``day`` (deaths on ``day`` count) with Greenwood CI."""
    t = np.asarray(durations, dtype=float)
    e = np.asarray(events, dtype=float)
    if len(t) == 0:
        return KaplanMeier(math.nan, math.nan, math.nan)
    times, index = np.unique(t, return_inverse=True)
    deaths = np.bincount(index, weights=e, minlength=len(times))
    at_risk = np.cumsum(np.bincount(index, minlength=len(times))[::-1])[::-1].astype(float)
    used = (times <= day) & (deaths > 0)
    d, r = deaths[used], at_risk[used]
    estimate = float(np.prod(1 - d / r))
    if estimate <= 0 or estimate >= 1:
        return KaplanMeier(
            estimate,
            estimate if estimate <= 0 else math.nan,
            estimate if estimate >= 1 else math.nan,
        )
    with np.errstate(divide="ignore"):
        greenwood = float(np.sum(d / (r * (r - d))))
    spread = Z95 * math.sqrt(greenwood) / abs(math.log(estimate))
    return KaplanMeier(estimate, estimate ** math.exp(spread), estimate ** math.exp(-spread))


@dataclass(frozen=True)
class CalibrationGroup:
    """One risk third: size, deaths, at risk at the horizon, mean predicted and KM observed."""

    group: str
    n: int
    events: int
    at_risk: int
    predicted: float
    observed: float
    observed_lower: float
    observed_upper: float


def calibration_by_thirds(
    durations: np.ndarray, events: np.ndarray, predicted: np.ndarray, day: float
) -> list[CalibrationGroup]:
    """Predicted survival at ``day`` against Kaplan–Meier observed, by third of predicted risk."""
    t = np.asarray(durations, dtype=float)
    e = np.asarray(events, dtype=float)
    s = np.asarray(predicted, dtype=float)
    order = np.argsort(-s, kind="stable")  # highest predicted survival = lowest risk first
    groups = []
    for name, members in zip(RISK_THIRDS, np.array_split(order, len(RISK_THIRDS)), strict=True):
        km = kaplan_meier_at(t[members], e[members], day)
        groups.append(
            CalibrationGroup(
                group=name,
                n=len(members),
                events=int(e[members].sum()),
                at_risk=int((t[members] >= day).sum()),
                predicted=float(s[members].mean()) if len(members) else math.nan,
                observed=km.estimate,
                observed_lower=km.lower,
                observed_upper=km.upper,
            )
        )
    return groups


@dataclass(frozen=True)
class NetBenefit:
    """Net benefit at one threshold of predicted death probability by the horizon."""

    threshold: float
    high_risk: int
    model: float
    treat_all: float


def decision_curve(
    durations: np.ndarray,
    events: np.ndarray,
    predicted: np.ndarray,
    day: float,
    thresholds: tuple[float, ...] = DECISION_THRESHOLDS,
) -> list[NetBenefit]:
    """Net benefit of calling "high risk" at each threshold (module docstring)."""
    t = np.asarray(durations, dtype=float)
    e = np.asarray(events, dtype=float)
    death_probability = 1 - np.asarray(predicted, dtype=float)
    overall = kaplan_meier_at(t, e, day).estimate
    curve = []
    for p in thresholds:
        odds = p / (1 - p)
        high = death_probability >= p
        share = high.mean() if len(high) else 0.0
        if high.any():
            survival = kaplan_meier_at(t[high], e[high], day).estimate
            benefit = share * ((1 - survival) - survival * odds)
        else:
            benefit = 0.0
        curve.append(
            NetBenefit(p, int(high.sum()), float(benefit), float((1 - overall) - overall * odds))
        )
    return curve
