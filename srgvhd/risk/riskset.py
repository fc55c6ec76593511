"""Cox partial-likelihood quantities with patients grouped by follow-up time, vectorised.

Whole-day follow-up has few distinct times (at most ~36,500), so every sum over a risk set is a
suffix sum over time groups, computed with ``np.bincount`` once per quantity rather than once per
patient. Ties are handled by Efron's (1977) approximation — as lifelines and R ``coxph(ties =
"efron")``: at a time with d deaths, the k-th (k = 0…d−1) of d sub-steps removes the fraction
k/d of the dying patients' weight from the risk set.

Used for the proportional-hazards score test (R ``cox.zph``, survival ≥ 3.0: Grambsch &
Therneau, Biometrika 1994: the per-death-time Efron score and information, which lifelines does
not expose), for the Breslow (1972) baseline hazard of a cross-validation fold at lifelines'
coefficients (a fold is a 0/1 inclusion weight, so the time grouping is computed once) and for
Harrell's concordance. No coefficients are estimated here: lifelines is the only fitter
(:mod:`srgvhd.risk.fit`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Grouped:
    """The cohort compressed to distinct (follow-up time, covariate pattern, died) rows.

    Identical patients contribute identical terms, so each compressed row carries a count; the
    model's indicator covariates have at most 18 patterns, so a 1M-patient cohort with whole-day
    times becomes a few ten thousand rows. ``row`` maps each patient to its compressed row, so a
    cross-validation fold is just other counts (:meth:`counts`).
    """

    x: np.ndarray  # K × p covariates of each compressed row
    group: np.ndarray  # K, index into ``times``
    times: np.ndarray  # m distinct follow-up times, increasing
    event: np.ndarray  # K, 1.0 = died
    row: np.ndarray  # n, compressed row of each patient
    patients: np.ndarray  # K, patients in each compressed row

    @classmethod
    def of(cls, x: np.ndarray, durations: np.ndarray, events: np.ndarray) -> Grouped:
        x = np.asarray(x, dtype=float)
        times, group = np.unique(np.asarray(durations, dtype=float), return_inverse=True)
        if np.all((x == 0) | (x == 1)) and x.shape[1] < 60:
            pattern = (x @ (2.0 ** np.arange(x.shape[1]))).astype(np.int64)
        else:
            pattern = np.unique(x, axis=0, return_inverse=True)[1].astype(np.int64)
        died = np.asarray(events, dtype=np.int64)
        key = (group.astype(np.int64) * (int(pattern.max()) + 1) + pattern) * 2 + died
        _, first, row = np.unique(key, return_index=True, return_inverse=True)
        return cls(
            x[first],
            group[first],
            times,
            died[first].astype(float),
            row,
            np.bincount(row).astype(float),
        )

    def counts(self, include: np.ndarray | None) -> np.ndarray:
        """Patients of each compressed row among those with ``include`` = 1 (all when None)."""
        if include is None:
            return self.patients
        return np.bincount(self.row, weights=include.astype(float), minlength=len(self.x))


@dataclass(frozen=True)
class EfronTerms:
    """Per death time (``death_groups`` index ``Grouped.times``): deaths, Efron risk-set sums
    and each time's contribution to the score and the information; and the log-likelihood."""

    death_groups: np.ndarray  # q
    deaths: np.ndarray  # q
    s0: np.ndarray  # q, Σ w over the risk set
    score: np.ndarray  # q × p
    information: np.ndarray  # q × p × p
    loglik: float


def _suffix(values: np.ndarray) -> np.ndarray:
    """Entry g = sum of entries g, g+1, … (the risk set at time g) along axis 0."""
    return np.cumsum(values[::-1], axis=0)[::-1]


def efron_terms(data: Grouped, beta: np.ndarray, keep: np.ndarray) -> EfronTerms:
    """Efron partial-likelihood terms at ``beta`` for ``keep`` patients per compressed row."""
    p = data.x.shape[1]
    m = len(data.times)
    eta = data.x @ beta
    weight = np.exp(eta - eta.max()) * keep  # a common factor cancels in every ratio below
    dying = data.event * keep
    death_weight = weight * data.event

    def by_group(values: np.ndarray) -> np.ndarray:
        return np.bincount(data.group, weights=values, minlength=m)

    pairs = [(j, k) for j in range(p) for k in range(j, p)]
    r0, d0 = by_group(weight), by_group(death_weight)
    r1 = np.column_stack([by_group(weight * data.x[:, j]) for j in range(p)])
    d1 = np.column_stack([by_group(death_weight * data.x[:, j]) for j in range(p)])
    r2 = np.column_stack([by_group(weight * data.x[:, j] * data.x[:, k]) for j, k in pairs])
    d2 = np.column_stack([by_group(death_weight * data.x[:, j] * data.x[:, k]) for j, k in pairs])
    deaths_all = by_group(dying)
    x_dead = np.column_stack([by_group(dying * data.x[:, j]) for j in range(p)])
    eta_dead = by_group(dying * (eta - eta.max()))
    s0_all, s1_all, s2_all = _suffix(r0), _suffix(r1), _suffix(r2)

    q = np.flatnonzero(deaths_all > 0)
    d = deaths_all[q]
    counts = d.astype(int)
    # One entry per Efron sub-step: its time (position in q) and fraction k/d.
    step_of = np.repeat(np.arange(len(q)), counts)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    fraction = (np.arange(counts.sum()) - starts) / np.repeat(d, counts)
    denominator = s0_all[q][step_of] - fraction * d0[q][step_of]

    def per_time(values: np.ndarray) -> np.ndarray:
        return np.bincount(step_of, weights=values, minlength=len(q))

    a = per_time(1 / denominator)
    b = per_time(fraction / denominator)
    aa = per_time(1 / denominator**2)
    ab = per_time(fraction / denominator**2)
    bb = per_time(fraction**2 / denominator**2)
    s1, dd1 = s1_all[q], d1[q]
    score = x_dead[q] - s1 * a[:, None] + dd1 * b[:, None]
    s2 = _unpack(s2_all[q], pairs, p)
    dd2 = _unpack(d2[q], pairs, p)
    outer_s1 = np.einsum("ti,tj->tij", s1, s1)
    cross = np.einsum("ti,tj->tij", s1, dd1)
    outer_d1 = np.einsum("ti,tj->tij", dd1, dd1)
    information = (
        s2 * a[:, None, None]
        - dd2 * b[:, None, None]
        - outer_s1 * aa[:, None, None]
        + (cross + cross.transpose(0, 2, 1)) * ab[:, None, None]
        - outer_d1 * bb[:, None, None]
    )
    loglik = float(eta_dead[q].sum() - np.log(denominator).sum())
    return EfronTerms(q, d, s0_all[q], score, information, loglik)


def _unpack(packed: np.ndarray, pairs: list[tuple[int, int]], p: int) -> np.ndarray:
    """Rows of upper-triangle sums back to symmetric p × p matrices."""
    full = np.empty((packed.shape[0], p, p))
    for column, (j, k) in enumerate(pairs):
        full[:, j, k] = full[:, k, j] = packed[:, column]
    return full


def breslow_cumulative_hazard(
    data: Grouped, beta: np.ndarray, days: np.ndarray, include: np.ndarray | None = None
) -> np.ndarray:
    """Reference-patient (x = 0) Breslow cumulative hazard Σ_{t_i ≤ day} d_i / Σ_risk exp(x'β)."""
    keep = data.counts(include)
    m = len(data.times)
    weight = np.exp(data.x @ beta) * keep
    at_risk = _suffix(np.bincount(data.group, weights=weight, minlength=m))
    deaths = np.bincount(data.group, weights=data.event * keep, minlength=m)
    increments = np.divide(deaths, at_risk, out=np.zeros(m), where=deaths > 0)
    cumulative = np.concatenate([[0.0], np.cumsum(increments)])
    return cumulative[np.searchsorted(data.times, days, side="right")]


def harrell_concordance(
    durations: np.ndarray, events: np.ndarray, risk: np.ndarray, horizon: float | None = None
) -> float | None:
    """Harrell's C: among pairs where one patient died before the other's follow-up ended (or
    the other was censored at the same day), the share where the one who died had the higher
    risk (ties in risk count one half) — lifelines ``concordance_index`` on ``-risk``.

    ``horizon`` restricts to deaths up to that day (truncated C, Uno et al. 2011 without
    weights). Risk values are grouped by level, so the cost is (distinct times × distinct risk
    levels); None when no pair is comparable.
    """
    times, time_index = np.unique(np.asarray(durations, dtype=float), return_inverse=True)
    levels, level_index = np.unique(np.asarray(risk, dtype=float), return_inverse=True)
    m, k = len(times), len(levels)
    died = np.asarray(events, dtype=float)
    if horizon is not None:
        died = died * (np.asarray(durations, dtype=float) <= horizon)
    flat = time_index * k + level_index
    deaths = np.bincount(flat, weights=died, minlength=m * k).reshape(m, k)
    censored = np.bincount(
        flat, weights=1 - np.asarray(events, dtype=float), minlength=m * k
    ).reshape(m, k)
    everyone = np.bincount(flat, minlength=m * k).reshape(m, k).astype(float)
    later = _suffix(everyone)[1:]  # T_j > t_g
    later = np.vstack([later, np.zeros((1, k))]) + censored  # …or censored on the same day
    lower = np.cumsum(later, axis=1) - later  # patients at lower risk levels
    higher = later.sum(axis=1, keepdims=True) - lower - later
    concordant = (deaths * lower).sum()
    tied = (deaths * later).sum()
    comparable = concordant + tied + (deaths * higher).sum()
    if comparable == 0:
        return None
    return float((concordant + 0.5 * tied) / comparable)
