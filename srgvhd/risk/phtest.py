"""Test of proportional hazards: the score test of R ``cox.zph`` (survival ≥ 3.0).

For each covariate x_j, the test asks whether adding the time-varying term x_j · g(t) improves
the fitted Cox model (Grambsch & Therneau, Biometrika 1994;81:515–26; Therneau & Grambsch,
Modeling Survival Data, 2000, §6.2). With g(t) fixed at each death time, its score is
Σ_t g(t) · U_t and its information blocks are Σ_t g(t) · I_t and Σ_t g(t)² · I_t, where U_t and
I_t are the Efron score and information contributions of death time t
(:func:`srgvhd.risk.riskset.efron_terms`) — so the whole test is a few sums over distinct death
times (the scaled Schoenfeld residuals grouped by event time). The score for β itself is zero at
the fitted coefficients; the statistic is u' I⁻¹ u on (β, γ_j), χ² with 1 degree of freedom, and
the global test uses all γ at once (p degrees of freedom).

Time transform: ``rank`` — the rank of the follow-up time among all patients (ties averaged),
centred on its mean over deaths, as ``cox.zph(fit, transform = "rank")``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.stats import chi2

from srgvhd.i18n.message import N_
from srgvhd.risk.riskset import Grouped, efron_terms

# The verdict a model card states (srgvhd.risk.fit), in English on the card; the Model page and
# the card PDF say it in the reader's language from these templates (srgvhd.report.card_text).
PH_NOT_COMPUTED = N_(
    "Could not be computed: the death times do not vary enough to test whether any effect "
    "changes over follow-up."
)
PH_NONE = N_("No evidence that any effect changes over follow-up (all p ≥ {alpha}).")
PH_VIOLATED = N_(
    "The proportional-hazards assumption looks violated for {covariates} (p < {alpha}): the "
    "hazard ratio shown is an average over follow-up."
)
PH_METHOD = N_("score test for x·g(t) terms (R survival cox.zph), rank time transform")
# The method cards written before the score test name (the bundled reference card among them).
PH_METHOD_SCHOENFELD = N_("scaled Schoenfeld residuals, rank time transform")


@dataclass(frozen=True)
class PHTest:
    """χ² statistic and p-value per covariate (in the model's order) and for all together."""

    statistics: list[float]
    p_values: list[float]
    global_statistic: float
    global_df: int
    global_p: float


def _rank_transform(data: Grouped, deaths_at: np.ndarray) -> np.ndarray:
    """Centred average rank of every distinct follow-up time (R ``rank(times)``)."""
    everyone = np.bincount(data.group, weights=data.patients, minlength=len(data.times))
    rank = np.cumsum(everyone) - everyone + (everyone + 1) / 2
    return rank - (deaths_at * rank).sum() / deaths_at.sum()


def ph_score_test(data: Grouped, beta: np.ndarray) -> PHTest:
    """R ``cox.zph(fit, transform = "rank", terms = FALSE)`` at the fitted ``beta``."""
    terms = efron_terms(data, beta, data.patients)
    deaths_at = np.zeros(len(data.times))
    deaths_at[terms.death_groups] = terms.deaths
    g = _rank_transform(data, deaths_at)[terms.death_groups]
    p = len(beta)
    u = np.concatenate([np.zeros(p), (g[:, None] * terms.score).sum(axis=0)])
    i_bb = terms.information.sum(axis=0)
    i_bg = (g[:, None, None] * terms.information).sum(axis=0)
    i_gg = (g[:, None, None] ** 2 * terms.information).sum(axis=0)
    full = np.block([[i_bb, i_bg], [i_bg.T, i_gg]])
    statistics = []
    for j in range(p):
        keep = list(range(p)) + [p + j]
        sub_u = u[keep]
        statistics.append(float(sub_u @ np.linalg.solve(full[np.ix_(keep, keep)], sub_u)))
    global_statistic = float(u @ np.linalg.solve(full, u))
    return PHTest(
        statistics=statistics,
        p_values=[math.erfc(math.sqrt(max(s, 0.0) / 2)) for s in statistics],
        global_statistic=global_statistic,
        global_df=p,
        global_p=float(chi2.sf(global_statistic, p)),
    )
